import AIOpsCore
import WarmStart

extension ServeCommand {
    /// The options that take a value, for the parser.
    static let warmStartOptionNames: Set<String> = [
        "warm-from", "warm-days", "warm-step", "warm-rate", "warm-bearer-token-file", "warm-basic-auth-file", "warm-ignore-label",
    ]

    /// Warm start as the `--warm-*` options ask.
    /// - Returns: `.success(nil)` when `--warm-from` is not given; `.failure(status)` with the
    ///   error printed: 2 for a usage error, 1 for an unreadable credentials file.
    static func warmStartOptions(_ parsed: ParsedArguments) -> Result<WarmStartOptions?, ExitStatus> {
        guard let from = parsed.value("warm-from") else {
            if let stray = warmStartOptionNames.sorted().first(where: { parsed.value($0) != nil }) {
                Console.error("--\(stray) needs --warm-from URL")
                return .failure(ExitStatus(2))
            }
            return .success(nil)
        }
        var options: WarmStartOptions
        do {
            options = WarmStartOptions(source: try WarmStartSource(parsing: from))
        } catch {
            Console.error("\(error)")
            return .failure(ExitStatus(2))
        }
        if let text = parsed.value("warm-days") {
            guard let days = Int(text), (1...90).contains(days) else {
                Console.error("--warm-days must be a whole number of days from 1 to 90, not '\(text)'")
                return .failure(ExitStatus(2))
            }
            options.history = .hours(Int64(days) * 24)
        }
        if let text = parsed.value("warm-step") {
            guard let step = PromDuration(parsing: text), step.milliseconds >= 1000 else {
                Console.error("--warm-step must be a duration of at least 1s, such as 15s or 1m, not '\(text)'")
                return .failure(ExitStatus(2))
            }
            options.defaultStep = step
        }
        if let text = parsed.value("warm-rate") {
            guard let rate = Double(text), rate.isFinite, rate > 0 else {
                Console.error("--warm-rate must be a positive number of queries per second, not '\(text)'")
                return .failure(ExitStatus(2))
            }
            options.queriesPerSecond = rate
        }
        let bearer = parsed.value("warm-bearer-token-file")
        let basic = parsed.value("warm-basic-auth-file")
        if bearer != nil && basic != nil {
            Console.error("give --warm-bearer-token-file or --warm-basic-auth-file, not both")
            return .failure(ExitStatus(2))
        }
        do {
            if let bearer { options.credentials = try .bearerTokenFile(bearer) }
            if let basic { options.credentials = try .basicAuthFile(basic) }
        } catch {
            Console.error("\(error)")
            return .failure(ExitStatus(1))
        }
        options.ignoredLabels = Set(parsed.values("warm-ignore-label"))
        return .success(options)
    }

    /// A process exit status, as an error for `Result`.
    struct ExitStatus: Error {
        let code: Int32
        init(_ code: Int32) { self.code = code }
    }
}
