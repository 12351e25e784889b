/// Neumaier's compensated sum: the running corpus total over ~10^5 additions stays exact to
/// about one ulp, so two thresholds whose totals differ only in the last digits compare right.
struct NeumaierSum {
    private var sum: Double
    private var compensation = 0.0

    init(_ initial: Double) { sum = initial }

    var value: Double { sum + compensation }

    mutating func add(_ x: Double) {
        let t = sum + x
        if abs(sum) >= abs(x) {
            compensation += (sum - t) + x
        } else {
            compensation += (x - t) + sum
        }
        sum = t
    }
}
