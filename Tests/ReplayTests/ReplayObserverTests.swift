import AIOpsCore
import Fixtures
import Pipeline
import Rules
import Store
import Testing
@testable import Replay

@Suite struct ReplayObserverTests {
    final class Counter: ReplayObserver {
        var samples = 0
        var finished = 0
        var lastTimestamp: Timestamp = .min
        var seriesAtEnd = 0

        func observe(_ sample: FixtureSample, ref: SeriesRef, outcome: SampleOutcome, pipeline: Pipeline) {
            samples += 1
            #expect(sample.timestamp >= lastTimestamp, "samples arrive in event-time order")
            lastTimestamp = sample.timestamp
            #expect(pipeline.store.newestTimestamp(ref) == sample.timestamp, "the pipeline has taken the sample")
        }

        func finish(pipeline: Pipeline, refs: [SeriesRef?]) {
            finished += 1
            seriesAtEnd = pipeline.store.seriesCount
            #expect(refs.count == 2)
        }
    }

    /// The observer sees every sample after the pipeline took it, then the pipeline once.
    @Test func observerSeesEverySampleThenTheEnd() {
        let series = (0..<2).map { index in
            FixtureSeries(labels: Labels(metric: "m\(index)"), timestamps: (0..<10).map { Timestamp($0 * 60_000 + index) }, values: (0..<10).map(Double.init))
        }
        let counter = Counter()
        let result = Replayer(rules: RuleSet(rules: [])).replay(series: series, name: "test", observer: counter)
        #expect(counter.samples == 20 && result.samples == 20)
        #expect(counter.finished == 1 && counter.seriesAtEnd == 2)
    }
}
