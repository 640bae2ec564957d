/// The nodes a BPR batch touches, grouped by node: a CSR over nodes whose entries are
/// `3·b + role` (role 0 = user u_b, 1 = positive item, 2 = negative item), in ascending order
/// within each node. Graph backbones use it to gather/scatter whole rows deterministically in
/// parallel (each node's contributions are added by one thread in batch order) and to know
/// which rows of the final representation a step needs.
///
/// Node ids: user u → u, item i → `userCount + i`. Buffers are reused between batches.
public final class BatchNodeIndex {
    public let userCount: Int
    public let nodeCount: Int
    /// Entries of node n: `entries[offsets[n]..<offsets[n+1]]`.
    public private(set) var offsets: [Int32]
    public private(set) var entries: [Int32]
    /// `widthIfTouched` for touched nodes, 0 otherwise (an `outputWidths` argument of `GraphPropagation`).
    public private(set) var touchedWidths: [Int32]
    public private(set) var batchSize = 0
    private let widthIfTouched: Int32
    private var cursor: [Int32]

    public init(userCount: Int, nodeCount: Int, widthIfTouched: Int) {
        self.userCount = userCount
        self.nodeCount = nodeCount
        self.widthIfTouched = Int32(widthIfTouched)
        offsets = [Int32](repeating: 0, count: nodeCount + 1)
        cursor = offsets
        entries = []
        touchedWidths = [Int32](repeating: 0, count: nodeCount)
    }

    @inline(__always) public func node(of entry: Int32, in batch: BPRBatch) -> Int {
        let b = Int(entry) / 3
        switch Int(entry) % 3 {
        case 0: return Int(batch.users[b])
        case 1: return userCount + Int(batch.positives[b])
        default: return userCount + Int(batch.negatives[b])
        }
    }

    /// Occurrences of node n in the batch.
    @inline(__always) public func count(_ n: Int) -> Int { Int(offsets[n + 1] - offsets[n]) }

    public func rebuild(for batch: BPRBatch) {
        let B = batch.count, U = userCount
        batchSize = B
        for n in 0...nodeCount { offsets[n] = 0 }
        for b in 0..<B {
            offsets[Int(batch.users[b]) + 1] += 1
            offsets[U + Int(batch.positives[b]) + 1] += 1
            offsets[U + Int(batch.negatives[b]) + 1] += 1
        }
        for n in 0..<nodeCount { offsets[n + 1] += offsets[n] }
        if entries.count != 3 * B { entries = [Int32](repeating: 0, count: 3 * B) }
        for n in 0..<nodeCount {
            cursor[n] = offsets[n]
            touchedWidths[n] = offsets[n + 1] > offsets[n] ? widthIfTouched : 0
        }
        for b in 0..<B {
            let nodes = (Int(batch.users[b]), U + Int(batch.positives[b]), U + Int(batch.negatives[b]))
            entries[Int(cursor[nodes.0])] = Int32(3 * b); cursor[nodes.0] += 1
            entries[Int(cursor[nodes.1])] = Int32(3 * b + 1); cursor[nodes.1] += 1
            entries[Int(cursor[nodes.2])] = Int32(3 * b + 2); cursor[nodes.2] += 1
        }
    }
}
