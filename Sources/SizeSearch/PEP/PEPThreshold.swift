import Foundation
import Linalg

/// PEP's soft threshold (docs/method.md §3.3, granularity "feature_dim": one threshold per entry), applied
/// element-wise to a table V and its threshold logits s of the same shape:
///
///     g(s) = σ(s) = 1 / (1 + e^{−s}),          Ṽ = sign(V) ⊙ ReLU(|V| − g(s))
///
/// Backward (autograd sub-gradients as torch computes them: sign has derivative 0, ReLU'(0) = 0,
/// so an entry is *active* iff |V| > g(s)); for an upstream gradient G = ∂L/∂Ṽ:
///
///     ∂L/∂V = G ⊙ 1[|V| > g(s)]
///     ∂L/∂s = −G ⊙ sign(V) ⊙ g(s)(1 − g(s)) ⊙ 1[|V| > g(s)]
///
/// An inactive entry (Ṽ = 0) gets zero loss gradient for both V and s; it can come back only
/// through Adam's momentum (the coupled L2 on s pulls s towards 0, i.e. *raises* σ(s)).
/// sign(0) = 0 makes V = 0 inactive for any s.
/// Element-wise in fixed chunks, so the result does not depend on the thread count.
public enum PEPThreshold {
    static let grain = 1 << 15

    @inline(__always) static func gate(_ s: Float) -> Float { 1 / (1 + Foundation.exp(-s)) }

    /// Ṽ for V and s (same count).
    public static func forward(values v: [Float], thresholds s: [Float]) -> [Float] {
        precondition(v.count == s.count, "PEPThreshold: V and s differ in size")
        var out = [Float](repeating: 0, count: v.count)
        v.withUnsafeBufferPointer { vb in
            s.withUnsafeBufferPointer { sb in
                out.withUnsafeMutableBufferPointer { ob in
                    let vp = SendablePointer(UnsafeMutablePointer(mutating: vb.baseAddress!))
                    let sp = SendablePointer(UnsafeMutablePointer(mutating: sb.baseAddress!))
                    let op = ob.sendable
                    Parallel.forEachChunk(count: vb.count, grain: grain) { _, r in
                        for i in r {
                            let x = vp[i], m = abs(x) - gate(sp[i])
                            op[i] = m > 0 ? (x > 0 ? m : -m) : 0
                        }
                    }
                }
            }
        }
        return out
    }

    /// ∂L/∂V and ∂L/∂s from the upstream gradient G = ∂L/∂Ṽ.
    public static func backward(values v: [Float], thresholds s: [Float],
                                upstream g: [Float]) -> (values: [Float], thresholds: [Float]) {
        precondition(v.count == s.count && v.count == g.count, "PEPThreshold: V, s and G differ in size")
        var dv = [Float](repeating: 0, count: v.count), ds = [Float](repeating: 0, count: v.count)
        v.withUnsafeBufferPointer { vb in
            s.withUnsafeBufferPointer { sb in
                g.withUnsafeBufferPointer { gb in
                    dv.withUnsafeMutableBufferPointer { dvb in
                        ds.withUnsafeMutableBufferPointer { dsb in
                            let vp = SendablePointer(UnsafeMutablePointer(mutating: vb.baseAddress!))
                            let sp = SendablePointer(UnsafeMutablePointer(mutating: sb.baseAddress!))
                            let gp = SendablePointer(UnsafeMutablePointer(mutating: gb.baseAddress!))
                            let dvp = dvb.sendable, dsp = dsb.sendable
                            Parallel.forEachChunk(count: vb.count, grain: grain) { _, r in
                                for i in r {
                                    let x = vp[i], t = gate(sp[i])
                                    guard abs(x) > t else { continue }
                                    let gi = gp[i]
                                    dvp[i] = gi
                                    let slope = t * (1 - t)
                                    dsp[i] = x > 0 ? -gi * slope : gi * slope
                                }
                            }
                        }
                    }
                }
            }
        }
        return (dv, ds)
    }
}
