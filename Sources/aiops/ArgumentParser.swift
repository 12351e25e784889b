import AIOpsCore
import Fixtures

/// A small command-line parser: options (`--name value` or `--name=value`), flags, and
/// positionals, with errors that name the argument. (No package dependencies, so no
/// swift-argument-parser.)
struct ParsedArguments {
    var options: [String: [String]] = [:]
    var flags: Set<String> = []
    var positionals: [String] = []

    /// `--format`: `text` (the default) or one of `allowed`; nil, with the error printed,
    /// otherwise.
    func outputFormat(allowed: [String] = ["text", "json"]) -> String? {
        let format = value("format") ?? "text"
        guard allowed.contains(format) else {
            let names = allowed.map { "'\($0)'" }
            Console.error("--format must be \(names.dropLast().joined(separator: ", ")) or \(names.last!), not '\(format)'")
            return nil
        }
        return format
    }

    /// `--metric 'name{labels}'`: `.some(nil)` when it is not given; nil, with the error
    /// printed, when it does not read (the `outputFormat` pattern: `guard let` and exit 2).
    func seriesIdentity() -> Labels?? {
        guard let text = value("metric") else { return .some(nil) }
        do {
            return .some(try SeriesIdentity.parse(text))
        } catch {
            Console.error("--metric: \(error)")
            return nil
        }
    }

    /// The last value of `--name`, if given.
    func value(_ name: String) -> String? { options[name]?.last }

    /// Every value of a repeatable option.
    func values(_ name: String) -> [String] { options[name] ?? [] }

    func has(_ flag: String) -> Bool { flags.contains(flag) }
}

struct UsageError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}

enum ArgumentParser {
    /// - Parameters:
    ///   - valued: options that take a value.
    ///   - flags: options that take none.
    static func parse(_ arguments: [String], valued: Set<String>, flags: Set<String>) throws(UsageError) -> ParsedArguments {
        var parsed = ParsedArguments()
        var index = 0
        var onlyPositionals = false
        while index < arguments.count {
            let argument = arguments[index]
            index += 1
            if onlyPositionals || !argument.hasPrefix("--") || argument == "-" {
                if argument.hasPrefix("-") && argument.count > 1 && !onlyPositionals && argument != "-" {
                    throw UsageError(message: "unknown option '\(argument)'")
                }
                parsed.positionals.append(argument)
                continue
            }
            if argument == "--" {
                onlyPositionals = true
                continue
            }
            var name = String(argument.dropFirst(2))
            var inlineValue: String?
            if let equals = name.firstIndex(of: "=") {
                inlineValue = String(name[name.index(after: equals)...])
                name = String(name[..<equals])
            }
            if flags.contains(name) {
                if inlineValue != nil { throw UsageError(message: "option '--\(name)' takes no value") }
                parsed.flags.insert(name)
            } else if valued.contains(name) {
                let value: String
                if let inlineValue {
                    value = inlineValue
                } else {
                    guard index < arguments.count else { throw UsageError(message: "option '--\(name)' needs a value") }
                    value = arguments[index]
                    index += 1
                }
                parsed.options[name, default: []].append(value)
            } else {
                throw UsageError(message: "unknown option '--\(name)'")
            }
        }
        return parsed
    }
}
