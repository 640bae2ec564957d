/// Rows grouped by raw user id: users in ascending raw-id order, and each user's row indices in
/// file order (a stable counting sort). Both the de-duplication and the split need exactly this.
struct UserGrouping {
    /// Distinct raw user ids, ascending.
    let userRawIds: [Int64]
    /// `rows[offsets[u]..<offsets[u+1]]` are user `u`'s row indices into the input, ascending.
    let offsets: [Int]
    let rows: [Int]
    /// `userOfRow[r]` = the group index of row `r`.
    let userOfRow: [Int32]

    init(users: [Int64]) {
        var ids = DenseIds(capacity: 1 << 14)
        let temp = ids.ids(of: users)
        let distinct = ids.raw
        let order = distinct.indices.sorted { distinct[$0] < distinct[$1] }
        var rank = [Int32](repeating: 0, count: distinct.count)
        for (k, t) in order.enumerated() { rank[t] = Int32(k) }
        var offsets = [Int](repeating: 0, count: distinct.count + 1)
        var userOfRow = [Int32](repeating: 0, count: users.count)
        var rows = [Int](repeating: 0, count: users.count)
        temp.withUnsafeBufferPointer { temp in
            rank.withUnsafeBufferPointer { rank in
                offsets.withUnsafeMutableBufferPointer { off in
                    userOfRow.withUnsafeMutableBufferPointer { uor in
                        for r in 0..<temp.count {
                            let k = rank[Int(temp[r])]
                            uor[r] = k
                            off[Int(k) + 1] += 1
                        }
                        for k in 0..<(off.count - 1) { off[k + 1] += off[k] }
                        var fill = Array(off)
                        rows.withUnsafeMutableBufferPointer { rows in
                            for r in 0..<temp.count {
                                let k = Int(uor[r])
                                rows[fill[k]] = r
                                fill[k] += 1
                            }
                        }
                    }
                }
            }
        }
        self.userRawIds = order.map { distinct[$0] }
        self.offsets = offsets
        self.rows = rows
        self.userOfRow = userOfRow
    }

    var userCount: Int { userRawIds.count }
}

/// Dense ids `0, 1, 2, …` for raw `Int64` ids, in first-seen order of the calls to `id(of:)`.
///
/// An open-addressing hash table (linear probing, power-of-two capacity, load ≤ 1/2) on flat
/// arrays: the pipeline maps a few million ids, and a plain loop over raw buffers stays fast even
/// in debug builds, where `Dictionary` calls are not specialised.
struct DenseIds {
    private var keys: [Int64]
    private var slotIds: [Int32]
    private var mask: Int
    private(set) var raw: [Int64] = []

    init(capacity: Int = 1 << 15) {
        var size = 16
        while size < 2 * capacity { size <<= 1 }
        keys = [Int64](repeating: 0, count: size)
        slotIds = [Int32](repeating: -1, count: size)
        mask = size - 1
    }

    @inline(__always) private static func slot(_ v: Int64, _ mask: Int) -> Int {
        Int(truncatingIfNeeded: (UInt64(bitPattern: v) &* 0x9E37_79B9_7F4A_7C15) >> 29) & mask
    }

    mutating func id(of value: Int64) -> Int32 {
        let found: Int32 = keys.withUnsafeMutableBufferPointer { k in
            slotIds.withUnsafeMutableBufferPointer { v in
                var s = DenseIds.slot(value, mask)
                while true {
                    let t = v[s]
                    if t < 0 {
                        let t = Int32(raw.count)
                        k[s] = value
                        v[s] = t
                        return -1 - t
                    }
                    if k[s] == value { return t }
                    s = (s + 1) & mask
                }
            }
        }
        if found >= 0 { return found }
        let t = -1 - found
        raw.append(value)
        if 2 * raw.count > keys.count { grow() }
        return t
    }

    /// `values.map { id(of: $0) }`, with one buffer access for the whole batch (fast in debug builds).
    mutating func ids(of values: [Int64]) -> [Int32] {
        var out = [Int32](repeating: 0, count: values.count)
        var next = 0
        while next < values.count {
            if 2 * raw.count >= keys.count { grow() }
            var added: [Int64] = []
            let base = raw.count
            // Insert until the table reaches load 1/2, then grow and continue.
            let room = keys.count / 2 - base
            let mask = self.mask
            next = values.withUnsafeBufferPointer { vals in
                out.withUnsafeMutableBufferPointer { out in
                    keys.withUnsafeMutableBufferPointer { k in
                        slotIds.withUnsafeMutableBufferPointer { v in
                            var j = next
                            while j < vals.count && added.count < room {
                                let value = vals[j]
                                var s = DenseIds.slot(value, mask)
                                while true {
                                    let t = v[s]
                                    if t < 0 {
                                        let t = Int32(base + added.count)
                                        k[s] = value
                                        v[s] = t
                                        added.append(value)
                                        out[j] = t
                                        break
                                    }
                                    if k[s] == value { out[j] = t; break }
                                    s = (s + 1) & mask
                                }
                                j += 1
                            }
                            return j
                        }
                    }
                }
            }
            raw += added
        }
        return out
    }

    private mutating func grow() {
        let old = raw
        var bigger = DenseIds(capacity: keys.count)
        for v in old { _ = bigger.id(of: v) }
        self = bigger
    }
}
