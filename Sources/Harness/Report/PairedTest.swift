import Foundation

/// Paired two-sided t-test over common seeds: d_s = a_s − b_s, t = mean(d) / (sd(d)/√n) with
/// n − 1 degrees of freedom. Undefined (nil statistic) with fewer than 2 pairs. When every
/// difference is equal the sd is 0: t = ±∞ and p = 0 if the mean differs from 0, t = 0 and p = 1
/// if all differences are 0.
public struct PairedTest: Sendable, Equatable {
    public let n: Int
    public let meanDifference: Double?
    public let t: Double?
    public let p: Double?

    public init(pairs: [(a: Double, b: Double)]) {
        n = pairs.count
        let d = pairs.map { $0.a - $0.b }
        let stats = SeedStatistics(d)
        meanDifference = stats.mean
        guard n >= 2, let m = stats.mean, let s = stats.sd else { t = nil; p = nil; return }
        if s == 0 {
            t = m == 0 ? 0 : (m > 0 ? .infinity : -.infinity)
            p = m == 0 ? 1 : 0
            return
        }
        let statistic = m / (s / Double(n).squareRoot())
        t = statistic
        p = StudentT(degreesOfFreedom: Double(n - 1)).twoSidedP(statistic)
    }

    /// Pairs the values of two seed-indexed series on their common seeds (ascending seed order).
    public static func commonSeeds(_ a: [UInt64: Double], _ b: [UInt64: Double]) -> [(a: Double, b: Double)] {
        a.keys.filter { b[$0] != nil }.sorted().map { (a: a[$0]!, b: b[$0]!) }
    }
}
