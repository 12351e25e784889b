import Foundation
import Testing
@testable import Delivery

@Suite struct WebhookURLTests {
    static let slack = "https://hooks.slack.com/services/T0123/B0456/sEcReTsEcReT"

    @Test func slackURLIsAcceptedAndRedactedEverywhere() throws {
        let url = try WebhookURL(Self.slack)
        #expect(url.redacted == "https://hooks.slack.com/***")
        var dumped = ""
        dump(url, to: &dumped)
        for text in [url.description, url.debugDescription, "\(url)", String(describing: url), String(reflecting: url), dumped, "\([url])"] {
            #expect(!text.contains("sEcReT"))
            #expect(!text.contains("B0456"))
        }
    }

    @Test func configurationsPrintRedacted() throws {
        let workspace = NotifierWorkspace(name: "team", webhook: try WebhookURL(Self.slack))
        let configuration = NotifierConfiguration(workspaces: [workspace], dataDirectory: "/tmp/x")
        var dumped = ""
        dump(configuration, to: &dumped)
        for text in [String(describing: configuration), String(reflecting: workspace), dumped] {
            #expect(text.contains("hooks.slack.com/***"))
            #expect(!text.contains("sEcReT"))
        }
    }

    @Test(arguments: [
        ("http://hooks.slack.com/services/T/B/x", "scheme http is not allowed for host hooks.slack.com"),
        ("https://evil.example.com/services/T/B/x", "host evil.example.com is not allowed (only hooks.slack.com unless listed in allowedHosts)"),
        ("https://127.0.0.1:8080/hook", "host 127.0.0.1 is not allowed (only hooks.slack.com unless listed in allowedHosts)"),
        ("https://user:pw@hooks.slack.com/services/T/B/x", "credentials in the URL are not allowed"),
        ("https://hooks.slack.com/services/T/B/x?token=1", "query or fragment not allowed"),
        ("https://hooks.slack.com", "missing path"),
        ("ftp://hooks.slack.com/services/T/B/x", "scheme ftp is not allowed for host hooks.slack.com"),
        ("not a url", "not an absolute URL"),
    ])
    func refusedURLs(text: String, reason: String) {
        #expect(throws: DeliveryError.invalidWebhookURL(reason: reason)) { try WebhookURL(text) }
    }

    @Test func allowedHostsMayUsePlainHTTP() throws {
        let url = try WebhookURL("http://127.0.0.1:9999/hook/abc/def", allowedHosts: ["127.0.0.1"])
        #expect(url.redacted == "http://127.0.0.1:9999/***")
        #expect(try WebhookURL("https://Proxy.Internal/x", allowedHosts: ["proxy.internal"]).redacted == "https://proxy.internal/***", "a one-segment path is a secret too")
    }

    @Test func errorDescriptionsCarryOnlyTheRedactedForm() throws {
        let url = try WebhookURL(Self.slack)
        let error = URLSessionWebhookTransport.map(URLError(.timedOut, userInfo: [NSURLErrorFailingURLErrorKey: URL(string: Self.slack)!]), webhook: url.redacted, timeout: 10)
        #expect(error == .timedOut(webhook: "https://hooks.slack.com/***", seconds: 10))
        #expect(error.description == "webhook https://hooks.slack.com/***: no response within 10.0s")
        let refused = URLSessionWebhookTransport.map(URLError(.cannotConnectToHost), webhook: url.redacted, timeout: 10)
        #expect(refused.reason == "connection_refused")
    }
}
