/// The distinct users and items of a NeuMF BPR batch, each with a dense *slot*, and for every slot
/// the batch occurrences in ascending order (a CSR). NeuMF computes the tower halves once per slot
/// (not once per pair) and gathers each slot's gradient contributions by one thread in batch order,
/// which makes the scatter deterministic and parallel.
///
/// * User slot entries are pair indices b ∈ 0..<B.
/// * Item slot entries are e ∈ 0..<2B: e < B is the positive of pair e, e ≥ B the negative of pair e − B.
/// * Slots are ordered by descending mask width (then ascending id), so the slots of width > w form
///   a prefix and the tower products can be cut into width bins (`userBins`/`itemBins`: slot ranges
///   whose widths all lie in (16(b−1), 16b], with K = min(dMax, 16b) the columns they use).
///   `pairUser/pairPositive/pairNegative[b]` are the slots of pair b. Buffers are reused.
final class NeuMFBatchIndex {
    let userCount: Int
    let itemCount: Int
    private(set) var batchSize = 0
    /// Slot of each user / item, −1 if absent from the batch.
    private(set) var userSlot: [Int32]
    private(set) var itemSlot: [Int32]
    /// Ids by slot.
    private(set) var users: [Int32] = []
    private(set) var items: [Int32] = []
    private(set) var userOffsets: [Int32] = [0]
    private(set) var userEntries: [Int32] = []
    private(set) var itemOffsets: [Int32] = [0]
    private(set) var itemEntries: [Int32] = []
    private(set) var pairUser: [Int32] = []
    private(set) var pairPositive: [Int32] = []
    private(set) var pairNegative: [Int32] = []
    /// Width bins in slot order (descending K); empty bins are omitted.
    private(set) var userBins: [(slots: Range<Int>, columns: Int)] = []
    private(set) var itemBins: [(slots: Range<Int>, columns: Int)] = []
    /// Number of slots of width > 16·j, for j = 0..<⌈dMax/16⌉ (prefix lengths).
    private(set) var userPrefix: [Int] = []
    private(set) var itemPrefix: [Int] = []
    private var userCounts: [Int32]
    private var itemCounts: [Int32]

    init(userCount: Int, itemCount: Int) {
        self.userCount = userCount
        self.itemCount = itemCount
        userSlot = [Int32](repeating: -1, count: userCount)
        itemSlot = [Int32](repeating: -1, count: itemCount)
        userCounts = [Int32](repeating: 0, count: userCount)
        itemCounts = [Int32](repeating: 0, count: itemCount)
    }

    var distinctUsers: Int { users.count }
    var distinctItems: Int { items.count }

    /// Occurrences of user slot s (as a user) / item slot s (as a positive or negative).
    @inline(__always) func userOccurrences(_ s: Int) -> Int { Int(userOffsets[s + 1] - userOffsets[s]) }
    @inline(__always) func itemOccurrences(_ s: Int) -> Int { Int(itemOffsets[s + 1] - itemOffsets[s]) }

    func rebuild(for batch: BPRBatch, widths: [Int32], dMax: Int) {
        // Clear the slots of the previous batch.
        for u in users { userSlot[Int(u)] = -1; userCounts[Int(u)] = 0 }
        for i in items { itemSlot[Int(i)] = -1; itemCounts[Int(i)] = 0 }
        let B = batch.count
        batchSize = B
        for b in 0..<B {
            userCounts[Int(batch.users[b])] += 1
            itemCounts[Int(batch.positives[b])] += 1
            itemCounts[Int(batch.negatives[b])] += 1
        }
        order(ids: &users, offsets: &userOffsets, slots: &userSlot, counts: userCounts, idCount: userCount,
              width: { widths[$0] }, dMax: dMax, bins: &userBins, prefix: &userPrefix)
        order(ids: &items, offsets: &itemOffsets, slots: &itemSlot, counts: itemCounts, idCount: itemCount,
              width: { widths[self.userCount + $0] }, dMax: dMax, bins: &itemBins, prefix: &itemPrefix)
        if userEntries.count != B {
            userEntries = [Int32](repeating: 0, count: B)
            itemEntries = [Int32](repeating: 0, count: 2 * B)
            pairUser = [Int32](repeating: 0, count: B)
            pairPositive = [Int32](repeating: 0, count: B)
            pairNegative = [Int32](repeating: 0, count: B)
        }
        // Fill the CSRs in ascending entry order (userCounts/itemCounts reused as cursors).
        for (s, u) in users.enumerated() { userCounts[Int(u)] = userOffsets[s] }
        for (s, i) in items.enumerated() { itemCounts[Int(i)] = itemOffsets[s] }
        for b in 0..<B {
            let u = Int(batch.users[b]), p = Int(batch.positives[b])
            pairUser[b] = userSlot[u]
            pairPositive[b] = itemSlot[p]
            pairNegative[b] = itemSlot[Int(batch.negatives[b])]
            userEntries[Int(userCounts[u])] = Int32(b); userCounts[u] += 1
            itemEntries[Int(itemCounts[p])] = Int32(b); itemCounts[p] += 1
        }
        for b in 0..<B {
            let n = Int(batch.negatives[b])
            itemEntries[Int(itemCounts[n])] = Int32(B + b); itemCounts[n] += 1
        }
        for u in users { userCounts[Int(u)] = 0 }
        for i in items { itemCounts[Int(i)] = 0 }
        // Counts are now zero for every id; rebuild them lazily on the next batch.
    }

    /// The ids present (count > 0) sorted by descending width then id, their slots, CSR offsets,
    /// width bins and prefix lengths.
    private func order(ids: inout [Int32], offsets: inout [Int32], slots: inout [Int32], counts: [Int32],
                       idCount: Int, width: (Int) -> Int32, dMax: Int,
                       bins: inout [(slots: Range<Int>, columns: Int)], prefix: inout [Int]) {
        var perWidth = [Int](repeating: 0, count: dMax + 2)
        var present = 0
        for i in 0..<idCount where counts[i] > 0 { perWidth[Int(width(i))] += 1; present += 1 }
        // Start position of each width in descending order.
        var start = [Int](repeating: 0, count: dMax + 2)
        var acc = 0
        for w in stride(from: dMax, through: 1, by: -1) { start[w] = acc; acc += perWidth[w] }
        ids = [Int32](repeating: 0, count: present)
        var cursor = start
        for i in 0..<idCount where counts[i] > 0 {
            let w = Int(width(i))
            ids[cursor[w]] = Int32(i)
            slots[i] = Int32(cursor[w])
            cursor[w] += 1
        }
        offsets.removeAll(keepingCapacity: true)
        offsets.append(0)
        for i in ids { offsets.append(offsets[offsets.count - 1] + counts[Int(i)]) }
        bins.removeAll(keepingCapacity: true)
        let blocks = (dMax + 15) / 16
        for b in stride(from: blocks, through: 1, by: -1) {
            let lo = 16 * (b - 1) + 1, hi = min(dMax, 16 * b)
            let first = start[hi], last = start[lo] + perWidth[lo]
            if last > first { bins.append((first..<last, hi)) }
        }
        prefix = (0..<blocks).map { j in 16 * j + 1 <= dMax ? start[16 * j + 1] + perWidth[16 * j + 1] : 0 }
    }
}
