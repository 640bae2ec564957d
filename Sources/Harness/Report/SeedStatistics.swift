import Foundation

/// Mean, sample standard deviation and the half-width of the two-sided 95 % confidence interval
/// of the mean over seeds: t_{0.975, n−1} · sd / √n. With n = 1 the sd and the CI are undefined
/// (nil); with n = 0 everything is nil.
public struct SeedStatistics: Sendable, Equatable {
    public let n: Int
    public let mean: Double?
    public let sd: Double?
    public let ciHalfWidth: Double?

    public init(_ values: [Double]) {
        n = values.count
        guard n > 0 else { mean = nil; sd = nil; ciHalfWidth = nil; return }
        let m = values.reduce(0, +) / Double(n)
        mean = m
        guard n > 1 else { sd = nil; ciHalfWidth = nil; return }
        let s = (values.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(n - 1)).squareRoot()
        sd = s
        ciHalfWidth = Self.tQuantile975(degreesOfFreedom: n - 1) * s / Double(n).squareRoot()
    }

    /// t_{0.975, ν}, the quantile of the 95 % two-sided interval.
    public static func tQuantile975(degreesOfFreedom: Int) -> Double {
        StudentT(degreesOfFreedom: Double(degreesOfFreedom)).quantile(0.975)
    }

    /// Whether `value` lies in [mean − ci, mean + ci] (false when the CI is undefined).
    public func intervalContains(_ value: Double) -> Bool {
        guard let m = mean, let h = ciHalfWidth else { return false }
        return value >= m - h && value <= m + h
    }
}
