import AIOpsCore

/// Links to a rule's entry on the web view's rules page (`aiops serve`'s `/rules`): what a
/// rule without a `runbook` of its own links to, instead of a made-up documentation site.
///
/// `SlackReportBuilder` and `TextReportRenderer` link a rule that has no `runbook` of its own
/// to `url(rule:externalURL:)`, which is nil (no link at all) without an external URL.
public enum RulePage {
    /// `<externalURL>/rules#rule-<rule>` (the name percent-encoded), or nil when
    /// `externalURL` is nil or empty: without the URL people reach `aiops` at, there is
    /// nothing to link to.
    public static func url(rule: String, externalURL: String?) -> String? {
        guard let base = WebLink.base(externalURL) else { return nil }
        return base + "/rules#rule-" + PercentEncoding.encode(rule)
    }
}

/// Links to an incident's page in the web view (`/incidents/<id>`): every report links its
/// incident there when `--external-url` is set.
public enum IncidentLink {
    /// `<externalURL>/incidents/<id>` (the id percent-encoded), or nil without an external URL.
    public static func url(id: String, externalURL: String?) -> String? {
        guard let base = WebLink.base(externalURL) else { return nil }
        return base + "/incidents/" + PercentEncoding.encode(id)
    }
}

enum WebLink {
    /// The external URL without trailing slashes; nil when nil or empty.
    static func base(_ externalURL: String?) -> String? {
        guard var base = externalURL, !base.isEmpty else { return nil }
        while base.hasSuffix("/") { base.removeLast() }
        return base.isEmpty ? nil : base
    }
}
