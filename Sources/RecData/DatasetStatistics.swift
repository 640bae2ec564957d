/// Counts of a split dataset, overall and per role, and the gate that compares them with the
/// manifest before any training (a wrong file or a wrong preprocessing step stops here).
public struct DatasetStatistics: Sendable, Equatable, Codable {
    public struct Part: Sendable, Equatable, Codable {
        public var interactions: Int
        /// Users / items with at least one interaction in this part.
        public var users: Int
        public var items: Int
        /// Min and max interactions per user / item, over those with at least one (0 if none).
        public var minUserDegree: Int
        public var maxUserDegree: Int
        public var minItemDegree: Int
        public var maxItemDegree: Int

        public init(_ lists: UserItemLists) { self.init(union: [lists]) }

        /// Statistics of the union of disjoint parts of the same shape (e.g. TRAIN, VAL, TEST),
        /// computed from per-part degrees without materialising the union.
        public init(union parts: [UserItemLists]) {
            precondition(!parts.isEmpty)
            let userCount = parts[0].userCount, itemCount = parts[0].itemCount
            var userDegree = [Int](repeating: 0, count: userCount)
            var itemDegree = [Int](repeating: 0, count: itemCount)
            var total = 0
            for part in parts {
                precondition(part.userCount == userCount && part.itemCount == itemCount)
                total += part.interactionCount
                part.offsets.withUnsafeBufferPointer { off in
                    var u = 0
                    while u < userCount { userDegree[u] += off[u + 1] - off[u]; u += 1 }
                }
                part.items.withUnsafeBufferPointer { items in
                    itemDegree.withUnsafeMutableBufferPointer { deg in
                        var k = 0
                        while k < items.count { deg[Int(items[k])] += 1; k += 1 }
                    }
                }
            }
            func summary(_ d: [Int]) -> (count: Int, min: Int, max: Int) {
                var n = 0, lo = Int.max, hi = 0
                for x in d where x > 0 { n += 1; lo = Swift.min(lo, x); hi = Swift.max(hi, x) }
                return (n, n == 0 ? 0 : lo, hi)
            }
            let us = summary(userDegree), its = summary(itemDegree)
            interactions = total
            users = us.count
            items = its.count
            minUserDegree = us.min
            maxUserDegree = us.max
            minItemDegree = its.min
            maxItemDegree = its.max
        }
    }

    public var dataset: String
    public var all: Part
    public var train: Part
    public var valid: Part
    public var test: Part

    public init(_ d: SplitDataset) {
        dataset = d.name
        train = Part(d.train)
        valid = Part(d.valid)
        test = Part(d.test)
        all = Part(union: [d.train, d.valid, d.test])
    }

    /// Throws `DataError.statistics` listing every count that differs from `expected`
    /// (interactions, users, items overall).
    public func verify(expected: DatasetManifest.ExpectedCounts) throws {
        var bad: [String] = []
        if all.interactions != expected.interactions { bad.append("interactions \(all.interactions), expected \(expected.interactions)") }
        if all.users != expected.users { bad.append("users \(all.users), expected \(expected.users)") }
        if all.items != expected.items { bad.append("items \(all.items), expected \(expected.items)") }
        if !bad.isEmpty { throw DataError.statistics(dataset: dataset, mismatches: bad) }
    }
}
