/// A counter-based Bernoulli keep mask for dropout: element `k` (any index below 2³²) is kept iff
///
///     h(k) = fmix32(fmix32(k·0x9E3779B1 ⊕ key₀) ⊕ key₁) ≥ threshold,   threshold = round(p_drop·2³²)
///
/// with murmur3's finaliser `fmix32`. For a fixed key, k ↦ h(k) is a bijection of the 32-bit
/// integers (odd multiplications, xor-shifts and xors are invertible), so over any 2³² indices the
/// drop rate is exactly threshold / 2³² (0.1 for p = 0.1 up to 1e−10) and no two indices share a
/// hash. The key comes from a `RandomStream` (e.g. a fresh key per training step), so the mask is
/// a pure function of (key, k): it can be evaluated in any order and by any thread with
/// bit-identical results, re-evaluated in a backward pass instead of being stored, and
/// evaluated sixteen indices at a time with SIMD integer arithmetic.
public struct HashedDropoutMask: Sendable, Equatable {
    public let key0: UInt32
    public let key1: UInt32
    public let threshold: UInt32
    /// The drop probability p.
    public let dropProbability: Double

    /// A mask dropping with probability `dropProbability` ∈ [0, 1), keyed by one 64-bit draw.
    public init(dropProbability: Double, key: UInt64) {
        precondition(dropProbability >= 0 && dropProbability < 1, "drop probability must lie in [0, 1)")
        self.dropProbability = dropProbability
        key0 = UInt32(truncatingIfNeeded: key)
        key1 = UInt32(truncatingIfNeeded: key >> 32)
        threshold = UInt32(min((dropProbability * 4_294_967_296).rounded(), 4_294_967_295))
    }

    /// The keep scale of inverted dropout, 1 / (1 − p).
    public var keepScale: Float { Float(1 / (1 - dropProbability)) }

    @inlinable @inline(__always) static func fmix(_ x: UInt32) -> UInt32 {
        var h = x
        h ^= h >> 16
        h &*= 0x85EB_CA6B
        h ^= h >> 13
        h &*= 0xC2B2_AE35
        h ^= h >> 16
        return h
    }

    @inlinable @inline(__always) static func fmix(_ x: SIMD16<UInt32>) -> SIMD16<UInt32> {
        var h = x
        h ^= h &>> 16
        h &*= 0x85EB_CA6B
        h ^= h &>> 13
        h &*= 0xC2B2_AE35
        h ^= h &>> 16
        return h
    }

    /// Whether element `index` is kept.
    @inlinable @inline(__always) public func keeps(_ index: Int) -> Bool {
        let k = UInt32(truncatingIfNeeded: index)
        return HashedDropoutMask.fmix(HashedDropoutMask.fmix(k &* 0x9E37_79B1 ^ key0) ^ key1) >= threshold
    }

    /// Lanes `index + 0…15`: true where kept.
    @inlinable @inline(__always) public func keeps16(from index: Int) -> SIMDMask<SIMD16<Int32>> {
        let lanes = SIMD16<UInt32>(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15)
        let k = SIMD16<UInt32>(repeating: UInt32(truncatingIfNeeded: index)) &+ lanes
        return keeps16(indices: k)
    }

    /// Sixteen arbitrary indices: true where kept.
    @inlinable @inline(__always) public func keeps16(indices k: SIMD16<UInt32>) -> SIMDMask<SIMD16<Int32>> {
        let a = HashedDropoutMask.fmix((k &* 0x9E37_79B1) ^ SIMD16(repeating: key0))
        let h = HashedDropoutMask.fmix(a ^ SIMD16(repeating: key1))
        return h .>= SIMD16(repeating: threshold)
    }
}
