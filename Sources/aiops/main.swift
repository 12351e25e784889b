import AIOpsCore
#if canImport(Glibc)
import Glibc
#endif

/// `aiops`: a Prometheus remote-write target with streaming anomaly detection.
/// Exit codes: 0 success; 1 bad input or a failure at run time; 2 a usage error.
let arguments = Array(CommandLine.arguments.dropFirst())
let status: Int32
switch arguments.first {
case nil, "-h", "--help", "help":
    print(Help.main)
    status = arguments.isEmpty ? 2 : 0
case "--version", "version":
    print("aiops \(Help.version)")
    status = 0
case "serve":
    status = ServeCommand.run(Array(arguments.dropFirst()))
case "replay":
    status = ReplayCommand.run(Array(arguments.dropFirst()))
case "forecast":
    status = ForecastCommand.run(Array(arguments.dropFirst()))
case "evaluate":
    status = EvaluateCommand.run(Array(arguments.dropFirst()))
case "rules":
    status = RulesCommand.run(Array(arguments.dropFirst()))
case "restore":
    status = RestoreCommand.run(Array(arguments.dropFirst()))
default:
    Console.error("unknown command '\(arguments[0])'; see 'aiops --help'")
    status = 2
}
exit(status)
