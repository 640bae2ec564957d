/// SIMD16 load/store helpers of the NeuMF kernels (unaligned-safe; all NeuMF buffers are
/// 64-byte aligned with row strides that are multiples of 16, so these are aligned in practice).
enum NeuMFSIMD {
    @inline(__always) static func load(_ p: UnsafePointer<Float>) -> SIMD16<Float> {
        UnsafeRawPointer(p).loadUnaligned(as: SIMD16<Float>.self)
    }

    @inline(__always) static func load(_ p: UnsafeMutablePointer<Float>) -> SIMD16<Float> {
        UnsafeRawPointer(p).loadUnaligned(as: SIMD16<Float>.self)
    }

    @inline(__always) static func store(_ v: SIMD16<Float>, _ p: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(p).storeBytes(of: v, as: SIMD16<Float>.self)
    }

    /// max(a, b) lane-wise with x86 MAXPS semantics (b where b > a, else a): one vmaxps.
    @inline(__always) static func max(_ a: SIMD16<Float>, _ b: SIMD16<Float>) -> SIMD16<Float> {
        a.replacing(with: b, where: b .> a)
    }
}
