import Foundation
import CBLAS

/// The number of worker threads every parallel kernel of the harness uses.
///
/// Work is always split into chunks whose boundaries do not depend on this number, and every
/// reduction combines chunk results in chunk order, so a result is bit-identical for the same
/// seed whatever the thread count (BLAS excepted, see `Sgemm`). Set once at start-up from
/// `--threads` or `CIESS_THREADS`; default: the number of online CPUs.
public enum Threads {
    nonisolated(unsafe) private static var current: Int = defaultCount()

    public static var count: Int { current }

    /// Sets the worker count (≥ 1) for our kernels and for OpenBLAS.
    public static func set(_ n: Int) {
        precondition(n >= 1, "thread count must be at least 1")
        current = n
        openblas_set_num_threads(Int32(n))
    }

    public static func defaultCount() -> Int {
        if let s = ProcessInfo.processInfo.environment["CIESS_THREADS"], let n = Int(s), n >= 1 { return n }
        return max(1, ProcessInfo.processInfo.activeProcessorCount)
    }
}
