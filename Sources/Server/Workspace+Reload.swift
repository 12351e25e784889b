import AIOpsCore
import Pipeline
import Rules
import Snapshots

extension Workspace {
    /// What a reload changed in one workspace.
    struct Reconfiguration: Sendable {
        var planBefore: Plan
        var plan: Plan
        var limitsChanged: Bool
        var rules: RuleChanges
    }

    /// Applies a reloaded configuration of this workspace and the reloaded rules, in place:
    /// plan and limits take effect on the next request (the rate limiter keeps its tokens up
    /// to the new burst; a lowered series limit refuses new series, held ones stay until idle);
    /// each shard's pipeline is rebound to `rules` under its lock (`Pipeline.rebinding`), so
    /// unchanged rules keep their detector state and incidents, new or changed ones start
    /// fresh, and firing incidents of rules that are gone resolve and are notified.
    /// - Complexity: O(series x rules bound) per shard, each shard's lock held meanwhile.
    func reconfigure(_ configuration: WorkspaceConfiguration, rules: RuleSet, now: Timestamp) -> Reconfiguration {
        let limits = configuration.effectiveLimits
        let before = settings.withLock { settings -> Settings in
            defer { settings = Settings(plan: configuration.plan, limits: limits, advice: configuration.adviceSettings) }
            return settings
        }
        if before.advice.scaling.loads != configuration.adviceSettings.scaling.loads {
            for shard in shards { shard.withLock { $0.usage.setLoads(configuration.adviceSettings.scaling.loads) } }
        }
        if before.limits != limits {
            bucket.withLock { $0.reconfigure(rate: limits.samplesPerSecond, burst: limits.burstSamples, now: now) }
        }
        var changes = RuleChanges(previous: RuleIdentity.of(self.rules), current: rules.rules + [RuleSet.autoRule])
        let types = metricTypes.withLock { $0 }
        let perShard = Self.seriesPerShard(limits, shards: shards.count)
        for shard in shards {
            let summary = shard.replace { old -> (Pipeline, Pipeline.RebindSummary) in
                var configuration = old.configuration
                configuration.maxSeries = perShard
                let (pipeline, summary) = Pipeline.rebinding(old, to: rules, configuration: configuration, typeOf: { types.type(ofSeries: $0) }, at: now)
                // Under the lock, as every incident event is, so a snapshot's notification log matches.
                for incident in summary.resolved { pipeline.sink?.handle(.resolved(incident)) }
                return (pipeline, summary)
            }
            changes.bindings.add(summary)
        }
        return Reconfiguration(planBefore: before.plan, plan: configuration.plan, limitsChanged: before.limits != limits, rules: changes)
    }
}
