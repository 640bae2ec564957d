import Foundation

/// Work-sharing parallel loop: `Threads.count` workers take items 0..<count from a shared counter
/// in ascending order, so a worker that is descheduled (a busy, shared machine) does not hold up
/// the others the way a static round-robin assignment does.
///
/// Which thread runs an item varies, so `body` must make each item's result independent of the
/// thread (e.g. each item writes its own outputs in a fixed order); then results are
/// bit-identical for any thread count and any schedule.
public enum DynamicParallel {
    public static func forEach(count: Int, _ body: @Sendable (_ item: Int) -> Void) {
        guard count > 0 else { return }
        let workers = min(Threads.count, count)
        if workers <= 1 {
            for i in 0..<count { body(i) }
            return
        }
        let counter = SharedCounter()
        DispatchQueue.concurrentPerform(iterations: workers) { _ in
            while true {
                let i = counter.next()
                if i >= count { return }
                body(i)
            }
        }
    }
}

/// A lock-protected counter handing out 0, 1, 2, … to concurrent callers.
final class SharedCounter: @unchecked Sendable {
    private var value = 0
    private let lock = NSLock()

    func next() -> Int {
        lock.lock()
        defer { lock.unlock() }
        let v = value
        value += 1
        return v
    }
}
