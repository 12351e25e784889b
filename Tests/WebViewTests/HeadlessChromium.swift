import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A headless Chromium driven over the Chrome DevTools Protocol: one page, with everything
/// it logs and requests recorded, so a test can say "no console error, no request to any
/// host but the server" about a real browser's load of a page.
///
/// Started with `--remote-debugging-port=0` (the browser picks the port and prints it); the
/// page is a target created and attached in flat mode, so one WebSocket carries everything.
final class HeadlessChromium {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// Something the page said or did.
    struct Event {
        var method: String
        var params: [String: Any]
    }

    /// The browser binary: `AIOPS_CHROMIUM`, else `chromium`, `chromium-browser` or
    /// `google-chrome` on the PATH; nil when there is none (the tests then skip).
    static var binary: String? {
        if let path = ProcessInfo.processInfo.environment["AIOPS_CHROMIUM"], FileManager.default.isExecutableFile(atPath: path) { return path }
        let paths = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
        for name in ["chromium", "chromium-browser", "google-chrome"] {
            for directory in paths {
                let path = "\(directory)/\(name)"
                if FileManager.default.isExecutableFile(atPath: path) { return path }
            }
        }
        return nil
    }

    private let process = Process()
    private let profile: String
    private let socket: WebSocketClient
    private var nextID = 1
    /// Every event of the page since the last `clearEvents()`.
    private(set) var events: [Event] = []

    init(width: Int = 1280, height: Int = 900) throws {
        guard let binary = Self.binary else { throw Failure(description: "no chromium") }
        profile = NSTemporaryDirectory() + "aiops-chromium-\(UUID().uuidString)"
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = [
            "--headless", "--no-sandbox", "--disable-gpu", "--remote-debugging-port=0", "--user-data-dir=\(profile)",
            "--no-first-run", "--no-default-browser-check", "--disable-extensions", "--disable-background-networking",
            "--disable-sync", "--disable-component-update", "--disable-default-apps", "--mute-audio",
            "--window-size=\(width),\(height)", "about:blank",
        ]
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        // The DevTools endpoint is the line "DevTools listening on ws://127.0.0.1:PORT/devtools/browser/ID".
        let reader = errors.fileHandleForReading
        var text = ""
        var endpoint: String?
        let deadline = Date().addingTimeInterval(60)
        while endpoint == nil, Date() < deadline {
            let data = reader.availableData
            if data.isEmpty { break }
            text += String(decoding: data, as: UTF8.self)
            if let range = text.range(of: "DevTools listening on ") {
                let rest = text[range.upperBound...]
                if let newline = rest.firstIndex(of: "\n") { endpoint = String(rest[..<newline]).trimmingCharacters(in: .whitespaces) }
            }
        }
        guard let endpoint else {
            process.terminate()
            throw Failure(description: "chromium printed no DevTools endpoint: \(text.suffix(2000))")
        }
        // Keep draining standard error so the browser never blocks on a full pipe.
        reader.readabilityHandler = { handle in _ = handle.availableData }
        socket = try WebSocketClient(url: endpoint)
        let created = try browserCommand("Target.createTarget", ["url": "about:blank"])
        guard let target = created["targetId"] as? String else { throw Failure(description: "no target: \(created)") }
        let attached = try browserCommand("Target.attachToTarget", ["targetId": target, "flatten": true])
        guard let session = attached["sessionId"] as? String else { throw Failure(description: "not attached: \(attached)") }
        pageSession = session
        for domain in ["Page.enable", "Network.enable", "Runtime.enable", "Log.enable"] { _ = try command(domain) }
    }

    private var pageSession = ""

    deinit { stop() }

    /// Ends the browser (the process this object started) and removes its profile.
    func stop() {
        socket.close()
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(atPath: profile)
    }

    // MARK: Protocol

    /// A command to the page; returns its result, recording events that arrive meanwhile.
    @discardableResult
    func command(_ method: String, _ params: [String: Any] = [:]) throws -> [String: Any] {
        try send(method, params, session: pageSession)
    }

    private func browserCommand(_ method: String, _ params: [String: Any]) throws -> [String: Any] {
        try send(method, params, session: nil)
    }

    private func send(_ method: String, _ params: [String: Any], session: String?) throws -> [String: Any] {
        let id = nextID
        nextID += 1
        var message: [String: Any] = ["id": id, "method": method, "params": params]
        if let session { message["sessionId"] = session }
        let data = try JSONSerialization.data(withJSONObject: message)
        try socket.send(String(decoding: data, as: UTF8.self))
        while true {
            let object = try readMessage()
            if object["id"] as? Int == id {
                if let error = object["error"] as? [String: Any] { throw Failure(description: "\(method): \(error)") }
                return object["result"] as? [String: Any] ?? [:]
            }
        }
    }

    private func readMessage() throws -> [String: Any] {
        let text = try socket.receive()
        guard let object = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else {
            throw Failure(description: "not a JSON object: \(text.prefix(200))")
        }
        if let method = object["method"] as? String, object["id"] == nil {
            events.append(Event(method: method, params: object["params"] as? [String: Any] ?? [:]))
        }
        return object
    }

    /// Waits until an event named `method` arrives (after those already recorded).
    func waitFor(_ method: String, after count: Int) throws {
        while !events[count...].contains(where: { $0.method == method }) { _ = try readMessage() }
    }

    func clearEvents() { events.removeAll() }

    // MARK: What tests do

    /// Loads `url` and waits for its load event.
    func navigate(_ url: String) throws {
        let before = events.count
        let result = try command("Page.navigate", ["url": url])
        if let error = result["errorText"] as? String { throw Failure(description: "\(url): \(error)") }
        try waitFor("Page.loadEventFired", after: before)
    }

    /// Runs `expression` in the page and returns its value (JSON-like).
    func evaluate(_ expression: String) throws -> Any? {
        let result = try command("Runtime.evaluate", ["expression": expression, "returnByValue": true, "awaitPromise": true])
        if let exception = result["exceptionDetails"] as? [String: Any] { throw Failure(description: "\(expression): \(exception)") }
        return (result["result"] as? [String: Any])?["value"]
    }

    func string(_ expression: String) throws -> String { try evaluate(expression) as? String ?? "" }
    func int(_ expression: String) throws -> Int { (try evaluate(expression) as? NSNumber)?.intValue ?? -1 }

    /// Presses a key (`Tab`, `Enter`, `ArrowRight`...) as a keyboard does.
    func press(_ key: String, shift: Bool = false) throws {
        let codes = ["Tab": 9, "Enter": 13, "ArrowLeft": 37, "ArrowRight": 39, "Home": 36, "End": 35, "Escape": 27]
        let code = codes[key] ?? 0
        var params: [String: Any] = ["key": key, "code": key, "windowsVirtualKeyCode": code, "nativeVirtualKeyCode": code, "modifiers": shift ? 8 : 0]
        if key == "Enter" { params["text"] = "\r" }
        params["type"] = "keyDown"
        try command("Input.dispatchKeyEvent", params)
        params["type"] = "keyUp"
        params["text"] = nil
        try command("Input.dispatchKeyEvent", params)
    }

    /// Presses Enter and waits for the page it leads to.
    func pressEnterAndWaitForLoad() throws {
        let before = events.count
        try press("Enter")
        try waitFor("Page.loadEventFired", after: before)
    }

    func insertText(_ text: String) throws {
        try command("Input.insertText", ["text": text])
    }

    /// Emulates a viewport `width` CSS pixels wide.
    func setViewport(width: Int, height: Int) throws {
        try command("Emulation.setDeviceMetricsOverride", ["width": width, "height": height, "deviceScaleFactor": 1, "mobile": false])
    }

    /// A PNG of the whole page, or of its top `maxHeight` CSS pixels.
    func screenshot(maxHeight: Int = .max) throws -> Data {
        let width = try int("Math.ceil(document.documentElement.scrollWidth)")
        let height = min(maxHeight, try int("Math.ceil(document.documentElement.scrollHeight)"))
        let result = try command("Page.captureScreenshot", [
            "format": "png", "captureBeyondViewport": true,
            "clip": ["x": 0, "y": 0, "width": width, "height": height, "scale": 1],
        ])
        guard let base64 = result["data"] as? String, let data = Data(base64Encoded: base64) else { throw Failure(description: "no screenshot") }
        return data
    }

    /// The browser's cookies for `url`.
    func cookies(_ url: String) throws -> [[String: Any]] {
        try command("Network.getCookies", ["urls": [url]])["cookies"] as? [[String: Any]] ?? []
    }

    // MARK: What the page did

    /// Every URL the page requested since the events were cleared.
    var requestedURLs: [String] {
        events.filter { $0.method == "Network.requestWillBeSent" }.compactMap { ($0.params["request"] as? [String: Any])?["url"] as? String }
    }

    /// Console errors and warnings, uncaught exceptions, and browser log entries at level
    /// error or warning (a refused resource, a Content-Security-Policy violation, a 404).
    var problems: [String] {
        var out: [String] = []
        for event in events {
            switch event.method {
            case "Runtime.consoleAPICalled":
                let type = event.params["type"] as? String ?? ""
                if type == "error" || type == "warning" || type == "assert" { out.append("console.\(type): \(event.params["args"] ?? "")") }
            case "Runtime.exceptionThrown":
                out.append("exception: \(event.params["exceptionDetails"] ?? "")")
            case "Log.entryAdded":
                let entry = event.params["entry"] as? [String: Any] ?? [:]
                let level = entry["level"] as? String ?? ""
                if level == "error" || level == "warning" { out.append("log.\(level): \(entry["text"] ?? "") \(entry["url"] ?? "")") }
            default:
                break
            }
        }
        return out
    }
}
