/// Links to a rule's own page in `aiops`' web view: where the default rules' runbook links
/// will point once that view exists, instead of a made-up documentation site.
///
/// The hook is here so that reports need no change when it lands: `SlackReportBuilder`
/// links a rule that has no `runbook` of its own to `url(rule:externalURL:)`, which is nil
/// (no link at all) until an external URL is configured.
public enum RulePage {
    /// `<externalURL>/rules/<rule>` (the name percent-encoded), or nil when `externalURL` is
    /// nil or empty: without the URL people reach `aiops` at, there is nothing to link to.
    public static func url(rule: String, externalURL: String?) -> String? {
        guard var base = externalURL, !base.isEmpty else { return nil }
        while base.hasSuffix("/") { base.removeLast() }
        var name = ""
        for byte in rule.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "~"):
                name.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                name += "%" + (byte < 16 ? "0" : "") + String(byte, radix: 16, uppercase: true)
            }
        }
        return base + "/rules/" + name
    }
}
