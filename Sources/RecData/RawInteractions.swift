/// Interactions as read from the raw files: parallel arrays of raw user and item ids, in file
/// order (the order matters: the per-user shuffle permutes each user's rows in file order).
public struct RawInteractions: Sendable, Equatable {
    public var users: [Int64]
    public var items: [Int64]

    public init(users: [Int64] = [], items: [Int64] = []) {
        precondition(users.count == items.count)
        self.users = users
        self.items = items
    }

    public var count: Int { users.count }

    public mutating func append(_ other: RawInteractions) {
        users += other.users
        items += other.items
    }
}
