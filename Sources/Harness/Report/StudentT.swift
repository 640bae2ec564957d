import Foundation

/// Student's t distribution with `degreesOfFreedom` ν > 0: the CDF (through the regularised
/// incomplete beta function) and its inverse (by bisection, to about 1e-12).
public struct StudentT: Sendable {
    public let degreesOfFreedom: Double

    public init(degreesOfFreedom: Double) {
        precondition(degreesOfFreedom > 0, "Student's t needs ν > 0, got \(degreesOfFreedom)")
        self.degreesOfFreedom = degreesOfFreedom
    }

    /// P(T ≤ t).
    public func cdf(_ t: Double) -> Double {
        if t.isNaN { return .nan }
        if t == .infinity { return 1 }
        if t == -.infinity { return 0 }
        let nu = degreesOfFreedom
        let tail = 0.5 * Self.regularizedIncompleteBeta(x: nu / (nu + t * t), a: nu / 2, b: 0.5)
        return t >= 0 ? 1 - tail : tail
    }

    /// Two-sided p-value of an observed statistic: P(|T| ≥ |t|).
    public func twoSidedP(_ t: Double) -> Double {
        if t.isNaN { return .nan }
        if t.isInfinite { return 0 }
        let nu = degreesOfFreedom
        return Self.regularizedIncompleteBeta(x: nu / (nu + t * t), a: nu / 2, b: 0.5)
    }

    /// The t with P(T ≤ t) = p, for 0 < p < 1.
    public func quantile(_ p: Double) -> Double {
        precondition(p > 0 && p < 1, "a quantile needs 0 < p < 1, got \(p)")
        if p == 0.5 { return 0 }
        if p < 0.5 { return -quantile(1 - p) }
        var lo = 0.0, hi = 1.0
        while cdf(hi) < p { lo = hi; hi *= 2 }
        for _ in 0..<200 {
            let mid = 0.5 * (lo + hi)
            if cdf(mid) < p { lo = mid } else { hi = mid }
            if hi - lo <= 1e-13 * max(1, hi) { break }
        }
        return 0.5 * (lo + hi)
    }

    /// I_x(a, b), the regularised incomplete beta function, by its continued fraction (modified
    /// Lentz evaluation), using I_x(a, b) = 1 − I_{1−x}(b, a) where the fraction converges slowly.
    static func regularizedIncompleteBeta(x: Double, a: Double, b: Double) -> Double {
        if x <= 0 { return 0 }
        if x >= 1 { return 1 }
        if x > (a + 1) / (a + b + 2) { return 1 - regularizedIncompleteBeta(x: 1 - x, a: b, b: a) }
        let logBeta: Double = Foundation.lgamma(a) + Foundation.lgamma(b) - Foundation.lgamma(a + b)
        let logPowers: Double = a * Foundation.log(x) + b * Foundation.log(1 - x)
        let logFront: Double = logPowers - Foundation.log(a) - logBeta
        return Foundation.exp(logFront) * betaContinuedFraction(x: x, a: a, b: b)
    }

    /// 1 / (1 + d₁/(1 + d₂/(1 + …))) with d_{2m+1} = −(a+m)(a+b+m)x / ((a+2m)(a+2m+1)) and
    /// d_{2m} = m(b−m)x / ((a+2m−1)(a+2m)).
    private static func betaContinuedFraction(x: Double, a: Double, b: Double) -> Double {
        let tiny = 1e-300
        func guarded(_ v: Double) -> Double { abs(v) < tiny ? tiny : v }
        var f = tiny, c = f, d = 0.0
        for n in 0...400 {
            let coefficient: Double
            if n == 0 {
                coefficient = 1
            } else if n % 2 == 0 {
                let m = Double(n / 2)
                coefficient = m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m))
            } else {
                let m = Double((n - 1) / 2)
                coefficient = -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1))
            }
            d = guarded(1 + coefficient * d)
            c = guarded(1 + coefficient / c)
            d = 1 / d
            let step = c * d
            f *= step
            if abs(step - 1) < 1e-15 { break }
        }
        return f
    }
}
