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

    /// The same rows with zero columns appended up to `width` (≥ `cols`); `self` when already that wide.
    public func widened(to width: Int) -> Matrix {
        precondition(width >= cols, "widened(to: \(width)) of a matrix with \(cols) columns")
        if width == cols { return self }
        var m = Matrix(rows: rows, cols: width)
        for r in 0..<rows {
            for c in 0..<cols { m.storage[r * width + c] = storage[r * cols + c] }
        }
        return m
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
