import Foundation

// aiops-bench: see BenchmarkOptions.help, or run with --help.

let arguments = Array(CommandLine.arguments.dropFirst())
if (2...3).contains(arguments.count), arguments[0] == "--memory-child", let count = Int(arguments[1]) {
    MemoryBenchmark.measureInChild(count, autoRule: arguments.count == 3 && arguments[2] == "auto")
    exit(0)
}

let options: BenchmarkOptions
do {
    guard let parsed = try BenchmarkOptions.parse(arguments) else {
        print(BenchmarkOptions.help)
        exit(0)
    }
    options = parsed
} catch {
    note("aiops-bench: \(error)")
    exit(2)
}

#if DEBUG
note("warning: aiops-bench is a debug build; figures are meaningless. Build with -c release.")
#endif

let report = Report(cores: Harness.cores)
let loadAverage = (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8))?.split(separator: " ").prefix(3).joined(separator: " ") ?? "?"
if options.soak {
    print("aiops-bench --soak: \(Harness.cores) cores, load average \(loadAverage) at start")
    exit(SoakBenchmark.main(options) ? 0 : 1)
}
print("aiops-bench: \(Harness.cores) cores, load average \(loadAverage) at start, \(options.quick ? "quick pass" : "full run"), \(options.runs) runs after 1 warm-up (loads: \(options.loadRuns) runs)")
print("")
let started = Date()
DecodeBenchmarks.run(options, report: report)
KernelBenchmarks.run(options, report: report)
DetectorBenchmarks.run(options, report: report)
MemoryBenchmark.run(options, report: report)
SnapshotBenchmark.run(options, report: report)
SnapshotIngestBenchmark.run(options, report: report)
ReloadBenchmark.run(options, report: report)
ReplayBenchmark.run(options, report: report)
IngestPathBenchmark.run(options, report: report)
AdviceBenchmark.run(options, report: report)
let peak = EndToEndBenchmarks.run(options, report: report)
IncidentLatencyBenchmark.run(options, report: report, peak: peak)
SoakBenchmark.smoke(options, report: report)
WarmStartBenchmark.run(options, report: report)
ScoresBenchmark.run(options, report: report)
WebViewBenchmark.run(options, report: report)
if report.results.isEmpty {
    note("no benchmark matches the filter \(options.filters)")
    exit(1)
}
report.printJSON()
note(String(format: "done in %.1f s", Date().timeIntervalSince(started)))
