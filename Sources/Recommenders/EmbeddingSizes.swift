/// One embedding size `d_n ∈ 1...dMax` per user and per item (docs/method.md §2.0, [P] Eq. 2).
///
/// The mask of entity n keeps the first `d_n` of `dMax` columns (a prefix mask). Density
/// `ρ = Σ_n d_n / ((|U| + |I|)·dMax)`, sparsity `1 − ρ`.
public struct EmbeddingSizes: Sendable, Equatable, Codable {
    public let dMax: Int
    public var users: [UInt8]
    public var items: [UInt8]

    public init(users: [UInt8], items: [UInt8], dMax: Int = 128) {
        precondition(dMax >= 1 && dMax <= 255)
        precondition(users.allSatisfy { $0 >= 1 && Int($0) <= dMax } && items.allSatisfy { $0 >= 1 && Int($0) <= dMax },
                     "every size must lie in 1...\(dMax)")
        self.dMax = dMax
        self.users = users
        self.items = items
    }

    /// Every entity at the same size `d`.
    public static func uniform(userCount: Int, itemCount: Int, size: Int, dMax: Int = 128) -> EmbeddingSizes {
        precondition(size >= 1 && size <= dMax, "size must lie in 1...\(dMax)")
        return EmbeddingSizes(users: [UInt8](repeating: UInt8(size), count: userCount),
                              items: [UInt8](repeating: UInt8(size), count: itemCount), dMax: dMax)
    }

    public static func full(userCount: Int, itemCount: Int, dMax: Int = 128) -> EmbeddingSizes {
        uniform(userCount: userCount, itemCount: itemCount, size: dMax, dMax: dMax)
    }

    public var entityCount: Int { users.count + items.count }

    /// Sizes of all entities, users first (node order of the graph backbones).
    public var nodeSizes: [UInt8] { users + items }

    public var usedEntries: Int { users.reduce(0) { $0 + Int($1) } + items.reduce(0) { $0 + Int($1) } }

    public var density: Double { Double(usedEntries) / Double(entityCount * dMax) }

    public var sparsity: Double { 1 - density }
}
