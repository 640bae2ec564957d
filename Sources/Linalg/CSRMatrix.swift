/// A sparse matrix in compressed sparse row form with `Float` values.
///
/// Row `r` holds the entries `colIndices[rowStart[r]..<rowStart[r+1]]` with the same-index
/// `values`; column indices within a row are ascending. Indices are `Int32` (nnz < 2³¹).
public struct CSRMatrix: Sendable, Equatable {
    public let rows: Int
    public let cols: Int
    public let rowStart: [Int]
    public let colIndices: [Int32]
    public var values: [Float]

    public var nnz: Int { colIndices.count }

    public init(rows: Int, cols: Int, rowStart: [Int], colIndices: [Int32], values: [Float]) {
        precondition(rowStart.count == rows + 1 && rowStart.first == 0 && rowStart.last == colIndices.count,
                     "CSR: rowStart must have rows+1 entries from 0 to nnz")
        precondition(values.count == colIndices.count, "CSR: values and colIndices differ in length")
        self.rows = rows
        self.cols = cols
        self.rowStart = rowStart
        self.colIndices = colIndices
        self.values = values
    }

    /// Builds from unsorted (row, col, value) triples; duplicates are summed.
    public init(rows: Int, cols: Int, triples: [(Int, Int, Float)]) {
        var counts = [Int](repeating: 0, count: rows + 1)
        for t in triples { counts[t.0 + 1] += 1 }
        for r in 0..<rows { counts[r + 1] += counts[r] }
        var fill = counts
        var ci = [Int32](repeating: 0, count: triples.count)
        var vv = [Float](repeating: 0, count: triples.count)
        for t in triples {
            ci[fill[t.0]] = Int32(t.1)
            vv[fill[t.0]] = t.2
            fill[t.0] += 1
        }
        var outStart = [0]
        var outCols: [Int32] = []
        var outVals: [Float] = []
        outCols.reserveCapacity(triples.count)
        outVals.reserveCapacity(triples.count)
        for r in 0..<rows {
            let range = counts[r]..<counts[r + 1]
            let sorted = range.sorted { ci[$0] < ci[$1] }
            for k in sorted {
                if outCols.count > outStart[r], outCols.last == ci[k] {
                    outVals[outVals.count - 1] += vv[k]
                } else {
                    outCols.append(ci[k])
                    outVals.append(vv[k])
                }
            }
            outStart.append(outCols.count)
        }
        self.init(rows: rows, cols: cols, rowStart: outStart, colIndices: outCols, values: outVals)
    }

    /// Dense copy (tests and small cases only).
    public func dense() -> Matrix {
        var m = Matrix(rows: rows, cols: cols)
        for r in 0..<rows {
            for k in rowStart[r]..<rowStart[r + 1] { m[r, Int(colIndices[k])] += values[k] }
        }
        return m
    }

    /// Row blocks with about equal nnz (+ a per-row cost), for load-balanced parallel kernels.
    /// The cut depends only on the matrix and `parts`.
    public func balancedRowRanges(parts: Int, rowCost: Int = 8) -> [Range<Int>] {
        let total = nnz + rowCost * rows
        let parts = max(1, min(parts, rows))
        var ranges: [Range<Int>] = []
        var start = 0
        for p in 1...parts {
            let target = total * p / parts
            var end = start
            while end < rows && rowStart[end] + rowCost * end < target { end += 1 }
            if p == parts { end = rows }
            if end > start { ranges.append(start..<end) }
            start = end
        }
        return ranges
    }
}
