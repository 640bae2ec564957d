import Evaluation

/// A test scorer over an explicit user × item score table (row-major).
struct MatrixScorer: BlockScorer {
    let userCount: Int
    let itemCount: Int
    let table: [Float]
    let supportsItemTiles: Bool

    init(users: Int, items: Int, table: [Float], tiles: Bool = true) {
        precondition(table.count == users * items)
        userCount = users; itemCount = items; self.table = table; supportsItemTiles = tiles
    }

    func scores(users: Range<Int>, into out: UnsafeMutablePointer<Float>) {
        for (r, u) in users.enumerated() {
            for i in 0..<itemCount { out[r * itemCount + i] = table[u * itemCount + i] }
        }
    }

    func scores(users: Range<Int>, items: Range<Int>, into out: UnsafeMutablePointer<Float>) {
        precondition(supportsItemTiles, "the evaluator asked a whole-row scorer for a tile")
        precondition(items != 0..<itemCount, "whole rows must come through scores(users:into:)")
        for (r, u) in users.enumerated() {
            for (c, i) in items.enumerated() { out[r * items.count + c] = table[u * itemCount + i] }
        }
    }
}
