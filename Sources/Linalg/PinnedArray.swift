/// A fixed-length copy of an array at a stable address, for kernels that run inside
/// `Parallel` closures (no `withUnsafeBufferPointer` nesting, no copy-on-write checks).
/// Immutable after construction, hence `Sendable`.
public final class PinnedArray<Element>: @unchecked Sendable {
    public let count: Int
    public let base: UnsafeMutablePointer<Element>

    public init(_ values: [Element]) {
        count = values.count
        base = UnsafeMutablePointer<Element>.allocate(capacity: max(1, values.count))
        values.withUnsafeBufferPointer { b in
            if let p = b.baseAddress { base.initialize(from: p, count: values.count) }
        }
    }

    deinit {
        base.deinitialize(count: count)
        base.deallocate()
    }

    @inlinable public subscript(i: Int) -> Element { base[i] }
}
