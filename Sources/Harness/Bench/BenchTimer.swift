import Dispatch

/// The timing protocol of the benchmark (bench/README of the reference): `warmup` untimed
/// iterations, then `repeat` timed ones, each the wall-clock time around exactly one call of
/// `step(k)` with k = 0, 1, … across warm-up and timed iterations (so each can use its own batch).
public enum BenchTimer {
    public static func time(warmup: Int, repeat count: Int, _ step: (Int) -> Void) -> [Double] {
        for k in 0..<warmup { step(k) }
        var times: [Double] = []
        times.reserveCapacity(count)
        for k in 0..<count {
            let t0 = DispatchTime.now().uptimeNanoseconds
            step(warmup + k)
            times.append(Double(DispatchTime.now().uptimeNanoseconds - t0) * 1e-9)
        }
        return times
    }
}

extension Array where Element == Double {
    /// Median (mean of the two middle values for an even count), as Python's `statistics.median`.
    public var median: Double {
        guard !isEmpty else { return .nan }
        let s = sorted()
        return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
    }
}
