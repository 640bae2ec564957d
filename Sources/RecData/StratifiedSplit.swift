/// The authors' per-user random split (docs/method.md §4.1), reproduced bit for bit.
///
/// For each user in ascending raw-id order, take the user's rows in file order, shuffle them with
/// `perm = numpy.random.RandomState(seed).permutation(n)` (a fresh generator per user; that is
/// what pandas `group.sample(frac=1, random_state=42)` does), `shuffled = rows[perm]`, then cut at
/// `c1 = round_half_even(trainFraction · n)` and `c2 = round_half_even(validEnd · n)`:
/// `shuffled[0..<c1]` is TRAIN, `shuffled[c1..<c2]` VAL, the rest TEST. Defaults: seed 42,
/// 0.5 and 0.75 (the 50/25/25 split). Valid ranges: `0 ≤ trainFraction ≤ validEnd ≤ 1`.
///
/// Re-indexing: users get `0..<U` in ascending raw-id order; items get ids in order of first
/// appearance in TRAIN (user by user, each in shuffled order), then VAL, then TEST. The input
/// must already be de-duplicated (`InteractionPreprocessing`).
public struct StratifiedSplit: Sendable, Equatable {
    public var seed: UInt32
    public var trainFraction: Double
    public var validEnd: Double

    public init(seed: UInt32 = 42, trainFraction: Double = 0.5, validEnd: Double = 0.75) {
        precondition(0 <= trainFraction && trainFraction <= validEnd && validEnd <= 1,
                     "split fractions must satisfy 0 ≤ train ≤ validEnd ≤ 1")
        self.seed = seed
        self.trainFraction = trainFraction
        self.validEnd = validEnd
    }

    /// The cut points for a user with `n` interactions.
    public func cuts(_ n: Int) -> (Int, Int) {
        (Int((trainFraction * Double(n)).rounded(.toNearestOrEven)),
         Int((validEnd * Double(n)).rounded(.toNearestOrEven)))
    }

    /// One split row with raw ids, in the order the split produced it.
    public struct Row: Sendable, Equatable {
        public var user: Int64
        public var item: Int64
        public var role: SplitRole
    }

    /// Per-row role and the TRAIN, VAL, TEST concatenation order, computed from the grouping.
    struct Assignment {
        let groups: UserGrouping
        /// `roleOfRow[r]` = role raw value of input row `r`.
        let roleOfRow: [UInt8]
        /// Row indices in TRAIN, VAL, TEST concatenation order (users ascending within each role,
        /// each user's rows in shuffled order).
        let concatenation: [Int]
        /// `counts[role][u]` = how many rows of user `u` the role has.
        let counts: [[Int]]
    }

    func assign(_ input: RawInteractions) -> Assignment {
        let groups = UserGrouping(users: input.users)
        let userCount = groups.userCount
        // Pass 1: per-user role sizes, and where each (role, user) block starts in the concatenation.
        var counts = [[Int]](repeating: [Int](repeating: 0, count: userCount), count: 3)
        for u in 0..<userCount {
            let n = groups.offsets[u + 1] - groups.offsets[u]
            let (c1, c2) = cuts(n)
            counts[0][u] = c1; counts[1][u] = c2 - c1; counts[2][u] = n - c2
        }
        var blockStart = [[Int]](repeating: [Int](repeating: 0, count: userCount), count: 3)
        var position = 0
        for role in 0..<3 {
            for u in 0..<userCount { blockStart[role][u] = position; position += counts[role][u] }
        }
        // Pass 2: shuffle each user's rows and write them into their blocks.
        var permutations: [Int: [Int]] = [:]
        var roleOfRow = [UInt8](repeating: 0, count: input.count)
        var concatenation = [Int](repeating: 0, count: input.count)
        roleOfRow.withUnsafeMutableBufferPointer { roleOfRow in
            concatenation.withUnsafeMutableBufferPointer { concat in
                groups.rows.withUnsafeBufferPointer { rows in
                    for u in 0..<userCount {
                        let start = groups.offsets[u], n = groups.offsets[u + 1] - start
                        let perm: [Int]
                        if let cached = permutations[n] { perm = cached } else {
                            perm = NumPyPermutation.permutation(n, seed: seed)
                            permutations[n] = perm
                        }
                        let c1 = counts[0][u], c2 = c1 + counts[1][u]
                        let b0 = blockStart[0][u], b1 = blockStart[1][u] - c1, b2 = blockStart[2][u] - c2
                        perm.withUnsafeBufferPointer { perm in
                            var k = 0
                            while k < n {
                                let r = rows[start + perm[k]]
                                if k < c1 { roleOfRow[r] = 0; concat[b0 + k] = r }
                                else if k < c2 { roleOfRow[r] = 1; concat[b1 + k] = r }
                                else { roleOfRow[r] = 2; concat[b2 + k] = r }
                                k += 1
                            }
                        }
                    }
                }
            }
        }
        return Assignment(groups: groups, roleOfRow: roleOfRow, concatenation: concatenation, counts: counts)
    }

    /// The split rows in TRAIN, VAL, TEST concatenation order (users ascending within each role,
    /// each user's rows in shuffled order): the order that defines the item numbering.
    public func rows(_ input: RawInteractions) -> [Row] {
        let a = assign(input)
        return a.concatenation.map { r in
            Row(user: input.users[r], item: input.items[r], role: SplitRole(rawValue: a.roleOfRow[r])!)
        }
    }

    /// Splits and re-indexes `input` into a `SplitDataset`. The input must be de-duplicated
    /// (`InteractionPreprocessing`); a repeated (user, item) pair is a precondition failure.
    /// `sourceOrder` says how the input rows were ordered (`SplitDataset.sourceOrder`); it enters the digest.
    public func split(_ input: RawInteractions, name: String, rawDigest: String,
                      sourceOrder: String = "as distributed") -> SplitDataset {
        let a = assign(input)
        let userCount = a.groups.userCount
        // Item ids by first appearance in the concatenation.
        var items = DenseIds(capacity: 1 << 16)
        let idsInConcatenation = items.ids(of: a.concatenation.map { input.items[$0] })
        var newItem = [Int32](repeating: -1, count: input.count)
        for (k, r) in a.concatenation.enumerated() { newItem[r] = idsInConcatenation[k] }
        let itemCount = items.raw.count
        // Each role's rows ordered by (user, new item id) via two stable counting passes; items are
        // unique per user (the input is de-duplicated), which is checked.
        let userOfRow = a.groups.userOfRow
        var parts: [UserItemLists] = []
        for role in 0..<3 {
            let rows = a.concatenation.filter { a.roleOfRow[$0] == UInt8(role) }
            let byItem = CountingSort.stableOrder(rows, by: newItem, keyCount: itemCount)
            let ordered = CountingSort.stableOrder(byItem, by: userOfRow, keyCount: userCount)
            var offsets = [Int](repeating: 0, count: userCount + 1)
            for u in 0..<userCount { offsets[u + 1] = offsets[u] + a.counts[role][u] }
            var list = [Int32](repeating: 0, count: ordered.count)
            ordered.withUnsafeBufferPointer { ordered in
                newItem.withUnsafeBufferPointer { newItem in
                    userOfRow.withUnsafeBufferPointer { userOfRow in
                        list.withUnsafeMutableBufferPointer { list in
                            var k = 0
                            while k < ordered.count {
                                let r = ordered[k]
                                list[k] = newItem[r]
                                precondition(k == 0 || userOfRow[ordered[k - 1]] != userOfRow[r] || list[k - 1] < list[k],
                                             "StratifiedSplit: repeated (user, item) pair; de-duplicate first")
                                k += 1
                            }
                        }
                    }
                }
            }
            parts.append(UserItemLists(userCount: userCount, itemCount: itemCount, offsets: offsets, items: list))
        }
        let digest = SplitDigest.compute(userRawIds: a.groups.userRawIds, itemRawIds: items.raw,
                                         train: parts[0], valid: parts[1], test: parts[2], sourceOrder: sourceOrder)
        return SplitDataset(name: name, userRawIds: a.groups.userRawIds, itemRawIds: items.raw,
                            train: parts[0], valid: parts[1], test: parts[2],
                            rawDigest: rawDigest, splitDigest: digest, sourceOrder: sourceOrder)
    }
}
