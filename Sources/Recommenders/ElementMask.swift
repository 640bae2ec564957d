import Linalg

/// An element-wise mask on the layer-0 tables: M_t[n, c] ∈ {0, 1} for table t (one table for
/// LightGCN/NGCF, two for NeuMF), entity n (users first, item i is row U + i) and column c < dMax.
/// The result of PEP (any pattern) and OptEmbed (kept rows × a per-field prefix).
///
/// Density ρ = Σ_t nnz(M_t) / (T·N·dMax) and sparsity 1 − ρ, computed from the bits themselves
/// (docs/method.md §3.0: never from a target). Rows are packed into `wordsPerRow` UInt64 words, bit c of
/// word c/64.
public struct ElementMask: Sendable, Equatable {
    public let tableNames: [String]
    public let userCount: Int
    public let itemCount: Int
    public let dMax: Int
    public let wordsPerRow: Int
    /// One packed N × wordsPerRow array per table.
    public private(set) var bits: [[UInt64]]

    /// All entries off.
    public init(tableNames: [String], userCount: Int, itemCount: Int, dMax: Int = 128) {
        precondition(!tableNames.isEmpty && userCount >= 0 && itemCount >= 0 && dMax >= 1 && dMax <= 255)
        self.tableNames = tableNames
        self.userCount = userCount
        self.itemCount = itemCount
        self.dMax = dMax
        wordsPerRow = (dMax + 63) / 64
        bits = tableNames.map { _ in [UInt64](repeating: 0, count: (userCount + itemCount) * ((dMax + 63) / 64)) }
    }

    /// The mask from packed words (as `ElementMaskFile` stores them); bits at c ≥ dMax must be 0.
    public init(tableNames: [String], userCount: Int, itemCount: Int, dMax: Int, bits: [[UInt64]]) {
        self.init(tableNames: tableNames, userCount: userCount, itemCount: itemCount, dMax: dMax)
        precondition(bits.count == tableNames.count && bits.allSatisfy { $0.count == self.bits[0].count },
                     "ElementMask: packed bits do not match the shape")
        self.bits = bits
    }

    public var nodeCount: Int { userCount + itemCount }

    public subscript(table: Int, row: Int, col: Int) -> Bool {
        get { bits[table][row * wordsPerRow + col / 64] >> UInt64(col % 64) & 1 == 1 }
        set {
            precondition(col >= 0 && col < dMax && row >= 0 && row < nodeCount)
            let bit = UInt64(1) << UInt64(col % 64)
            if newValue { bits[table][row * wordsPerRow + col / 64] |= bit } else { bits[table][row * wordsPerRow + col / 64] &= ~bit }
        }
    }

    /// M_t = 1[X_t ≠ 0] for each table X_t (N × dMax).
    public static func nonzeros(of tables: [Matrix], tableNames: [String], userCount: Int) -> ElementMask {
        precondition(tables.count == tableNames.count)
        let n = tables[0].rows, d = tables[0].cols
        var m = ElementMask(tableNames: tableNames, userCount: userCount, itemCount: n - userCount, dMax: d)
        for (t, x) in tables.enumerated() {
            precondition(x.rows == n && x.cols == d)
            for r in 0..<n { for c in 0..<d where x.storage[r * d + c] != 0 { m[t, r, c] = true } }
        }
        return m
    }

    /// The prefix mask of `sizes` on every table: M_t[n, c] = 1 iff c < d_n.
    public static func prefix(_ sizes: EmbeddingSizes, tableNames: [String]) -> ElementMask {
        var m = ElementMask(tableNames: tableNames, userCount: sizes.users.count, itemCount: sizes.items.count,
                            dMax: sizes.dMax)
        for (n, d) in sizes.nodeSizes.enumerated() {
            for t in tableNames.indices { for c in 0..<Int(d) { m[t, n, c] = true } }
        }
        return m
    }

    public func nonzeroCount(table: Int) -> Int { bits[table].reduce(0) { $0 + $1.nonzeroBitCount } }

    public var nonzeroCount: Int { tableNames.indices.reduce(0) { $0 + nonzeroCount(table: $1) } }

    public func rowCount(table: Int, row: Int) -> Int {
        (0..<wordsPerRow).reduce(0) { $0 + bits[table][row * wordsPerRow + $1].nonzeroBitCount }
    }

    public var density: Double {
        Double(nonzeroCount) / Double(tableNames.count * nodeCount * dMax)
    }

    public var sparsity: Double { 1 - density }

    /// X ⊙ M_t.
    public func apply(_ x: Matrix, table: Int) -> Matrix {
        precondition(x.rows == nodeCount && x.cols == dMax, "ElementMask.apply: shape")
        var out = x
        for r in 0..<nodeCount { for c in 0..<dMax where !self[table, r, c] { out.storage[r * dMax + c] = 0 } }
        return out
    }
}
