import AIOpsCore
/// IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`) for the `Date` response header, rendered
/// once per second per loop into `Date: ...\r\n` bytes.
struct HTTPDate {
    private(set) var headerLine: [UInt8] = []
    private var second: Int64 = .min

    /// Re-renders when `unixSeconds` changed. - Complexity: O(1), no allocation after the first.
    mutating func update(unixSeconds: Int64) {
        guard unixSeconds != second else { return }
        second = unixSeconds
        headerLine.removeAll(keepingCapacity: true)
        headerLine.append(contentsOf: "Date: ".utf8)
        HTTPDate.format(unixSeconds, into: &headerLine)
        headerLine.append(contentsOf: "\r\n".utf8)
    }

    static func format(_ unixSeconds: Int64, into out: inout [UInt8]) {
        let days = unixSeconds >= 0 ? unixSeconds / 86400 : (unixSeconds - 86399) / 86400
        let secs = unixSeconds - days * 86400
        let weekdays = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"]  // 1970-01-01 was a Thursday
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        let wd = Int(((days % 7) + 7) % 7)
        let (y, m, d) = TimeFormat.civil(fromDays: days)
        out.append(contentsOf: weekdays[wd].utf8)
        out.append(contentsOf: ", ".utf8)
        two(d, &out)
        out.append(0x20)
        out.append(contentsOf: months[Int(m - 1)].utf8)
        out.append(0x20)
        two(y / 100, &out)
        two(y % 100, &out)
        out.append(0x20)
        two(secs / 3600, &out)
        out.append(0x3A)
        two(secs / 60 % 60, &out)
        out.append(0x3A)
        two(secs % 60, &out)
        out.append(contentsOf: " GMT".utf8)
    }

    private static func two(_ v: Int64, _ out: inout [UInt8]) {
        out.append(UInt8(0x30 + v / 10 % 10))
        out.append(UInt8(0x30 + v % 10))
    }
}
