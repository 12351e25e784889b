import AIOpsCore
import Delivery
import Foundation
import HTTPServer
import Rules
import Server
#if canImport(Glibc)
import Glibc
#endif

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
        // Block SIGINT/SIGTERM/SIGHUP before any thread starts, so they reach the waiter below.
        let signals = SignalWaiter(signals: [SIGINT, SIGTERM, SIGHUP])
        let parsed: ParsedArguments
        do {
            parsed = try ArgumentParser.parse(
                arguments,
                valued: Set(["listen", "web.listen-address", "data", "config", "rules", "threads", "shards", "body-memory", "snapshot-interval", "slack-min-interval",
                             "log.format", "log.level", "external-url", "web.external-url", "federate-limit"]).union(warmStartOptionNames),
                flags: ["help"])
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
        var logger = Logger()
        if let text = parsed.value("log.format") {
            guard let format = Logger.Format(rawValue: text) else {
                Console.error("--log.format must be logfmt or json, not '\(text)'")
                return 2
            }
            logger.format = format
        }
        if let text = parsed.value("log.level") {
            guard let level = Logger.Level(name: text) else {
                Console.error("--log.level must be debug, info, warn or error, not '\(text)'")
                return 2
            }
            logger.level = level
        }
        let log = logger.with(component: "serve")
        var options = AIOpsServer.Options()
        options.logger = logger
        switch (parsed.value("listen"), parsed.value("web.listen-address")) {
        case (let listen?, let web?) where listen != web:
            Console.error("--listen and --web.listen-address name two addresses ('\(listen)', '\(web)'); give one")
            return 2
        case (let listen?, _), (nil, let listen?):
            options.listen = listen
        case (nil, nil):
            break
        }
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
        switch (parsed.value("external-url"), parsed.value("web.external-url")) {
        case (let a?, let b?) where a != b:
            Console.error("--external-url and --web.external-url name two URLs ('\(a)', '\(b)'); give one")
            return 2
        case (let url?, _), (nil, let url?):
            guard let components = URLComponents(string: url), let scheme = components.scheme?.lowercased(), scheme == "http" || scheme == "https",
                  components.host?.isEmpty == false, components.user == nil, components.password == nil, components.query == nil, components.fragment == nil
            else {
                Console.error("--external-url must be an absolute http:// or https:// URL without credentials, query or fragment, such as https://aiops.example.com")
                return 2
            }
            options.externalURL = url
        case (nil, nil):
            break
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
        // Slack allows about one post per second per webhook; N instances sharing one webhook
        // (README, "Scale-out") each take N seconds between posts to share it.
        var slackInterval = 1.0
        if let text = parsed.value("slack-min-interval") {
            guard let interval = PromDuration(parsing: text), interval.milliseconds > 0 else {
                Console.error("--slack-min-interval must be a duration such as 1s or 2s")
                return 2
            }
            slackInterval = Double(interval.milliseconds) / 1000
        }
        let dataDirectory = parsed.value("data") ?? "aiops-data"
        options.dataDirectory = dataDirectory
        let rulesPath = parsed.value("rules") ?? RulesLocator.defaultDirectory()
        if rulesPath == nil { log.warn("no rules directory found; every series gets the built-in 'auto' rule") }
        let source = ConfigurationSource(configFile: parsed.value("config"), rulesPath: rulesPath, dataDirectory: dataDirectory)
        options.source = source
        // The embedded workspace's token is printed only when it is created here.
        var tokenCreated = false
        if source.configFile == nil {
            do {
                tokenCreated = try EmbeddedDefault.load(dataDirectory: dataDirectory).created
            } catch {
                log.error("\(error)")
                return 1
            }
        }
        let configuration: ServerConfiguration
        let rules: RuleSet
        do {
            (configuration, rules) = try source.load()
        } catch {
            for line in error.lines { log.error(line) }
            return 1
        }
        let notifier: Notifier
        do {
            notifier = try NotifierSetup.make(
                configuration: configuration, rules: rules, dataDirectory: dataDirectory, externalURL: options.externalURL,
                minimumSendInterval: slackInterval, log: DeliveryLog(logger: logger))
        } catch {
            log.error("\(error)")
            return 1
        }
        let server: AIOpsServer
        let address: HTTPSocketAddress
        do {
            server = try AIOpsServer(configuration: configuration, rules: rules, options: options, notifier: notifier)
            address = try server.start()
        } catch {
            log.error("cannot serve: \(error)")
            notifier.shutdown()
            return 1
        }
        let base = "http://\(address)"
        log.info("aiops \(AIOpsServer.version) listening on \(base) with \(rules.rules.count) rules; data in \(dataDirectory)/")
        log.info("web view: \(options.externalURL ?? base + "/") (sign in with a workspace token)" + (options.externalURL == nil ? "; reports carry no links to it without --external-url" : "; reports link their incidents there"))
        for workspace in configuration.workspaces {
            var targets: [String] = []
            if workspace.slack != nil { targets.append("its Slack webhook") }
            if let alertmanagers = workspace.alertmanagers, !alertmanagers.isEmpty { targets.append("\(alertmanagers.count) Alertmanager(s)") }
            var reports = targets.isEmpty ? "reports to standard output" : "reports to " + targets.joined(separator: " and ")
            if workspace.remoteWrite != nil { reports += "; scores remote-written" }
            log.info("workspace \(workspace.name) (\(workspace.plan.rawValue)): \(reports)")
        }
        if source.configFile == nil, let workspace = configuration.workspaces.first {
            let tokenPath = EmbeddedDefault.tokenPath(dataDirectory: dataDirectory)
            let absolute = URL(fileURLWithPath: tokenPath).standardizedFileURL.path
            if tokenCreated {
                Console.write(toDescriptor: 1, """

                    Created the workspace \(workspace.name) with a new token, kept in \(tokenPath) (printed only this once).
                    Paste this into your prometheus.yml:

                    \(EmbeddedDefault.remoteWriteSnippet(url: base + "/api/v1/write", token: workspace.token))

                    Then watch:  curl -H 'Authorization: Bearer \(workspace.token)' \(base)/metrics
                                 curl -H 'Authorization: Bearer \(workspace.token)' \(base)/api/v1/incidents


                    """)
            } else {
                log.info("workspace \(workspace.name): its token is kept in \(tokenPath) (not printed)")
                Console.write(toDescriptor: 1, """

                    For prometheus.yml (Prometheus reads the token from the file):

                    \(EmbeddedDefault.remoteWriteSnippet(url: base + "/api/v1/write", credentialsFile: absolute))

                    Then watch:  curl -H "Authorization: Bearer $(cat \(tokenPath))" \(base)/metrics


                    """)
            }
        }
        var signal: Int32
        repeat {
            signal = signals.wait()
            if signal == SIGHUP {
                log.info("received SIGHUP; reloading configuration and rules")
                // Logged by the server, success or refusal; the running configuration stays on error.
                _ = try? server.reload()
            }
        } while signal == SIGHUP
        log.info("received \(signal == SIGINT ? "SIGINT" : signal == SIGTERM ? "SIGTERM" : "signal \(signal)"); finishing requests in flight")
        server.shutdown()
        let flushed = notifier.flush(timeout: 10)
        notifier.shutdown()
        // After the notifier stopped: the notification log saved is the final one.
        server.writeSnapshots()
        if flushed.pending > 0 || flushed.givenUp > 0 {
            log.warn("\(flushed.pending) notifications still pending (kept in the outbox), \(flushed.givenUp) given up")
        }
        return 0
    }
}
