/// Preprocessing between parsing and splitting (docs/method.md §4.1), in this order:
/// 1. drop every row whose (user, item) pair is in `excludedPairs` (ML-1M: (1, 1193), the first
///    `ratings.dat` line the authors' reader swallowed as a header);
/// 2. drop repeated (user, item) pairs, keeping the first occurrence in file order (Yelp2018's
///    train ∪ test; a no-op on clean files).
/// Surviving rows keep their file order, which the per-user shuffle depends on.
public struct InteractionPreprocessing: Sendable, Equatable {
    public struct Report: Sendable, Equatable {
        public var inputRows = 0
        public var excludedRows = 0
        public var duplicateRows = 0
        public var outputRows = 0
    }

    public var excludedPairs: [(user: Int64, item: Int64)]

    public init(excludedPairs: [(user: Int64, item: Int64)] = []) { self.excludedPairs = excludedPairs }

    public static func == (a: Self, b: Self) -> Bool {
        a.excludedPairs.map { [$0.user, $0.item] } == b.excludedPairs.map { [$0.user, $0.item] }
    }

    public func apply(_ input: RawInteractions) -> (RawInteractions, Report) {
        var report = Report()
        report.inputRows = input.count
        var keep = [Bool](repeating: true, count: input.count)
        for pair in excludedPairs {
            input.users.withUnsafeBufferPointer { users in
                input.items.withUnsafeBufferPointer { items in
                    var r = 0
                    while r < users.count {
                        if users[r] == pair.user && items[r] == pair.item && keep[r] {
                            keep[r] = false
                            report.excludedRows += 1
                        }
                        r += 1
                    }
                }
            }
        }
        let groups = UserGrouping(users: input.users)
        var items = DenseIds(capacity: 1 << 16)
        let dense = items.ids(of: input.items)
        var lastUser = [Int32](repeating: -1, count: items.raw.count)
        for u in 0..<groups.userCount {
            for k in groups.offsets[u]..<groups.offsets[u + 1] {
                let r = groups.rows[k]
                guard keep[r] else { continue }
                let i = Int(dense[r])
                if lastUser[i] == Int32(u) { keep[r] = false; report.duplicateRows += 1 } else { lastUser[i] = Int32(u) }
            }
        }
        var out = RawInteractions()
        out.users.reserveCapacity(input.count)
        out.items.reserveCapacity(input.count)
        for r in 0..<input.count where keep[r] {
            out.users.append(input.users[r])
            out.items.append(input.items[r])
        }
        report.outputRows = out.count
        return (out, report)
    }
}
