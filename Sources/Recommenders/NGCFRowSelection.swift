/// The nodes whose layer-3 output a pass needs, in ascending node order, compacted: `nodes[j]` is
/// the node of compact row j (j < `count`), `slots[n]` is the compact row of node n or −1, and
/// `widths[n]` is `columns` for selected nodes and 0 otherwise (an `outputWidths` argument).
///
/// NGCF's last layer feeds only the final representation F, so a training step needs it only
/// for the nodes its batch touches (F rows nobody reads are not computed); evaluation selects
/// every node. Buffers are allocated once.
final class NGCFRowSelection: @unchecked Sendable {
    let capacity: Int
    let columns: Int
    let nodes: UnsafeMutablePointer<Int32>
    let slots: UnsafeMutablePointer<Int32>
    let widths: UnsafeMutablePointer<Int32>
    private(set) var count = 0

    init(nodeCount: Int, columns: Int) {
        capacity = nodeCount
        self.columns = columns
        nodes = .allocate(capacity: max(1, nodeCount))
        slots = .allocate(capacity: max(1, nodeCount))
        widths = .allocate(capacity: max(1, nodeCount))
        selectAll()
    }

    deinit {
        nodes.deallocate()
        slots.deallocate()
        widths.deallocate()
    }

    func selectAll() {
        for n in 0..<capacity {
            nodes[n] = Int32(n)
            slots[n] = Int32(n)
            widths[n] = Int32(columns)
        }
        count = capacity
    }

    /// Nodes with at least one occurrence in the batch (`BatchNodeIndex.offsets`).
    func selectTouched(offsets: [Int32]) {
        var j = 0
        for n in 0..<capacity {
            if offsets[n + 1] > offsets[n] {
                nodes[j] = Int32(n)
                slots[n] = Int32(j)
                widths[n] = Int32(columns)
                j += 1
            } else {
                slots[n] = -1
                widths[n] = 0
            }
        }
        count = j
    }
}
