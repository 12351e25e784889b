import AIOpsCore
import Incidents
import Rules
import Testing
@testable import Reports

/// Every limit of Slack's and the message budget, asserted on a built message.
func expectWithinSlackLimits(_ message: SlackMessage, sourceLocation: SourceLocation = #_sourceLocation) {
    func fits(_ text: String, _ limit: Int) -> Bool {
        !text.isEmpty && text.count <= limit && text.unicodeScalars.count <= limit && text.utf16.count <= limit
    }
    #expect(!message.text.isEmpty, sourceLocation: sourceLocation)
    #expect(message.blocks.count <= 50, sourceLocation: sourceLocation)
    for block in message.blocks {
        switch block {
        case .header(let text):
            #expect(text.type == .plainText, sourceLocation: sourceLocation)
            #expect(fits(text.text, 150), "header \(text.text.count)", sourceLocation: sourceLocation)
        case .section(let text, let fields):
            #expect(text != nil || fields != nil, sourceLocation: sourceLocation)
            if let text { #expect(fits(text.text, 3000), "section \(text.text.count)", sourceLocation: sourceLocation) }
            if let fields {
                #expect(!fields.isEmpty && fields.count <= 10, sourceLocation: sourceLocation)
                for field in fields { #expect(fits(field.text, 2000), "field \(field.text.count)", sourceLocation: sourceLocation) }
            }
        case .context(let elements):
            #expect(!elements.isEmpty && elements.count <= 10, sourceLocation: sourceLocation)
            for element in elements { #expect(fits(element.text, 3000), sourceLocation: sourceLocation) }
        case .divider:
            break
        }
    }
    for text in message.textObjects where text.type == .mrkdwn {
        #expect(hasOnlyWholeEntities(text.text), sourceLocation: sourceLocation)
    }
    #expect(message.characterCount <= 10_000, "total \(message.characterCount)", sourceLocation: sourceLocation)
    let json = (try? message.jsonString()) ?? ""
    #expect(json.count < 12_000, "json \(json.count)", sourceLocation: sourceLocation)
}

@Suite struct SlackLimitsTests {
    let builder = SlackReportBuilder()
    static let huge = String(repeating: "x<", count: 5_000)  // 10,000 characters, escapes to 25,000

    func resolvedCopy(_ incident: Incident) -> Incident {
        var copy = incident
        copy.phase = .resolved
        copy.end = TestIncidents.now
        copy.resolution = "normal again"
        return copy
    }

    @Test func tenThousandCharacterLabelValueIsCutVisibly() {
        let incident = TestIncidents.leak(pod: Self.huge)
        let message = builder.firing(incident, workspace: "w", now: TestIncidents.now)
        expectWithinSlackLimits(message)
        let podField = message.textObjects.first { $0.text.hasPrefix("*pod*\n") }
        #expect(podField?.text.hasSuffix("…") == true)
        #expect(message.text.hasSuffix("…"))
        expectWithinSlackLimits(builder.resolved(resolvedCopy(incident), workspace: "w", now: TestIncidents.now))
        let group = (0..<3).map { TestIncidents.leak(pod: "\($0)" + Self.huge) }
        expectWithinSlackLimits(builder.grouped(group, workspace: "w", now: TestIncidents.now))
    }

    @Test func twoHundredLabelsListWhatFits() throws {
        var incident = TestIncidents.leak()
        incident.labels = Labels(incident.labels.labels + (0..<200).map { Label(String(format: "label_%03d", $0), String(repeating: "v", count: 40)) })
        let message = builder.firing(incident, workspace: "w", now: TestIncidents.now)
        expectWithinSlackLimits(message)
        let other = try #require(message.textObjects.first { $0.text.hasPrefix("Labels: ") }?.text)
        // `Labels: label_000=v…, label_001=v…, …and N more`
        let parts = other.dropFirst("Labels: ".count).components(separatedBy: ", ")
        let last = try #require(parts.last)
        #expect(last.hasPrefix("…and ") && last.hasSuffix(" more"))
        let more = try #require(Int(last.dropFirst(5).prefix { $0.isNumber }))
        #expect(parts.dropLast().allSatisfy { $0.hasPrefix("label_") })
        // The labels shown and the count of the rest add up to all 201 non-key labels.
        #expect(parts.count - 1 + more == 201)
        #expect(more > 0)
        expectWithinSlackLimits(builder.resolved(resolvedCopy(incident), workspace: "w", now: TestIncidents.now))
    }

    @Test func groupOfFiveHundredListsWhatFitsAndCountsTheRest() throws {
        let group = (0..<500).map { TestIncidents.leak(pod: String(format: "api-%03d", $0), peakScore: 0.5 + Double($0) / 1000) }
        let message = builder.grouped(group, workspace: "w", now: TestIncidents.now)
        expectWithinSlackLimits(message)
        let lines = message.textObjects.flatMap { $0.text.split(separator: "\n") }.filter { $0.hasPrefix("• ") }
        let moreText = try #require(message.textObjects.first { $0.text.hasPrefix("…and ") }?.text)
        #expect(moreText.hasSuffix(" more series"))
        let more = try #require(Int(moreText.dropFirst(5).prefix { $0.isNumber }))
        #expect(lines.count > 10)
        #expect(lines.count + more == 500)
        // Highest score first.
        #expect(lines.first?.contains("pod=api-499") == true)
        #expect(message.text.hasPrefix("CRITICAL: container-memory-leak — 500 series: "))
    }

    @Test func blockLimitBindsBeforeTheBudgetWhenItIsLower() throws {
        let limits = SlackLimits(maxBlocks: 8, messageBudget: 1_000_000)
        let group = (0..<500).map { TestIncidents.leak(pod: String(format: "api-%03d", $0)) }
        let message = SlackReportBuilder(limits: limits).grouped(group, workspace: "w", now: TestIncidents.now)
        #expect(message.blocks.count <= 8)
        let lines = message.textObjects.flatMap { $0.text.split(separator: "\n") }.filter { $0.hasPrefix("• ") }
        let moreText = try #require(message.textObjects.first { $0.text.hasPrefix("…and ") }?.text)
        let more = try #require(Int(moreText.dropFirst(5).prefix { $0.isNumber }))
        #expect(lines.count + more == 500)
        for text in message.textObjects { #expect(text.text.count <= 3000) }
    }

    @Test func hundredStepsListWhatFits() throws {
        var incident = TestIncidents.leak()
        incident.advice.steps = (1...100).map { "Step \($0): check the thing that might be leaking in this container & its sidecars." }
        let message = builder.firing(incident, workspace: "w", now: TestIncidents.now)
        expectWithinSlackLimits(message)
        let steps = try #require(message.textObjects.first { $0.text.hasPrefix("*What to do*") }?.text)
        let numbered = steps.split(separator: "\n").filter { $0.first?.isNumber == true }
        let last = try #require(steps.split(separator: "\n").last)
        #expect(last.hasPrefix("…and ") && last.hasSuffix(" more steps"))
        let more = try #require(Int(last.dropFirst(5).prefix { $0.isNumber }))
        #expect(numbered.count + more == 100)
        #expect(numbered.first == "1. Step 1: check the thing that might be leaking in this container &amp; its sidecars.")
        var group = (0..<3).map { TestIncidents.leak(pod: "p\($0)") }
        for index in group.indices { group[index].advice.steps = incident.advice.steps }
        expectWithinSlackLimits(builder.grouped(group, workspace: "w", now: TestIncidents.now))
    }

    @Test func everythingHugeAtOnceStillFits() {
        var incident = TestIncidents.leak(pod: Self.huge)
        incident.rule = Self.huge
        incident.id = Self.huge
        incident.labels = Labels(incident.labels.labels.map { Label($0.name, Self.huge) }
            + (0..<200).map { Label("l\($0)", Self.huge) })
        incident.advice = RenderedAdvice(summary: Self.huge, steps: Array(repeating: Self.huge, count: 100), runbookURL: "https://x.example/" + String(repeating: "a", count: 10_000))
        incident.recentValues = (0..<5000).map { Double($0 % 97) }
        incident.recentTimestamps = (0..<5000).map { TestIncidents.now - Int64(5000 - $0) * 1000 }
        let message = builder.firing(incident, workspace: Self.huge, now: TestIncidents.now)
        expectWithinSlackLimits(message)
        expectWithinSlackLimits(builder.resolved(resolvedCopy(incident), workspace: Self.huge, now: TestIncidents.now))
        // Few copies: each label set of 2 MB takes a while to hash in a debug build.
        let group = (0..<4).map { index -> Incident in
            var copy = incident
            copy.labels = copy.labels.setting("pod", to: "\(index)" + Self.huge)
            return copy
        }
        expectWithinSlackLimits(builder.grouped(group, workspace: Self.huge, now: TestIncidents.now))
    }

    @Test func headerKeepsTheSeriesCountWhenTheRuleNameIsCut() throws {
        var group = (0..<3).map { TestIncidents.leak(pod: "p\($0)") }
        for index in group.indices { group[index].rule = String(repeating: "r", count: 300) }
        let message = builder.grouped(group, workspace: "w", now: TestIncidents.now)
        guard case .header(let header) = message.blocks.first else { Issue.record("no header"); return }
        #expect(header.text.count == 150)
        #expect(header.text.hasSuffix("… (3 series)"))
    }

    @Test func fieldsAreSplitIntoSectionsOfTheLimit() {
        let builder = SlackReportBuilder(limits: SlackLimits(maxFieldsPerSection: 2))
        let message = builder.firing(TestIncidents.leak(), workspace: "w", now: TestIncidents.now)
        for case .section(_, let fields?) in message.blocks { #expect(fields.count <= 2) }
        let fieldCount = message.blocks.reduce(0) { count, block in
            if case .section(_, let fields?) = block { return count + fields.count }
            return count
        }
        #expect(fieldCount == 11, "5 of the series, 6 of its state (Since and Fired apart)")
    }
}
