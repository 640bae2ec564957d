/// A square node × node matrix held as CSR arrays (the normalised adjacencies of the graph
/// backbones), with the general views every such matrix offers.
public protocol CSRStructure {
    var nodeCount: Int { get }
    var rowStart: [Int] { get }
    var colIndices: [Int32] { get }
    var values: [Float] { get }
}

extension CSRStructure {
    /// The matrix as a general `CSRMatrix` (reference kernels and tests).
    public var csr: CSRMatrix {
        CSRMatrix(rows: nodeCount, cols: nodeCount, rowStart: rowStart, colIndices: colIndices, values: values)
    }

    /// Contiguous row blocks with about equal cost `nnz + rowCost·rows`; depends only on the
    /// matrix and `parts` (never on the thread count).
    public func balancedRowRanges(parts: Int, rowCost: Int = 8) -> [Range<Int>] {
        csr.balancedRowRanges(parts: parts, rowCost: rowCost)
    }
}
