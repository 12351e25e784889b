/// Kubernetes resource quantities as people write them in manifests: CPU in cores or
/// millicores (`2`, `380m`), memory in binary units (`875Mi`, `4Gi`).
public enum ResourceQuantity {
    public static let mebibyte = 1_048_576.0
    public static let gibibyte = 1_073_741_824.0

    /// `380m` below a core or when not whole, `2` for whole cores.
    public static func cpu(_ cores: Double) -> String {
        let millicores = Int64((cores * 1000).rounded())
        if millicores % 1000 == 0 && millicores > 0 { return String(millicores / 1000) }
        return String(millicores) + "m"
    }

    /// `4Gi` for whole GiB, else `875Mi` (rounded up to a whole MiB).
    public static func memory(_ bytes: Double) -> String {
        let mebibytes = Int64((bytes / mebibyte).rounded(.up))
        if mebibytes % 1024 == 0 && mebibytes > 0 { return String(mebibytes / 1024) + "Gi" }
        return String(mebibytes) + "Mi"
    }

    /// CPU rounded up to a multiple of 5 millicores, at least 10m: requests finer than that
    /// only look precise.
    public static func roundUpCPU(_ cores: Double) -> Double {
        let millicores = max(10, (cores * 1000 / 5).rounded(.up) * 5)
        return millicores / 1000
    }

    /// Memory rounded up to a whole MiB, at least 16 MiB.
    public static func roundUpMemory(_ bytes: Double) -> Double {
        max(16, (bytes / mebibyte).rounded(.up)) * mebibyte
    }

    /// `0.33 CPU` / `1.25 CPU`: usage, which is not a manifest quantity.
    public static func cores(_ cores: Double) -> String {
        if cores >= 10 { return String(format1(cores)) + " CPU" }
        return format2(cores) + " CPU"
    }

    /// `760 MiB`, `1.5 GiB`: usage.
    public static func bytes(_ bytes: Double) -> String {
        if bytes >= gibibyte { return format2(bytes / gibibyte) + " GiB" }
        return String(Int64((bytes / mebibyte).rounded())) + " MiB"
    }

    /// `36%`.
    public static func percent(_ share: Double) -> String {
        String(Int64((share * 100).rounded())) + "%"
    }

    static func format2(_ value: Double) -> String {
        let hundredths = Int64((value * 100).rounded())
        let fraction = hundredths % 100
        return String(hundredths / 100) + "." + (fraction < 10 ? "0" : "") + String(fraction)
    }

    static func format1(_ value: Double) -> String {
        let tenths = Int64((value * 10).rounded())
        return String(tenths / 10) + "." + String(tenths % 10)
    }
}
