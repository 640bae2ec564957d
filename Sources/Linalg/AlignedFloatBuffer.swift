#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An owned, zero-initialised, 64-byte aligned `Float` buffer for hot kernels.
///
/// Row-major matrices whose row stride is a multiple of 16 floats start every row on a cache
/// line. Buffers of 2 MiB or more are 2 MiB aligned and advised as transparent huge pages
/// (Linux), which keeps random row gathers from missing the TLB. The buffer is a reference type
/// so kernels can share it without copy-on-write checks; the owner guarantees that concurrent
/// writers touch disjoint elements.
public final class AlignedFloatBuffer: @unchecked Sendable {
    public let count: Int
    public let base: UnsafeMutablePointer<Float>

    public init(count: Int) {
        precondition(count >= 0)
        self.count = count
        let capacity = max(count, 16)
        let bytes = capacity * MemoryLayout<Float>.stride
        let huge = 2 << 20
        let alignment = bytes >= huge ? huge : 64
        let rounded = (bytes + alignment - 1) / alignment * alignment
        let raw = UnsafeMutableRawPointer.allocate(byteCount: rounded, alignment: alignment)
        #if os(Linux)
        if alignment == huge { _ = madvise(raw, rounded, 14 /* MADV_HUGEPAGE */) }
        #endif
        base = raw.bindMemory(to: Float.self, capacity: capacity)
        base.initialize(repeating: 0, count: capacity)
    }

    deinit { base.deallocate() }

    @inlinable public var pointer: SendablePointer<Float> { SendablePointer(base) }

    /// Sets every element to zero.
    public func zero() { base.update(repeating: 0, count: count) }

    /// A copy of the contents as an array.
    public func array() -> [Float] { Array(UnsafeBufferPointer(start: base, count: count)) }

    /// Overwrites the contents from an array of the same length.
    public func assign(_ values: [Float]) {
        precondition(values.count == count, "AlignedFloatBuffer: \(values.count) values for \(count) elements")
        values.withUnsafeBufferPointer { base.update(from: $0.baseAddress!, count: count) }
    }
}
