import Foundation

/// Hands out 0, 1, 2, … to concurrent workers (lock-protected), so workers claim user blocks in
/// ascending order as they become free; which worker gets a block never affects its result.
final class BlockCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0

    func next() -> Int {
        lock.lock()
        defer { lock.unlock() }
        let v = value
        value += 1
        return v
    }
}
