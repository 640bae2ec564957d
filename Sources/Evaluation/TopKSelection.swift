/// Streaming top-K selection over a score row, K = `RankingMetrics.depth`.
///
/// Contract: after scanning items in ascending index order (possibly split across several calls
/// on consecutive item tiles), `scores[0..<filled]` / `items[0..<filled]` hold the K best items
/// ordered by descending score, ties broken by ascending item index — exactly the first K
/// entries of a stable descending sort of the whole row. `filled` = min(K, items scanned).
/// Scores must not be NaN (a NaN item may be dropped or kept; −∞ is fine).
///
/// Method (two passes over the row, both SIMD):
/// 1. *Bound.* The row's full 64-wide chunks are folded lane-wise with `max` into 64 stripe maxima
///    (stripe j = items ≡ j mod 64). Each maximum is the score of a distinct item, so the K-th
///    largest of them, t₀, is ≤ the row's K-th largest score: no item scoring below t₀ can rank.
/// 2. *Candidates.* Items with score ≥ t (t = t₀, raised to the buffer's K-th score once the buffer
///    is full) go through exact insertion, in ascending item order. An item arriving later ties
///    with an equal score already held and loses (larger index), so a full buffer admits only
///    scores strictly above its K-th score.
/// Typically ~K + a few items reach the insertion step instead of K·(1 + ln(n/K)).
@usableFromInline
struct TopKSelection {
    @usableFromInline static let k = RankingMetrics.depth

    /// Scans `count` scores `row[0..<count]` belonging to items `firstItem ..< firstItem+count`.
    @inlinable
    static func scan(row: UnsafePointer<Float>, firstItem: Int, count: Int,
                     scores: UnsafeMutablePointer<Float>, items: UnsafeMutablePointer<Int32>,
                     filled: inout Int) {
        let bound = count >= 64 ? stripeBound(row: row, count: count) : -Float.infinity
        var t = filled == k ? max(bound, scores[k - 1]) : bound
        var i = 0
        let raw = UnsafeRawPointer(row)
        while i + 64 <= count {
            let tv = SIMD16<Float>(repeating: t)
            let a = raw.loadUnaligned(fromByteOffset: 4 * i, as: SIMD16<Float>.self)
            let b = raw.loadUnaligned(fromByteOffset: 4 * (i + 16), as: SIMD16<Float>.self)
            let c = raw.loadUnaligned(fromByteOffset: 4 * (i + 32), as: SIMD16<Float>.self)
            let d = raw.loadUnaligned(fromByteOffset: 4 * (i + 48), as: SIMD16<Float>.self)
            if any((a .>= tv) .| (b .>= tv) .| (c .>= tv) .| (d .>= tv)) {
                admit(a, firstIndex: firstItem + i, bound: bound, t: &t, scores: scores, items: items, filled: &filled)
                admit(b, firstIndex: firstItem + i + 16, bound: bound, t: &t, scores: scores, items: items, filled: &filled)
                admit(c, firstIndex: firstItem + i + 32, bound: bound, t: &t, scores: scores, items: items, filled: &filled)
                admit(d, firstIndex: firstItem + i + 48, bound: bound, t: &t, scores: scores, items: items, filled: &filled)
            }
            i += 64
        }
        while i < count {
            let s = row[i]
            if s >= t { offer(s, Int32(firstItem + i), bound: bound, t: &t, scores: scores, items: items, filled: &filled) }
            i += 1
        }
    }

    /// The K-th largest of the 64 lane-wise maxima over the full 64-wide chunks of the row
    /// (requires count ≥ 64). Each maximum is some item's score, so at least K distinct items
    /// score ≥ the result.
    @inlinable @inline(__always)
    static func stripeBound(row: UnsafePointer<Float>, count: Int) -> Float {
        let raw = UnsafeRawPointer(row)
        var m0 = raw.loadUnaligned(fromByteOffset: 0, as: SIMD16<Float>.self)
        var m1 = raw.loadUnaligned(fromByteOffset: 64, as: SIMD16<Float>.self)
        var m2 = raw.loadUnaligned(fromByteOffset: 128, as: SIMD16<Float>.self)
        var m3 = raw.loadUnaligned(fromByteOffset: 192, as: SIMD16<Float>.self)
        var i = 64
        while i + 64 <= count {
            m0 = larger(m0, raw.loadUnaligned(fromByteOffset: 4 * i, as: SIMD16<Float>.self))
            m1 = larger(m1, raw.loadUnaligned(fromByteOffset: 4 * (i + 16), as: SIMD16<Float>.self))
            m2 = larger(m2, raw.loadUnaligned(fromByteOffset: 4 * (i + 32), as: SIMD16<Float>.self))
            m3 = larger(m3, raw.loadUnaligned(fromByteOffset: 4 * (i + 48), as: SIMD16<Float>.self))
            i += 64
        }
        var best = -Float.infinity
        for v in 0..<4 {
            let mv = v == 0 ? m0 : v == 1 ? m1 : v == 2 ? m2 : m3
            for lane in 0..<16 {
                let x = mv[lane]
                if !(x > best) { continue }
                let xv = SIMD16<Float>(repeating: x)
                let atLeast = laneBits(m0 .>= xv).nonzeroBitCount + laneBits(m1 .>= xv).nonzeroBitCount
                    + laneBits(m2 .>= xv).nonzeroBitCount + laneBits(m3 .>= xv).nonzeroBitCount
                if atLeast >= k { best = x }
            }
        }
        return best
    }

    /// Lane-wise max without `pointwiseMax`'s NaN rules (which do not vectorise): where `b > a`, b.
    @inlinable @inline(__always)
    static func larger(_ a: SIMD16<Float>, _ b: SIMD16<Float>) -> SIMD16<Float> {
        a.replacing(with: b, where: b .> a)
    }

    /// Offers the lanes of `v` (items `firstIndex ..< firstIndex+16`) that reach the threshold `t`.
    @inlinable @inline(__always)
    static func admit(_ v: SIMD16<Float>, firstIndex: Int, bound: Float, t: inout Float,
                      scores: UnsafeMutablePointer<Float>, items: UnsafeMutablePointer<Int32>, filled: inout Int) {
        var bits = laneBits(v .>= SIMD16<Float>(repeating: t))
        while bits != 0 {
            let lane = bits.trailingZeroBitCount
            bits &= bits - 1
            let s = v[lane]
            if s >= t { offer(s, Int32(firstIndex + lane), bound: bound, t: &t, scores: scores, items: items, filled: &filled) }
        }
    }

    /// Exact insertion of one item (later than every item held), then the threshold update.
    @inlinable @inline(__always)
    static func offer(_ s: Float, _ item: Int32, bound: Float, t: inout Float,
                      scores: UnsafeMutablePointer<Float>, items: UnsafeMutablePointer<Int32>, filled: inout Int) {
        if filled < k {
            var j = filled
            while j > 0 && scores[j - 1] < s {
                scores[j] = scores[j - 1]; items[j] = items[j - 1]
                j -= 1
            }
            scores[j] = s; items[j] = item
            filled += 1
            if filled == k { t = max(bound, scores[k - 1]) }
        } else if s > scores[k - 1] {
            var j = k - 1
            while j > 0 && scores[j - 1] < s {
                scores[j] = scores[j - 1]; items[j] = items[j - 1]
                j -= 1
            }
            scores[j] = s; items[j] = item
            t = max(bound, scores[k - 1])
        }
    }

    /// Bit j set iff lane j of `m` is true.
    @inlinable @inline(__always)
    static func laneBits(_ m: SIMDMask<SIMD16<Int32>>) -> UInt32 {
        let weights = SIMD16<Int32>(1 << 0, 1 << 1, 1 << 2, 1 << 3, 1 << 4, 1 << 5, 1 << 6, 1 << 7,
                                    1 << 8, 1 << 9, 1 << 10, 1 << 11, 1 << 12, 1 << 13, 1 << 14, 1 << 15)
        let chosen = SIMD16<Int32>(repeating: 0).replacing(with: weights, where: m)
        return UInt32(truncatingIfNeeded: chosen.wrappedSum())
    }
}
