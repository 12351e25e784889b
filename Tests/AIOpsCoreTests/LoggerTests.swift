import AIOpsCore
import Foundation
import Synchronization
import Testing

@Suite struct LoggerTests {
    final class Lines: Sendable {
        let all = Mutex<[String]>([])
        var write: @Sendable (String) -> Void { { line in self.all.withLock { $0.append(line) } } }
    }

    @Test func logfmtLinesCarryTimestampLevelComponentAndQuotedValues() {
        let lines = Lines()
        let clock = ManualClock(1_772_366_400_000)  // 2026-03-01T12:00:00Z
        let logger = Logger(clock: clock, write: lines.write).with(component: "snapshot")
        logger.info("workspace team-a: loaded 3 series", ["workspace": "team-a"])
        clock.advance(by: 42)
        logger.warn("say \"hi\"\nnext")
        #expect(lines.all.withLock { $0 } == [
            #"ts=2026-03-01T12:00:00.000Z level=info component=snapshot msg="workspace team-a: loaded 3 series" workspace=team-a"#,
            #"ts=2026-03-01T12:00:00.042Z level=warn component=snapshot msg="say \"hi\"\nnext""#,
        ])
    }

    @Test func jsonLinesAreObjectsWithTheSameFields() throws {
        let lines = Lines()
        let logger = Logger(format: .json, clock: ManualClock(1_772_366_400_000), write: lines.write).with(component: "reload")
        logger.error("refused: a \"b\"\tc")
        let line = try #require(lines.all.withLock { $0.first })
        #expect(line == #"{"ts":"2026-03-01T12:00:00.000Z","level":"error","component":"reload","msg":"refused: a \"b\"\tc"}"#)
        let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: String]
        #expect(object?["msg"] == "refused: a \"b\"\tc")
        #expect(object?["level"] == "error")
    }

    @Test func linesBelowTheLevelAreDropped() {
        let lines = Lines()
        let logger = Logger(level: .warn, clock: ManualClock(0), write: lines.write)
        logger.debug("d")
        logger.info("i")
        logger.warn("w")
        logger.error("e")
        #expect(lines.all.withLock { $0.map { $0.components(separatedBy: " level=")[1].prefix(4) } } == ["warn", "erro"])
        #expect(Logger.Level(name: "warn") == .warn)
        #expect(Logger.Level(name: "warning") == nil)
    }

    @Test func messagesLoggerPassesTheBareText() {
        let lines = Lines()
        Logger(messages: lines.write).with(component: "x").debug("just this")
        #expect(lines.all.withLock { $0 } == ["just this"])
    }
}
