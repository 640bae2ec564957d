import Foundation

/// Fixed-chunk parallel loops.
///
/// `0..<count` is cut into `⌈count / grain⌉` chunks of `grain` indices (the last may be shorter);
/// the cut depends only on `count` and `grain`, never on the thread count, so any per-chunk
/// result is the same however many threads ran. Worker `w` of `T` takes chunks `w, w+T, …`.
public enum Parallel {
    /// Runs `body(chunkIndex, range)` for every chunk; chunks run concurrently on `Threads.count` workers.
    public static func forEachChunk(count: Int, grain: Int,
                                    _ body: @Sendable (_ chunk: Int, _ range: Range<Int>) -> Void) {
        precondition(grain >= 1)
        guard count > 0 else { return }
        let chunks = (count + grain - 1) / grain
        let workers = min(Threads.count, chunks)
        if workers <= 1 {
            for c in 0..<chunks { body(c, (c * grain)..<min(count, (c + 1) * grain)) }
            return
        }
        DispatchQueue.concurrentPerform(iterations: workers) { w in
            var c = w
            while c < chunks {
                body(c, (c * grain)..<min(count, (c + 1) * grain))
                c += workers
            }
        }
    }

    /// Runs `body(part)` for each of the given explicit ranges (e.g. nnz-balanced row blocks).
    public static func forEachRange(_ ranges: [Range<Int>], _ body: @Sendable (_ part: Int, _ range: Range<Int>) -> Void) {
        let workers = min(Threads.count, ranges.count)
        if workers <= 1 {
            for (p, r) in ranges.enumerated() { body(p, r) }
            return
        }
        DispatchQueue.concurrentPerform(iterations: workers) { w in
            var p = w
            while p < ranges.count {
                body(p, ranges[p])
                p += workers
            }
        }
    }

    /// Sum of `term(chunk, range)` over fixed chunks, added in chunk order (deterministic).
    public static func sum(count: Int, grain: Int, _ term: @Sendable (_ range: Range<Int>) -> Double) -> Double {
        guard count > 0 else { return 0 }
        let chunks = (count + grain - 1) / grain
        var partial = [Double](repeating: 0, count: chunks)
        partial.withUnsafeMutableBufferPointer { buf in
            let out = buf.sendable
            forEachChunk(count: count, grain: grain) { c, r in out[c] = term(r) }
        }
        return partial.reduce(0, +)
    }
}
