/// A dense row-major `Float` matrix: element (r, c) is `storage[r * cols + c]`.
public struct Matrix: Sendable, Equatable {
    public let rows: Int
    public let cols: Int
    public var storage: [Float]

    public init(rows: Int, cols: Int, repeating value: Float = 0) {
        precondition(rows >= 0 && cols >= 0)
        self.rows = rows
        self.cols = cols
        self.storage = [Float](repeating: value, count: rows * cols)
    }

    public init(rows: Int, cols: Int, storage: [Float]) {
        precondition(storage.count == rows * cols, "storage has \(storage.count) elements, expected \(rows)×\(cols)")
        self.rows = rows
        self.cols = cols
        self.storage = storage
    }

    @inlinable public subscript(r: Int, c: Int) -> Float {
        get { storage[r * cols + c] }
        set { storage[r * cols + c] = newValue }
    }

    /// Row `r` as an array (a copy).
    public func row(_ r: Int) -> [Float] { Array(storage[(r * cols)..<((r + 1) * cols)]) }

    /// Sets every element to zero, keeping the allocation.
    public mutating func zero() {
        storage.withUnsafeMutableBufferPointer { b in
            guard let p = b.baseAddress else { return }
            p.update(repeating: 0, count: b.count)
        }
    }

    /// Frobenius norm squared, accumulated in `Double`.
    public func squaredNorm() -> Double {
        var s = 0.0
        for v in storage { s += Double(v) * Double(v) }
        return s
    }
}
