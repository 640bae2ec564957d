/// A raw pointer that may cross into the closures of `Parallel`.
///
/// The caller guarantees that concurrent chunks write disjoint elements; that is the contract of
/// every kernel that uses it.
public struct SendablePointer<T>: @unchecked Sendable {
    public let base: UnsafeMutablePointer<T>
    public init(_ base: UnsafeMutablePointer<T>) { self.base = base }
    @inlinable public subscript(i: Int) -> T {
        get { base[i] }
        nonmutating set { base[i] = newValue }
    }
    @inlinable public func advanced(by n: Int) -> UnsafeMutablePointer<T> { base + n }
}

extension UnsafeMutableBufferPointer {
    /// The buffer's base as a `SendablePointer` (the buffer must be non-empty or unused).
    @inlinable public var sendable: SendablePointer<Element> {
        SendablePointer(baseAddress ?? UnsafeMutablePointer<Element>(bitPattern: 16)!)
    }
}
