/// One BPR batch of triples (u_b, i⁺_b, i⁻_b), b = 0..<count: user ids and 0-based item ids
/// (graph backbones map item i to node U + i).
public struct BPRBatch: Sendable, Equatable, Codable {
    public var users: [Int32]
    public var positives: [Int32]
    public var negatives: [Int32]

    public init(users: [Int32], positives: [Int32], negatives: [Int32]) {
        precondition(users.count == positives.count && users.count == negatives.count,
                     "BPRBatch: users, positives and negatives must have the same length")
        self.users = users
        self.positives = positives
        self.negatives = negatives
    }

    public var count: Int { users.count }
}
