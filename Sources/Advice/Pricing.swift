import Foundation

/// What compute costs, for the monthly saving of a recommendation: a price per core-hour of
/// requested CPU and per GiB-hour of requested memory, as Kubecost and OpenCost price
/// requests.
///
/// The defaults are Kubecost's default custom prices ($0.031611 per core-hour, $0.004237 per
/// GiB-hour), which are Google Cloud's on-demand list prices for N1/N2 vCPU and memory in
/// us-central1: a saving reads the same as in the tools users already have, and sits between
/// cheaper committed or spot capacity and dearer serverless pods (EKS Fargate lists about
/// $0.040 per vCPU-hour). A workspace sets its own in `pricing`.
public struct Pricing: Sendable, Equatable {
    /// Price of one core requested for one hour.
    public var coreHour: Double
    /// Price of one GiB (2^30 bytes) requested for one hour.
    public var gibHour: Double
    /// Shown next to amounts; does not convert anything.
    public var currency: String

    /// Kubecost's defaults (GCP on-demand N1/N2 list prices, us-central1), in USD.
    public static let `default` = Pricing(coreHour: 0.031611, gibHour: 0.004237, currency: "USD")

    /// Hours in an average month (365 × 24 / 12), as cloud price sheets count them.
    public static let hoursPerMonth = 730.0

    public init(coreHour: Double, gibHour: Double, currency: String = "USD") {
        self.coreHour = coreHour
        self.gibHour = gibHour
        self.currency = currency
    }

    /// Monthly cost of requesting `cores` and `bytes` around the clock.
    public func monthly(cores: Double, bytes: Double) -> Double {
        (cores * coreHour + bytes / 1_073_741_824 * gibHour) * Self.hoursPerMonth
    }

    /// `$141.20` (or `141.20 EUR` for another currency).
    public func format(_ amount: Double) -> String {
        let rounded = (amount * 100).rounded() / 100
        let text = Self.twoDecimals(rounded)
        return currency == "USD" ? "$" + text : text + " " + currency
    }

    /// A unit price with the digits it was given: `$0.031611`.
    public func formatUnit(_ price: Double) -> String {
        var text = String(format: "%.6f", price)
        while text.hasSuffix("0") && !text.hasSuffix(".00") { text.removeLast() }
        return currency == "USD" ? "$" + text : text + " " + currency
    }

    static func twoDecimals(_ value: Double) -> String {
        let cents = Int64((abs(value) * 100).rounded())
        let sign = value < 0 && cents > 0 ? "-" : ""
        var whole = String(cents / 100)
        // Thousands separators: 1,234.50
        var grouped = ""
        while whole.count > 3 {
            grouped = "," + whole.suffix(3) + grouped
            whole = String(whole.dropLast(3))
        }
        let fraction = cents % 100
        return sign + whole + grouped + "." + (fraction < 10 ? "0" : "") + String(fraction)
    }
}
