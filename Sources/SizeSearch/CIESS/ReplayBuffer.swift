import Foundation
import Linalg

/// A FIFO ring of transitions (s, a, r, s′) for one agent (docs/method.md §1.8).
///
/// Each row is 8 floats: s[0..<3], a (the executed integer size, as Float), r, s′[0..<3] (the
/// layout of the reference benchmark). Capacity is 100 × entities, so with one append of every
/// entity per iteration (fixed entity order) the ring holds the last 100 iterations. When full,
/// the oldest rows are overwritten. Sampling is uniform WITH replacement over the filled rows
/// `0..<count`. `Codable` stores the rows as an exact little-endian blob.
public struct ReplayBuffer: Sendable, Equatable {
    public static let stateDimension = 3
    public static let rowWidth = 2 * stateDimension + 2

    public let capacity: Int
    /// Filled rows (≤ capacity).
    public private(set) var count: Int = 0
    /// Row that the next append writes.
    public private(set) var writeIndex: Int = 0
    /// capacity × rowWidth floats; rows ≥ count are unused.
    public private(set) var rows: [Float]

    public init(capacity: Int) {
        precondition(capacity >= 1)
        self.capacity = capacity
        rows = [Float](repeating: 0, count: capacity * ReplayBuffer.rowWidth)
    }

    /// A buffer of `100 × entities` rows (docs/method.md §1.8).
    public init(entities: Int, iterations: Int = 100) { self.init(capacity: entities * iterations) }

    /// Appends one transition per entity, in entity order: `states`/`nextStates` are `n × 3`,
    /// `actions` and `rewards` have n entries.
    public mutating func append(states: [Float], actions: [UInt8], rewards: [Float], nextStates: [Float]) {
        let n = actions.count, d = ReplayBuffer.stateDimension, w = ReplayBuffer.rowWidth
        precondition(states.count == n * d && nextStates.count == n * d && rewards.count == n, "ReplayBuffer.append: shape mismatch")
        rows.withUnsafeMutableBufferPointer { buf in
            for e in 0..<n {
                let row = buf.baseAddress! + writeIndex * w
                for k in 0..<d { row[k] = states[e * d + k] }
                row[d] = Float(actions[e])
                row[d + 1] = rewards[e]
                for k in 0..<d { row[d + 2 + k] = nextStates[e * d + k] }
                writeIndex = writeIndex + 1 == capacity ? 0 : writeIndex + 1
                count = min(count + 1, capacity)
            }
        }
    }

    /// Overwrites the buffer with `count` raw rows (benchmarks: a pre-filled buffer).
    public mutating func fill(rawRows: [Float]) {
        precondition(rawRows.count % ReplayBuffer.rowWidth == 0 && rawRows.count <= rows.count)
        let n = rawRows.count / ReplayBuffer.rowWidth
        rows.replaceSubrange(0..<rawRows.count, with: rawRows)
        count = n
        writeIndex = n == capacity ? 0 : n
    }

    /// Row `i` (0 ≤ i < count) as (s, a, r, s′).
    public func transition(_ i: Int) -> (state: [Float], action: Float, reward: Float, nextState: [Float]) {
        precondition(i >= 0 && i < count)
        let w = ReplayBuffer.rowWidth, d = ReplayBuffer.stateDimension, o = i * w
        return (Array(rows[o..<(o + d)]), rows[o + d], rows[o + d + 1], Array(rows[(o + d + 2)..<(o + w)]))
    }

    /// Draws `batch` row indices uniformly with replacement from `0..<count`.
    public func sampleIndices(_ batch: Int, random: inout RandomStream) -> [Int] {
        precondition(count > 0, "ReplayBuffer: sampling an empty buffer")
        return (0..<batch).map { _ in random.below(count) }
    }

    /// Gathers rows `indices` into the batch blocks: `states`/`nextStates` (`b × 3`), `criticInputs`
    /// (`b × 4` = [s ; norm(a)]), `rewards` (`b`).
    public func gather(_ indices: [Int], states: UnsafeMutablePointer<Float>, criticInputs: UnsafeMutablePointer<Float>,
                       rewards: UnsafeMutablePointer<Float>, nextStates: UnsafeMutablePointer<Float>) {
        let w = ReplayBuffer.rowWidth, d = ReplayBuffer.stateDimension
        rows.withUnsafeBufferPointer { buf in
            let base = buf.baseAddress!
            for (b, i) in indices.enumerated() {
                let row = base + i * w
                for k in 0..<d {
                    states[b * d + k] = row[k]
                    criticInputs[b * (d + 1) + k] = row[k]
                    nextStates[b * d + k] = row[d + 2 + k]
                }
                criticInputs[b * (d + 1) + d] = TwinCritic.normalizedAction(row[d])
                rewards[b] = row[d + 1]
            }
        }
    }
}

extension ReplayBuffer: Codable {
    enum CodingKeys: String, CodingKey { case capacity, count, writeIndex, rows }
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        capacity = try c.decode(Int.self, forKey: .capacity)
        count = try c.decode(Int.self, forKey: .count)
        writeIndex = try c.decode(Int.self, forKey: .writeIndex)
        let filled = try FloatArrayCoding.floats(try c.decode(Data.self, forKey: .rows))
        guard capacity >= 1, count >= 0, count <= capacity, writeIndex >= 0, writeIndex < capacity,
              filled.count == count * ReplayBuffer.rowWidth else {
            throw DecodingError.dataCorruptedError(forKey: .rows, in: c, debugDescription: "inconsistent replay buffer")
        }
        rows = filled + [Float](repeating: 0, count: (capacity - count) * ReplayBuffer.rowWidth)
    }
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(capacity, forKey: .capacity)
        try c.encode(count, forKey: .count)
        try c.encode(writeIndex, forKey: .writeIndex)
        try c.encode(FloatArrayCoding.data(Array(rows[0..<(count * ReplayBuffer.rowWidth)])), forKey: .rows)
    }
}
