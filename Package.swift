// swift-tools-version:6.0
// aiops: a Prometheus remote-write target with streaming anomaly detection.
// No package dependencies: the toolchain's standard library, Foundation,
// FoundationNetworking, Dispatch and Glibc only.
//
// The path of a sample shows in the module names:
//   RemoteWrite / Fixtures (decode) -> Store -> Detectors -> Rules + Incidents
//   -> Pipeline -> Reports -> Delivery, served by Server over HTTPServer, or
//   driven offline by Replay and scored by Evaluation.
import PackageDescription

/// Release builds of the per-sample modules skip the runtime's dynamic exclusivity checks
/// (`swift_beginAccess` on every class-property access measured ~80 instructions each, several
/// per sample; removing them made ingest ~50% faster in aiops-bench). Debug builds, which the
/// tests use, keep them, so an exclusivity violation still traps under `swift test`.
let hotPath: [SwiftSetting] = [
    .unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release)),
]

/// Snapshots checksum with the SSE 4.2 `crc32` instruction (CRC32C.swift): the module's C
/// intrinsics need the target feature, which every x86-64 CPU since 2008 has. Elsewhere the
/// table-driven reference runs and no flag is needed.
#if arch(x86_64)
let crc32Instruction: [SwiftSetting] = [.unsafeFlags(["-Xcc", "-msse4.2"])]
#else
let crc32Instruction: [SwiftSetting] = []
#endif

let package = Package(
    name: "aiops",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "aiops", targets: ["aiops"]),
        .executable(name: "aiops-bench", targets: ["aiops-bench"]),
    ],
    targets: [
        // Shared vocabulary: labels, time, clocks, durations.
        .target(name: "AIOpsCore"),
        // decode: snappy, protobuf, remote-write 1.0 and 2.0.
        .target(name: "RemoteWrite", dependencies: ["AIOpsCore"], swiftSettings: hotPath),
        // decode (offline): CSV, query_range JSON, exposition text.
        .target(name: "Fixtures", dependencies: ["AIOpsCore"]),
        // store: per-series rings with bounded memory.
        .target(name: "Store", dependencies: ["AIOpsCore"], swiftSettings: hotPath),
        // detect: EWMA, seasonal, leak slope, SIMD kernels with scalar references.
        .target(name: "Detectors", dependencies: ["AIOpsCore"], swiftSettings: hotPath),
        // rules: selectors, detector parameters, remediation advice.
        .target(name: "Rules", dependencies: ["AIOpsCore", "Detectors"]),
        // incident: pending -> firing -> resolved per rule and series.
        .target(name: "Incidents", dependencies: ["AIOpsCore", "Rules"], swiftSettings: hotPath),
        // The one code path replay and serve share.
        .target(name: "Pipeline", dependencies: ["AIOpsCore", "Store", "Detectors", "Rules", "Incidents"], swiftSettings: hotPath),
        // forecast: the next hours of every warm series from its detector's seasonal state.
        .target(name: "Forecasting", dependencies: ["AIOpsCore", "Detectors", "Rules", "Pipeline"]),
        // report: Slack Block Kit and plain text.
        .target(name: "Reports", dependencies: ["AIOpsCore", "Incidents"]),
        // deliver: webhook client, notification policy, durable outbox.
        .target(name: "Delivery", dependencies: ["AIOpsCore", "Incidents", "Reports"]),
        // advice: per-series usage summaries, workload rollup, rightsizing, predictive scaling, daily summary.
        .target(name: "Advice", dependencies: ["AIOpsCore", "Store", "Incidents", "Rules", "Reports"], swiftSettings: hotPath),
        // Durable state: snapshots of a workspace's pipelines and notification log.
        .target(
            name: "Snapshots", dependencies: ["AIOpsCore", "Store", "Detectors", "Rules", "Incidents", "Pipeline", "Delivery"],
            exclude: ["FORMAT.md"], swiftSettings: crc32Instruction),
        // Warm start: new series' history read from a Prometheus-compatible API, replayed
        // through their detectors before their live samples are scored.
        .target(name: "WarmStart", dependencies: ["AIOpsCore", "Fixtures", "Pipeline"]),
        // Alert targets: incidents to Alertmanager (`POST /api/v2/alerts`, Prometheus' resend
        // rules), and silences that mute the Slack notifier.
        .target(name: "AlertTargets", dependencies: ["AIOpsCore", "Rules", "Incidents", "Delivery"]),
        // Scores as series: the latest anomaly score and expected band per series and rule,
        // for a Prometheus scrape (`/federate`) and by remote write.
        .target(name: "ScoreExport", dependencies: ["AIOpsCore", "Rules", "Pipeline", "RemoteWrite", "Delivery"]),
        // HTTP/1.1 on the platform's sockets (epoll).
        .target(name: "HTTPServer", dependencies: ["AIOpsCore"]),
        // see: the web view's pages, the SVG plot component, sign-in (routed to by Server),
        // and replay's self-contained HTML report.
        .target(name: "WebView", dependencies: ["AIOpsCore", "HTTPServer", "Detectors", "Rules", "Incidents", "Reports"]),
        // aiops serve: workspaces, limits, remote-write endpoint, /metrics.
        .target(name: "Server", dependencies: ["AIOpsCore", "HTTPServer", "RemoteWrite", "Pipeline", "Rules", "Incidents", "Reports", "Delivery", "Snapshots", "WarmStart", "AlertTargets", "ScoreExport", "Advice", "Forecasting", "WebView"], swiftSettings: hotPath),
        // aiops replay: fixtures through the pipeline at full speed.
        .target(name: "Replay", dependencies: ["AIOpsCore", "Fixtures", "Pipeline", "Rules", "Incidents", "Reports", "Delivery", "Advice"]),
        // aiops evaluate: NAB scoring, the scenario corpus, the forecast backtest.
        .target(name: "Evaluation", dependencies: ["AIOpsCore", "Fixtures", "Replay", "Pipeline", "Rules", "Forecasting", "Store"]),
        .executableTarget(name: "aiops", dependencies: ["AIOpsCore", "Server", "Replay", "Evaluation", "Rules", "WarmStart", "Advice", "Forecasting", "Pipeline", "Fixtures", "WebView"]),
        .executableTarget(
            name: "aiops-bench",
            dependencies: ["AIOpsCore", "RemoteWrite", "Store", "Detectors", "Pipeline", "Rules", "Server", "Replay", "HTTPServer", "Fixtures", "Incidents", "Snapshots", "WarmStart", "ScoreExport", "Advice", "WebView"],
            path: "Benchmarks/aiops-bench"
        ),

        .testTarget(name: "AIOpsCoreTests", dependencies: ["AIOpsCore"]),
        .testTarget(name: "RemoteWriteTests", dependencies: ["RemoteWrite"]),
        .testTarget(name: "FixturesTests", dependencies: ["Fixtures"]),
        .testTarget(name: "StoreTests", dependencies: ["Store"]),
        .testTarget(name: "DetectorsTests", dependencies: ["Detectors"]),
        .testTarget(name: "RulesTests", dependencies: ["Rules", "Detectors"]),
        .testTarget(name: "IncidentsTests", dependencies: ["Incidents", "Rules"]),
        .testTarget(name: "PipelineTests", dependencies: ["Pipeline", "Rules"]),
        .testTarget(name: "ForecastingTests", dependencies: ["Forecasting", "Detectors", "Pipeline", "Rules", "Store"]),
        .testTarget(name: "ReportsTests", dependencies: ["Reports", "Incidents", "Rules"]),
        .testTarget(name: "DeliveryTests", dependencies: ["Delivery", "Reports", "Incidents", "Rules"]),
        .testTarget(name: "AdviceTests", dependencies: ["Advice", "Store", "Incidents", "Rules", "Reports", "Fixtures", "Replay"]),
        .testTarget(name: "SnapshotsTests", dependencies: ["Snapshots", "Pipeline", "Rules", "Delivery", "Fixtures"]),
        .testTarget(name: "WarmStartTests", dependencies: ["WarmStart", "Pipeline", "Rules", "HTTPServer", "Fixtures"]),
        .testTarget(name: "HTTPServerTests", dependencies: ["HTTPServer"]),
        .testTarget(name: "AlertTargetsTests", dependencies: ["AlertTargets", "Delivery", "Incidents", "Rules"]),
        .testTarget(name: "ScoreExportTests", dependencies: ["ScoreExport", "Pipeline", "Rules", "RemoteWrite", "Delivery"]),
        .testTarget(name: "ServerTests", dependencies: ["Server", "Pipeline", "RemoteWrite", "HTTPServer", "Delivery", "Rules", "Snapshots", "WarmStart", "AlertTargets", "ScoreExport", "Advice"]),
        .testTarget(name: "ReplayTests", dependencies: ["Replay", "Fixtures", "Pipeline", "Rules", "Store"]),
        .testTarget(name: "EvaluationTests", dependencies: ["Evaluation"]),
        .testTarget(name: "WebViewTests", dependencies: ["WebView", "Server", "Pipeline", "Store", "RemoteWrite", "HTTPServer", "Rules", "Incidents", "Reports", "Replay", "Fixtures"]),
    ],
    swiftLanguageModes: [.v6]
)
