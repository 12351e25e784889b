import AIOpsCore
import Delivery
import Foundation
import HTTPServer
import Rules
import Server

enum ServeCommand {
    /// `1048576`, `512KiB`, `64MiB`, `2GiB` (also `KB`/`MB`/`GB`, taken as powers of 1024).
    static func parseBytes(_ text: String) -> Int? {
        let units: [(String, Int)] = [("KiB", 1 << 10), ("MiB", 1 << 20), ("GiB", 1 << 30),
                                      ("KB", 1 << 10), ("MB", 1 << 20), ("GB", 1 << 30), ("B", 1)]
        for (suffix, scale) in units where text.hasSuffix(suffix) {
            guard let n = Int(text.dropLast(suffix.count)) else { return nil }
            let (bytes, overflow) = n.multipliedReportingOverflow(by: scale)
            return overflow ? nil : bytes
        }
        return Int(text)
    }

    static func run(_ arguments: [String]) -> Int32 {
        // Block SIGINT/SIGTERM before any thread starts, so they reach the waiter below.
        let signals = SignalWaiter()
        let parsed: ParsedArguments
        do {
            parsed = try ArgumentParser.parse(arguments, valued: Set(["listen", "data", "config", "rules", "threads", "shards", "body-memory", "snapshot-interval", "external-url", "web.external-url", "federate-limit"]).union(warmStartOptionNames), flags: ["help"])
        } catch {
            Console.error("\(error); see 'aiops serve --help'")
            return 2
        }
        if parsed.has("help") {
            print(Help.serve)
            return 0
        }
        guard parsed.positionals.isEmpty else {
            Console.error("serve takes no positional arguments; see 'aiops serve --help'")
            return 2
        }
        var options = AIOpsServer.Options()
        if let listen = parsed.value("listen") { options.listen = listen }
        if let text = parsed.value("threads") {
            guard let threads = Int(text), threads > 0 else {
                Console.error("--threads must be a positive number")
                return 2
            }
            options.threads = threads
        }
        if let text = parsed.value("shards") {
            guard let shards = Int(text), shards > 0 else {
                Console.error("--shards must be a positive number")
                return 2
            }
            options.shardsPerWorkspace = shards
        }
        if let text = parsed.value("body-memory") {
            guard let bytes = ServeCommand.parseBytes(text), bytes > 0 else {
                Console.error("--body-memory must be a positive size such as 512MiB")
                return 2
            }
            options.maxBufferedBodyBytes = bytes
        }
        if let text = parsed.value("snapshot-interval") {
            guard let interval = text == "0" ? .zero : PromDuration(parsing: text), interval.milliseconds >= 0 else {
                Console.error("--snapshot-interval must be a duration such as 5m, or 0 for no snapshots")
                return 2
            }
            options.snapshotInterval = interval
        }
        if let url = parsed.value("external-url") ?? parsed.value("web.external-url") {
            guard let components = URLComponents(string: url), components.scheme == "http" || components.scheme == "https",
                  components.host?.isEmpty == false else {
                Console.error("--external-url must be an absolute http:// or https:// URL such as https://aiops.example.com")
                return 2
            }
            options.externalURL = url
        }
        if let text = parsed.value("federate-limit") {
            guard let limit = Int(text), limit > 0 else {
                Console.error("--federate-limit must be a positive number of series")
                return 2
            }
            options.federateLimit = limit
        }
        switch warmStartOptions(parsed) {
        case .success(let warm): options.warmStart = warm
        case .failure(let status): return status.code
        }
        let dataDirectory = parsed.value("data") ?? "aiops-data"
        options.dataDirectory = dataDirectory
        options.log = { line in Console.progress("aiops: " + line) }
        let configuration: ServerConfiguration
        let embedded = parsed.value("config") == nil
        do {
            if let path = parsed.value("config") {
                configuration = try ServerConfiguration.load(path: path)
            } else {
                configuration = try EmbeddedDefault.configuration(dataDirectory: dataDirectory)
            }
        } catch {
            Console.error("\(error)")
            return 1
        }
        guard let rules = RulesLocator.load(parsed.value("rules")) else { return 1 }
        let notifier: Notifier
        do {
            notifier = try NotifierSetup.make(configuration: configuration, rules: rules, dataDirectory: dataDirectory)
        } catch {
            Console.error("\(error)")
            return 1
        }
        let server: AIOpsServer
        let address: HTTPSocketAddress
        do {
            server = try AIOpsServer(configuration: configuration, rules: rules, options: options, notifier: notifier)
            address = try server.start()
        } catch {
            Console.error("cannot serve: \(error)")
            notifier.shutdown()
            return 1
        }
        let base = "http://\(address)"
        var banner = "aiops \(AIOpsServer.version) listening on \(base) with \(rules.rules.count) rules; data in \(dataDirectory)/\n"
        for workspace in configuration.workspaces {
            var targets: [String] = []
            if workspace.slack != nil { targets.append("its Slack webhook") }
            if let alertmanagers = workspace.alertmanagers, !alertmanagers.isEmpty { targets.append("\(alertmanagers.count) Alertmanager(s)") }
            var reports = targets.isEmpty ? "reports to standard output" : "reports to " + targets.joined(separator: " and ")
            if workspace.remoteWrite != nil { reports += "; scores remote-written" }
            banner += "workspace \(workspace.name) (\(workspace.plan.rawValue)): \(reports)\n"
        }
        if embedded, let workspace = configuration.workspaces.first {
            banner += """

            Paste this into your prometheus.yml (the token is kept in \(dataDirectory)/\(EmbeddedDefault.workspaceName).token):

            \(EmbeddedDefault.remoteWriteSnippet(url: base + "/api/v1/write", token: workspace.token))

            Then watch:  curl -H 'Authorization: Bearer \(workspace.token)' \(base)/metrics
                         curl -H 'Authorization: Bearer \(workspace.token)' \(base)/api/v1/incidents

            """
        }
        Console.write(toDescriptor: 1, banner + "\n")
        let signal = signals.wait()
        Console.progress("aiops: received signal \(signal); finishing requests in flight")
        server.shutdown()
        let flushed = notifier.flush(timeout: 10)
        notifier.shutdown()
        // After the notifier stopped: the notification log saved is the final one.
        server.writeSnapshots()
        if flushed.pending > 0 || flushed.givenUp > 0 {
            Console.progress("aiops: \(flushed.pending) notifications still pending (kept in the outbox), \(flushed.givenUp) given up")
        }
        return 0
    }
}
