extension Labels {
    /// The label set under which something derived from this series is shown to other tools
    /// (alerts sent to Alertmanager, silences, scores as series), the same way everywhere:
    /// - the series' metric name becomes the label `metric` (the derived thing has a name of
    ///   its own: `aiops_anomaly_score`, or an alert's `alertname`);
    /// - `added` labels win; a series label of the same name is kept as `exported_<name>`, as
    ///   Prometheus renames a target's clashing labels;
    /// - a label name outside `[a-zA-Z_][a-zA-Z0-9_]*` (UTF-8 names of Prometheus 3) has every
    ///   other character replaced by `_`, so Alertmanager and the text format accept it.
    /// - Complexity: O(labels); allocates the new set. Not for per-sample paths.
    public func exported(adding added: [(name: String, value: String)]) -> Labels {
        Labels(exportedList(adding: added))
    }

    /// `exported(adding:)` as a list sorted by name, without computing the set's hash (for
    /// writers that only print it).
    public func exportedList(adding added: [(name: String, value: String)]) -> [Label] {
        var out: [Label] = []
        out.reserveCapacity(labels.count + added.count + 1)
        var taken = Set(added.map(\.name))
        var series: [(String, String)] = []
        for label in labels {
            let name = label.name == Labels.metricNameLabel ? "metric" : Labels.sanitizedName(label.name)
            series.append((name, label.value))
        }
        for (name, value) in added { out.append(Label(name, value)) }
        for (name, value) in series {
            var final = name
            while taken.contains(final) { final = "exported_" + final }
            taken.insert(final)
            out.append(Label(final, value))
        }
        out.sort()
        return out
    }

    /// `name` with every character outside `[a-zA-Z0-9_]` (and a leading digit) replaced by `_`.
    public static func sanitizedName(_ name: String) -> String {
        var bytes = Array(name.utf8)
        var changed = bytes.isEmpty
        if bytes.isEmpty { bytes = [UInt8(ascii: "_")] }
        for index in bytes.indices {
            let byte = bytes[index]
            let letter = (byte >= 97 && byte <= 122) || (byte >= 65 && byte <= 90) || byte == 95
            let digit = byte >= 48 && byte <= 57
            if !(letter || (digit && index > 0)) {
                bytes[index] = UInt8(ascii: "_")
                changed = true
            }
        }
        return changed ? String(decoding: bytes, as: UTF8.self) : name
    }
}
