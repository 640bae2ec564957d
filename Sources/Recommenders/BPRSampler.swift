import Linalg
import RecData

/// The BPR triple sampler of docs/method.md §2.0, deterministic for a seed.
///
/// * Users: only *eligible* users (≥ 1 TRAIN item and not every item) are drawn. With fewer
///   eligible users than the batch size B, users are i.i.d. uniform with replacement; otherwise a
///   uniform subset of B distinct users (partial Fisher–Yates over a persistent pool, so each
///   batch is a uniform subset and no per-batch allocation of the pool is needed).
/// * Positive: uniform over the user's TRAIN items.
/// * Negative: uniform over all items, redrawn while it is in the user's TRAIN set (binary
///   search with `UserItemLists.contains`).
///
/// Randomness: one `RandomStream(seed:, purpose: "sampler")`; the state is part of the value, so
/// a copied sampler continues identically (checkpoints can store it).
public struct BPRSampler: Sendable {
    public let train: UserItemLists
    public let eligibleUsers: [Int32]
    public private(set) var random: RandomStream
    private var pool: [Int32]

    public init(train: UserItemLists, seed: UInt64) {
        self.train = train
        eligibleUsers = (0..<train.userCount).compactMap { u in
            let n = train.count(of: u)
            return n >= 1 && n < train.itemCount ? Int32(u) : nil
        }
        pool = eligibleUsers
        random = RandomStream(seed: seed, purpose: "sampler")
    }

    /// Everything a sampler's future draws depend on besides its training set: the random stream
    /// and the user pool's current permutation (sampling without replacement permutes it in place).
    public struct State: Sendable, Codable, Equatable {
        public var random: RandomStream
        public var pool: [Int32]
    }

    public var state: State { State(random: random, pool: pool) }

    /// Continues from a saved `state` of a sampler over the same training set; throws when the pool
    /// is not a permutation of this set's eligible users.
    public mutating func restore(_ s: State) throws {
        guard s.pool.count == eligibleUsers.count, s.pool.sorted() == eligibleUsers else {
            throw BPRSamplerStateError.poolMismatch(expected: eligibleUsers.count, found: s.pool.count)
        }
        random = s.random
        pool = s.pool
    }

    /// Draws one batch of `size` triples (docs/method.md §2.0: B = 10 000).
    public mutating func nextBatch(size: Int = 10_000) -> BPRBatch {
        precondition(size >= 1 && !eligibleUsers.isEmpty, "BPRSampler: no eligible users or empty batch")
        let users = drawUsers(size)
        var positives = [Int32](repeating: 0, count: size)
        var negatives = [Int32](repeating: 0, count: size)
        let itemCount = train.itemCount
        for b in 0..<size {
            let u = Int(users[b])
            let start = train.offsets[u], n = train.offsets[u + 1] - start
            positives[b] = train.items[start + random.below(n)]
            var j = Int32(random.below(itemCount))
            while train.contains(user: u, item: j) { j = Int32(random.below(itemCount)) }
            negatives[b] = j
        }
        return BPRBatch(users: users, positives: positives, negatives: negatives)
    }

    private mutating func drawUsers(_ size: Int) -> [Int32] {
        let n = pool.count
        if n < size {
            return (0..<size).map { _ in eligibleUsers[random.below(n)] }
        }
        for k in 0..<size {
            let j = k + random.below(n - k)
            pool.swapAt(k, j)
        }
        return Array(pool[0..<size])
    }
}

/// A saved sampler state that does not belong to this training set.
public enum BPRSamplerStateError: Error, Equatable, CustomStringConvertible {
    case poolMismatch(expected: Int, found: Int)

    public var description: String {
        switch self {
        case let .poolMismatch(e, f):
            return "sampler state: the user pool is not a permutation of the \(e) eligible users of this training set (found \(f) entries)"
        }
    }
}
