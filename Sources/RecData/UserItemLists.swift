/// Per-user sorted item lists in CSR form: user `u`'s items are
/// `items[offsets[u]..<offsets[u+1]]`, ascending and without duplicates.
///
/// This is how every split role (TRAIN, VAL, TEST, TRAIN∪VAL) is held: membership is a binary
/// search, iteration is contiguous, and the memory is 4 bytes per interaction.
public struct UserItemLists: Sendable, Equatable, Codable {
    public let userCount: Int
    public let itemCount: Int
    public let offsets: [Int]
    public let items: [Int32]

    public var interactionCount: Int { items.count }

    public init(userCount: Int, itemCount: Int, offsets: [Int], items: [Int32]) {
        precondition(offsets.count == userCount + 1 && offsets.first == 0 && offsets.last == items.count,
                     "UserItemLists: offsets must run from 0 to the item count over userCount+1 entries")
        self.userCount = userCount
        self.itemCount = itemCount
        self.offsets = offsets
        self.items = items
    }

    /// Builds from (user, item) pairs in any order; duplicates are dropped.
    public init(userCount: Int, itemCount: Int, pairs: [(user: Int32, item: Int32)]) {
        var perUser = [[Int32]](repeating: [], count: userCount)
        for p in pairs { perUser[Int(p.user)].append(p.item) }
        self.init(userCount: userCount, itemCount: itemCount, lists: perUser)
    }

    /// Builds from one (unsorted, possibly duplicated) item list per user.
    public init(userCount: Int, itemCount: Int, lists: [[Int32]]) {
        precondition(lists.count == userCount)
        var offsets = [0]
        offsets.reserveCapacity(userCount + 1)
        var items: [Int32] = []
        for list in lists {
            var prev: Int32 = -1
            for i in list.sorted() where i != prev {
                precondition(i >= 0 && Int(i) < itemCount, "item id \(i) out of range 0..<\(itemCount)")
                items.append(i)
                prev = i
            }
            offsets.append(items.count)
        }
        self.init(userCount: userCount, itemCount: itemCount, offsets: offsets, items: items)
    }

    @inlinable public func items(of user: Int) -> ArraySlice<Int32> { items[offsets[user]..<offsets[user + 1]] }

    @inlinable public func count(of user: Int) -> Int { offsets[user + 1] - offsets[user] }

    /// Whether `item` is in `user`'s list (binary search).
    @inlinable public func contains(user: Int, item: Int32) -> Bool {
        var lo = offsets[user], hi = offsets[user + 1]
        while lo < hi {
            let mid = (lo + hi) >> 1
            let v = items[mid]
            if v == item { return true }
            if v < item { lo = mid + 1 } else { hi = mid }
        }
        return false
    }

    /// The per-user union with another list set of the same shape (e.g. TRAIN ∪ VAL).
    public func union(_ other: UserItemLists) -> UserItemLists {
        precondition(userCount == other.userCount && itemCount == other.itemCount)
        var offsets = [0]
        var out: [Int32] = []
        out.reserveCapacity(items.count + other.items.count)
        for u in 0..<userCount {
            var a = self.offsets[u], b = other.offsets[u]
            let ae = self.offsets[u + 1], be = other.offsets[u + 1]
            while a < ae || b < be {
                if b >= be || (a < ae && items[a] < other.items[b]) { out.append(items[a]); a += 1 }
                else if a >= ae || other.items[b] < items[a] { out.append(other.items[b]); b += 1 }
                else { out.append(items[a]); a += 1; b += 1 }
            }
            offsets.append(out.count)
        }
        return UserItemLists(userCount: userCount, itemCount: itemCount, offsets: offsets, items: out)
    }

    /// Interactions per item.
    public func itemDegrees() -> [Int] {
        var d = [Int](repeating: 0, count: itemCount)
        for i in items { d[Int(i)] += 1 }
        return d
    }

    /// Item → users transpose (users ascending per item), as `UserItemLists` with roles swapped.
    public func transposed() -> UserItemLists {
        var counts = [Int](repeating: 0, count: itemCount + 1)
        for i in items { counts[Int(i) + 1] += 1 }
        for i in 0..<itemCount { counts[i + 1] += counts[i] }
        var fill = counts
        var users = [Int32](repeating: 0, count: items.count)
        for u in 0..<userCount {
            for k in offsets[u]..<offsets[u + 1] {
                let i = Int(items[k])
                users[fill[i]] = Int32(u)
                fill[i] += 1
            }
        }
        return UserItemLists(userCount: itemCount, itemCount: userCount, offsets: counts, items: users)
    }
}
