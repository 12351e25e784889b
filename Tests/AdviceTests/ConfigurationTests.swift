import AIOpsCore
import Foundation
import Testing
@testable import Advice

@Suite struct DailySummaryScheduleTests {
    static func time(_ text: String) -> Timestamp { TimeFormat.parse(text)! }

    @Test func theNextTimeIsTheLocalTimeInTheZone() throws {
        let tokyo = try DailySummarySchedule(at: "09:00", timeZone: "Asia/Tokyo")
        // 09:00 JST is 00:00 UTC.
        #expect(tokyo.nextTime(after: Self.time("2026-03-15T23:00:00Z")) == Self.time("2026-03-16T00:00:00Z"))
        #expect(tokyo.nextTime(after: Self.time("2026-03-16T00:00:00Z")) == Self.time("2026-03-17T00:00:00Z"))
        #expect(tokyo.localDate(at: Self.time("2026-03-15T23:00:00Z")) == "2026-03-16")
        #expect(tokyo.localTime(at: Self.time("2026-03-16T05:30:00Z")) == "14:30 GMT+9" || tokyo.localTime(at: Self.time("2026-03-16T05:30:00Z")) == "14:30 JST")
        let utc = DailySummarySchedule.default
        #expect(utc.atText == "09:00")
        #expect(utc.nextTime(after: Self.time("2026-03-15T08:59:59Z")) == Self.time("2026-03-15T09:00:00Z"))
        #expect(utc.localTime(at: Self.time("2026-03-15T09:00:00Z")) == "09:00 UTC")
    }

    @Test func theLocalTimeHoldsAcrossDaylightSaving() throws {
        let berlin = try DailySummarySchedule(at: "09:00", timeZone: "Europe/Berlin")
        // Clocks go forward on 2026-03-29: 09:00 CET is 08:00 UTC before, 09:00 CEST 07:00 UTC after.
        #expect(berlin.nextTime(after: Self.time("2026-03-28T09:00:00Z")) == Self.time("2026-03-29T07:00:00Z"))
        #expect(berlin.nextTime(after: Self.time("2026-03-27T09:00:00Z")) == Self.time("2026-03-28T08:00:00Z"))
        // 02:30 does not exist on that day: the next time that does.
        let night = try DailySummarySchedule(at: "02:30", timeZone: "Europe/Berlin")
        let next = night.nextTime(after: Self.time("2026-03-28T12:00:00Z"))
        #expect(next > Self.time("2026-03-29T00:00:00Z") && next <= Self.time("2026-03-29T02:00:00Z"))
    }

    @Test(arguments: [("9:00", "UTC", "at"), ("24:00", "UTC", "at"), ("09:60", "UTC", "at"), ("09-00", "UTC", "at"), ("09:00", "Mars/Olympus", "timeZone")])
    func badValuesAreRefusedWithTheKey(at: String, zone: String, key: String) {
        #expect(throws: AdviceConfigurationError.self) { try DailySummarySchedule(at: at, timeZone: zone) }
        do {
            _ = try DailySummarySchedule(at: at, timeZone: zone)
        } catch {
            #expect(error.description.hasPrefix(key + ":"))
        }
    }

    @Test func readsFromTheWorkspaceConfig() throws {
        var reader = JSONReader()
        let decoded = DailySummarySchedule(json: try JSONParser.parse(Array(#"{"at": "07:30", "timeZone": "America/New_York"}"#.utf8)), path: "dailySummary", reader: &reader)
        #expect(decoded?.hour == 7 && decoded?.minute == 30 && decoded?.timeZone.identifier == "America/New_York")
        #expect(DailySummarySchedule(json: try JSONParser.parse(Array("{}".utf8)), path: "dailySummary", reader: &reader) == .default)
        #expect(reader.errors.isEmpty)
        #expect(DailySummarySchedule(json: try JSONParser.parse(Array("{\n\"timeZone\": \"Nowhere\"}".utf8)), path: "dailySummary", reader: &reader) == nil)
        #expect(reader.errors.map(\.path) == ["dailySummary.timeZone"])
        #expect(reader.errors.first?.line == 2)
    }
}

@Suite struct PricingTests {
    @Test func theDefaultsAreKubecostsAndAMonthIs730Hours() {
        #expect(Pricing.default.coreHour == 0.031611)
        #expect(Pricing.default.gibHour == 0.004237)
        // One core and one GiB for a month.
        #expect(abs(Pricing.default.monthly(cores: 1, bytes: 1_073_741_824) - (0.031611 + 0.004237) * 730) < 1e-9)
        #expect(Pricing.default.format(1234.5) == "$1,234.50")
        #expect(Pricing(coreHour: 1, gibHour: 1, currency: "EUR").format(0.456) == "0.46 EUR")
    }

    @Test func readingKeepsDefaultsAndRefusesNegativePrices() throws {
        var reader = JSONReader()
        let partial = Pricing(json: try JSONParser.parse(Array(#"{"coreHour": 0.04}"#.utf8)), path: "pricing", reader: &reader)
        #expect(partial?.coreHour == 0.04 && partial?.gibHour == Pricing.default.gibHour)
        #expect(Pricing(json: try JSONParser.parse(Array(#"{"gibHour": -1, "coreHours": 1}"#.utf8)), path: "pricing", reader: &reader) == nil)
        #expect(reader.errors.map(\.path) == ["pricing.coreHours", "pricing.gibHour"])
        #expect(reader.errors.first?.reason.contains("did you mean \"coreHour\"") == true)
    }
}

@Suite struct ScalingPolicyTests {
    @Test func readsLoadsAndRefusesBadValues() throws {
        let json = #"{"targetUtilisation": 0.6, "lead": "45m", "loads": [{"namespace": "shop", "deployment": "checkout", "series": "http_requests_total{service=\"checkout\"}", "perReplica": 120}]}"#
        var reader = JSONReader()
        let policy = try #require(ScalingPolicy(json: try JSONParser.parse(Array(json.utf8)), path: "scaling", reader: &reader))
        #expect(policy.targetUtilisation == 0.6)
        #expect(policy.lead == .minutes(45))
        #expect(policy.minReplicas == 2)
        #expect(policy.loads.first?.selector.metricName == "http_requests_total")
        for (bad, path) in [(#"{"targetUtilisation": 1.5}"#, "scaling.targetUtilisation"), (#"{"lead": "soon"}"#, "scaling.lead"), (#"{"minReplicas": 0}"#, "scaling.minReplicas"),
                            (#"{"loads": [{"namespace": "a", "deployment": "b", "series": "x{", "perReplica": 1}]}"#, "scaling.loads[0].series"),
                            (#"{"loads": [{"namespace": "a", "deployment": "b", "series": "x", "perReplica": 0}]}"#, "scaling.loads[0].perReplica"),
                            (#"{"loads": [{"namespace": "a", "series": "x", "perReplica": 1}]}"#, "scaling.loads[0].deployment")] {
            var reader = JSONReader()
            #expect(ScalingPolicy(json: try JSONParser.parse(Array(bad.utf8)), path: "scaling", reader: &reader) == nil)
            #expect(reader.errors.map(\.path) == [path], "\(bad)")
        }
    }
}

@Suite struct ResourceQuantityTests {
    @Test func quantitiesReadAsInManifests() {
        #expect(ResourceQuantity.cpu(2) == "2")
        #expect(ResourceQuantity.cpu(0.38) == "380m")
        #expect(ResourceQuantity.cpu(1.5) == "1500m")
        #expect(ResourceQuantity.memory(4 * 1_073_741_824) == "4Gi")
        #expect(ResourceQuantity.memory(874.2 * 1_048_576) == "875Mi")
        #expect(ResourceQuantity.roundUpCPU(0.3012) == 0.305)
        #expect(ResourceQuantity.roundUpCPU(0.001) == 0.01)
        #expect(ResourceQuantity.roundUpMemory(100) == 16 * 1_048_576)
    }
}

@Suite struct WorkloadRollupTests {
    static func owner(_ pod: String, kind: String, name: String, controller: String = "true", seen: Timestamp = 1) -> InventoryItem {
        InventoryItem(role: .podOwner, labels: Labels(metric: "kube_pod_owner", ["namespace": "shop", "pod": pod, "owner_kind": kind, "owner_name": name, "owner_is_controller": controller]), value: 1, lastSeen: seen)
    }

    static func replicaSet(_ name: String, deployment: String) -> InventoryItem {
        InventoryItem(role: .replicaSetOwner, labels: Labels(metric: "kube_replicaset_owner", ["namespace": "shop", "replicaset": name, "owner_kind": "Deployment", "owner_name": deployment]), value: 1, lastSeen: 1)
    }

    @Test func podsRollUpThroughTheOwnerSeriesNotTheirNames() {
        let rollup = WorkloadRollup([
            Self.owner("web-7d9f8b6c5d-x2k4p", kind: "ReplicaSet", name: "web-7d9f8b6c5d"),
            Self.replicaSet("web-7d9f8b6c5d", deployment: "storefront"),
            // Named like a Deployment's pod, but a StatefulSet's.
            Self.owner("cache-5c8d7f6b9d-a1b2c", kind: "StatefulSet", name: "cache"),
            Self.owner("node-exporter-abcde", kind: "DaemonSet", name: "node-exporter"),
            Self.owner("orphan-rs-pod", kind: "ReplicaSet", name: "orphan-rs"),
            Self.owner("debug", kind: "<none>", name: "<none>"),
        ])
        #expect(rollup.workload(namespace: "shop", pod: "web-7d9f8b6c5d-x2k4p")?.key == "Deployment/shop/storefront")
        #expect(rollup.workload(namespace: "shop", pod: "cache-5c8d7f6b9d-a1b2c")?.key == "StatefulSet/shop/cache")
        #expect(rollup.workload(namespace: "shop", pod: "node-exporter-abcde")?.key == "DaemonSet/shop/node-exporter")
        #expect(rollup.workload(namespace: "shop", pod: "orphan-rs-pod")?.key == "ReplicaSet/shop/orphan-rs")
        #expect(rollup.workload(namespace: "shop", pod: "debug") == nil)
        #expect(rollup.workload(namespace: "shop", pod: "unknown-pod") == nil)
        #expect(rollup.workload(namespace: "other", pod: "web-7d9f8b6c5d-x2k4p") == nil)
    }

    @Test func theControllingOwnerWins() {
        let rollup = WorkloadRollup([
            Self.owner("web-1", kind: "StatefulSet", name: "controller", controller: "true", seen: 1),
            Self.owner("web-1", kind: "StatefulSet", name: "other", controller: "false", seen: 5),
        ])
        #expect(rollup.workload(namespace: "shop", pod: "web-1")?.name == "controller")
    }
}
