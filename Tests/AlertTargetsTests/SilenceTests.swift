import AIOpsCore
import Delivery
import Foundation
import Incidents
import Synchronization
import Testing
@testable import AlertTargets

@Suite struct SilenceMatcherTests {
    static func labels(_ pairs: [String: String]) -> Labels { Labels(dictionary: pairs) }

    @Test func textSyntaxWithAndWithoutBraces() throws {
        let matchers = try SilenceMatcher.parse(#"{alertname="queue-spike", instance=~"a.*", severity!="info", queue!~"tmp|test"}"#)
        #expect(matchers.map(\.description) == [#"alertname="queue-spike""#, #"instance=~"a.*""#, #"severity!="info""#, #"queue!~"tmp|test""#])
        #expect(matchers.map(\.isRegex) == [false, true, false, true])
        #expect(matchers.map(\.isEqual) == [true, true, false, false])
        let bare = try SilenceMatcher.parse(#"alertname="x""#)
        #expect(bare.count == 1 && bare[0].matches(Self.labels(["alertname": "x"])))
    }

    @Test func regexesAreFullyAnchoredAndAbsentLabelsAreEmpty() throws {
        let matcher = try SilenceMatcher(name: "instance", value: "a.*", isRegex: true, isEqual: true)
        #expect(matcher.matches(Self.labels(["instance": "abc"])))
        #expect(!matcher.matches(Self.labels(["instance": "xabc"])))
        let absent = try SilenceMatcher(name: "team", value: "", isRegex: false, isEqual: true)
        #expect(absent.matches(Self.labels(["instance": "a"])))
    }

    @Test func metricNameMeansTheMetricLabel() throws {
        let matchers = try SilenceMatcher.parse(#"queue_depth{queue="payments"}"#)
        #expect(matchers.map(\.description) == [#"metric="queue_depth""#, #"queue="payments""#])
        let json = try SilenceMatcher(name: "__name__", value: "queue_depth", isRegex: false, isEqual: true)
        #expect(json.name == "metric")
    }

    @Test(arguments: [
        (#"{alertname=~".*"}"#, "at least one matcher that does not match the empty string"),
        (#"{alertname="x""#, "column"),
        (#"{alertname=~"("}"#, "invalid regular expression"),
        (#"{alertname=x}"#, "quoted string"),
    ])
    func badTextSaysWhy(text: String, expected: String) {
        do {
            _ = try SilenceMatcher.parse(text)
            Issue.record("\(text) was accepted")
        } catch {
            #expect(error.description.contains(expected), "\(error.description)")
        }
    }
}

@Suite struct SilenceRequestTests {
    static let now: Timestamp = 1_800_000_000_000

    static func decode(_ json: String) throws(SilenceError) -> SilenceRequest {
        try SilenceJSON.decodeRequest(Array(json.utf8), now: now)
    }

    @Test func alertmanagerShapeAndTextShape() throws {
        let api = try Self.decode("""
            {"matchers": [{"name": "alertname", "value": "queue-spike", "isRegex": false, "isEqual": true},
                          {"name": "queue", "value": "pay.*", "isRegex": true}],
             "startsAt": "2027-01-15T08:00:00Z", "endsAt": "2027-01-15T10:00:00Z", "createdBy": "ana", "comment": "fixing it"}
            """)
        #expect(api.matchers.map(\.description) == [#"alertname="queue-spike""#, #"queue=~"pay.*""#])
        #expect(api.startsAt == TimeFormat.parse("2027-01-15T08:00:00Z"))
        #expect(api.endsAt == TimeFormat.parse("2027-01-15T10:00:00Z"))
        #expect(api.createdBy == "ana" && api.comment == "fixing it" && api.id == nil)
        let text = try Self.decode(#"{"matchers": "{alertname=\"x\"}", "duration": "2h", "createdBy": "ana", "comment": "c"}"#)
        #expect(text.startsAt == nil && text.endsAt == Self.now + 7_200_000)
    }

    @Test(arguments: [
        (#"{"duration": "2h", "createdBy": "a", "comment": "c"}"#, "matchers is required"),
        (#"{"matchers": "{a=\"b\"}", "createdBy": "a", "comment": "c"}"#, "endsAt (an RFC 3339 time) or duration"),
        (#"{"matchers": "{a=\"b\"}", "duration": "2h", "comment": "c"}"#, "createdBy is required"),
        (#"{"matchers": "{a=\"b\"}", "duration": "2h", "createdBy": "a"}"#, "comment is required"),
        (#"{"matchers": "{a=\"b\"}", "endsAt": "tomorrow", "createdBy": "a", "comment": "c"}"#, "endsAt: expected an RFC 3339 time"),
        (#"{"matchers": "{a=\"b\"}", "duration": "2h", "createdBy": "a", "comment": "c", "endAt": "x"}"#, "unknown key \"endAt\""),
        (#"{"matchers": [{"name": "a", "value": "", "isRegex": false}], "duration": "2h", "createdBy": "a", "comment": "c"}"#, "must not match the empty string"),
        (#"{"matchers": [{"name": "a", "value": "b", "isRegex": 1}], "duration": "2h", "createdBy": "a", "comment": "c"}"#, "matchers[0].isRegex: expected true or false"),
        (#"{"matchers": [{"name": "a-b", "value": "b", "isRegex": false}], "duration": "2h", "createdBy": "a", "comment": "c"}"#, "is not a label name"),
        ("[1]", "not a JSON object"),
    ])
    func badRequestsSayWhy(json: String, expected: String) {
        do {
            _ = try Self.decode(json)
            Issue.record("accepted: \(json)")
        } catch {
            #expect(error.httpStatus == 400)
            #expect(error.description.contains(expected), "\(error.description)")
        }
    }
}

@Suite struct SilenceStoreTests {
    static let now: Timestamp = 1_800_000_000_000

    static func request(_ matchers: String, startsAt: Timestamp? = nil, endsAt: Timestamp = now + 3_600_000) throws -> SilenceRequest {
        SilenceRequest(matchers: try SilenceMatcher.parse(matchers), startsAt: startsAt, endsAt: endsAt, createdBy: "ana", comment: "testing")
    }

    static func batch(_ kind: NotificationKind, _ incidents: [Incident]) -> NotificationBatch {
        NotificationBatch(workspace: "team-a", rule: "queue-spike", kind: kind, incidents: incidents, firingCount: incidents.count, decidedAt: now)
    }

    @Test func statesTimesAndExpiry() throws {
        let store = SilenceStore(workspace: "team-a", dataDirectory: nil, now: Self.now)
        let active = try store.create(Self.request(#"{queue="payments"}"#), now: Self.now)
        let pending = try store.create(Self.request(#"{queue="orders"}"#, startsAt: Self.now + 60_000), now: Self.now)
        #expect(store.counts(now: Self.now) == [.active: 1, .pending: 1, .expired: 0])
        #expect(throws: SilenceError.invalid("endsAt 2027-01-15T07:59:59Z is not in the future")) {
            try store.create(Self.request(#"{a="b"}"#, endsAt: Self.now - 1_000), now: Self.now)
        }
        #expect(throws: SilenceError.notFound(id: "nope")) { try store.expire(id: "nope", now: Self.now) }
        try store.expire(id: active, now: Self.now + 1_000)
        try store.expire(id: pending, now: Self.now + 1_000)
        #expect(store.silence(id: pending)?.startsAt == Self.now + 1_000)
        #expect(store.counts(now: Self.now + 1_000) == [.active: 0, .pending: 0, .expired: 2])
        #expect(throws: SilenceError.self) { try store.expire(id: active, now: Self.now + 2_000) }
        // Kept 120h after they ended, then dropped.
        #expect(store.list(now: Self.now + 1_000 + 120 * 3_600_000 - 1).count == 2)
        #expect(store.list(now: Self.now + 1_000 + 120 * 3_600_000).isEmpty)
    }

    @Test func updateKeepsTheIdAndLimitsCountLiveOnes() throws {
        let store = SilenceStore(workspace: "team-a", dataDirectory: nil, settings: .init(maxSilences: 1), now: Self.now)
        let id = try store.create(Self.request(#"{queue="payments"}"#), now: Self.now)
        #expect(throws: SilenceError.tooMany(limit: 1)) { try store.create(Self.request(#"{queue="b"}"#), now: Self.now) }
        var update = try Self.request(#"{queue="orders"}"#, endsAt: Self.now + 7_200_000)
        update.id = id
        #expect(try store.create(update, now: Self.now + 10) == id)
        #expect(store.silence(id: id)?.matcherText == #"{queue="orders"}"#)
        #expect(store.silence(id: id)?.startsAt == Self.now, "an update without startsAt keeps the silence's")
        try store.expire(id: id, now: Self.now + 20)
        _ = try store.create(Self.request(#"{queue="b"}"#), now: Self.now + 30)
    }

    @Test func mutesMatchingIncidentsAndTheirResolutions() throws {
        let store = SilenceStore(workspace: "team-a", dataDirectory: nil, now: Self.now)
        _ = try store.create(Self.request(#"{alertname="queue-spike", queue=~"pay.*", workspace="team-a", metric="queue_depth"}"#), now: Self.now)
        let payments = makeIncident(queue: "payments")
        let orders = makeIncident(queue: "orders")
        let admitted = store.admit(Self.batch(.firing, [payments, orders]), now: Self.now)
        #expect(admitted?.incidents.map(\.id) == [orders.id])
        #expect(store.admit(Self.batch(.reminder, [payments]), now: Self.now) == nil)
        // Resolved while silenced: not told.
        #expect(store.admit(Self.batch(.resolved, [makeIncident(queue: "payments", phase: .resolved, end: Self.now)]), now: Self.now) == nil)
        #expect(store.mutedCount == 3)
        // After the silence: a new firing goes through, and so does its resolution.
        let later = Self.now + 3_600_000
        #expect(store.admit(Self.batch(.firing, [payments]), now: later)?.incidents.count == 1)
        #expect(store.admit(Self.batch(.resolved, [makeIncident(queue: "payments", phase: .resolved, end: later)]), now: later)?.incidents.count == 1)
    }

    @Test func theResolutionOfAnIncidentNobodyHeardOfIsNotTold() throws {
        let store = SilenceStore(workspace: "team-a", dataDirectory: nil, now: Self.now)
        let id = try store.create(Self.request(#"{queue="payments"}"#), now: Self.now)
        #expect(store.admit(Self.batch(.firing, [makeIncident()]), now: Self.now) == nil)
        try store.expire(id: id, now: Self.now + 10)
        #expect(store.admit(Self.batch(.resolved, [makeIncident(phase: .resolved, end: Self.now + 20)]), now: Self.now + 20) == nil)
    }

    @Test func keptAcrossRestartsAndADamagedFileIsMovedAside() throws {
        let data = NSTemporaryDirectory() + "aiops-silences-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: data) }
        let first = SilenceStore(workspace: "team-a", dataDirectory: data, now: Self.now)
        let id = try first.create(Self.request(#"{queue="payments", instance=~"a.*"}"#), now: Self.now)
        let path = data + "/team-a/silences.json"
        #expect(FileManager.default.fileExists(atPath: path))
        let second = SilenceStore(workspace: "team-a", dataDirectory: data, now: Self.now + 1)
        let loaded = try #require(second.silence(id: id))
        #expect(loaded.matcherText == #"{queue="payments", instance=~"a.*"}"#)
        #expect(loaded.endsAt == Self.now + 3_600_000 && loaded.createdBy == "ana" && loaded.comment == "testing")
        #expect(second.muting(AlertLabels.labels(of: makeIncident(extra: ["instance": "abc"]), workspace: "team-a"), now: Self.now + 1) == [id])

        try "{not json".write(toFile: path, atomically: true, encoding: .utf8)
        let logged = LockedLines()
        let third = SilenceStore(workspace: "team-a", dataDirectory: data, now: Self.now + 2, log: DeliveryLog { logged.append($0) })
        #expect(third.list(now: Self.now + 2).isEmpty)
        #expect(logged.lines.first?.contains("unreadable") == true, "\(logged.lines)")
        #expect(FileManager.default.fileExists(atPath: path + ".damaged-\(Self.now + 2)"))
    }

    @Test func aFailedWriteChangesNothing() throws {
        let file = NSTemporaryDirectory() + "aiops-silences-file-\(UUID().uuidString)"
        try "x".write(toFile: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: file) }
        // The data directory is a plain file: the workspace folder cannot be made.
        let store = SilenceStore(workspace: "team-a", dataDirectory: file, now: Self.now)
        #expect(throws: SilenceError.self) { try store.create(Self.request(#"{queue="x"}"#), now: Self.now) }
        #expect(store.list(now: Self.now).isEmpty)
    }
}

final class LockedLines: Sendable {
    private let storage = Mutex<[String]>([])
    func append(_ line: String) { storage.withLock { $0.append(line) } }
    var lines: [String] { storage.withLock { $0 } }
}
