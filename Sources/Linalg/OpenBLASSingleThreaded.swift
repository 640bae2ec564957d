import CBLAS

/// Runs `body` with OpenBLAS at one thread and restores `Threads.count` afterwards — for code
/// that parallelises its sgemms itself (`ChunkedSgemm`) or calls OpenBLAS from several threads.
public enum OpenBLASSingleThreaded {
    public static func run<T>(_ body: () throws -> T) rethrows -> T {
        openblas_set_num_threads(1)
        defer { openblas_set_num_threads(Int32(Threads.count)) }
        return try body()
    }
}
