import Foundation
import Linalg

/// The BPR part of the loss on final representations F (row-major, `stride` floats per node;
/// scores are dot products over the whole row, padding columns being zero):
///
///     L_bpr = (1/B) Σ_b softplus(x_b),   x_b = ⟨F_u, F_j⟩ − ⟨F_u, F_i⟩
///
/// and its gradient with respect to F, with c_b = σ(x_b)/B:
///
///     ∂L/∂F_u += c_b (F_j − F_i),   ∂L/∂F_i −= c_b F_u,   ∂L/∂F_j += c_b F_u.
///
/// The gradient is written as whole rows of a dense N × stride matrix: every touched node's row
/// is overwritten with the sum of its contributions (in batch order, by one thread), and rows in
/// `clear` (nodes touched by an earlier batch) are zeroed; all other rows must already be zero.
/// Deterministic and independent of the thread count (the loss sums fixed chunks in order).
public enum BPRObjective {
    public static func lossAndGradient(final f: UnsafePointer<Float>, stride: Int, batch: BPRBatch,
                                       index: BatchNodeIndex, coefficients: inout [Float],
                                       gradient g: UnsafeMutablePointer<Float>, clear: inout [Bool]) -> Double {
        let B = batch.count, U = index.userCount
        precondition(stride % 16 == 0 && index.batchSize == B)
        if coefficients.count != B { coefficients = [Float](repeating: 0, count: B) }
        let fp = SendablePointer(UnsafeMutablePointer(mutating: f))
        let gp = SendablePointer(g)
        let chunks = stride / 16
        let invB = 1 / Double(B)
        let loss: Double = batch.users.withUnsafeBufferPointer { ub in
            batch.positives.withUnsafeBufferPointer { pb in
                batch.negatives.withUnsafeBufferPointer { nb in
                    coefficients.withUnsafeMutableBufferPointer { cb in
                        let us = SendablePointer(UnsafeMutablePointer(mutating: ub.baseAddress!))
                        let ps = SendablePointer(UnsafeMutablePointer(mutating: pb.baseAddress!))
                        let ns = SendablePointer(UnsafeMutablePointer(mutating: nb.baseAddress!))
                        let coef = cb.sendable
                        return Parallel.sum(count: B, grain: 256) { range in
                            var s = 0.0
                            for b in range {
                                let fu = fp.base + Int(us[b]) * stride
                                let fi = fp.base + (U + Int(ps[b])) * stride
                                let fj = fp.base + (U + Int(ns[b])) * stride
                                var d = SIMD16<Float>()
                                for c in 0..<chunks {
                                    let u = load(fu + 16 * c)
                                    d.addProduct(u, load(fj + 16 * c) - load(fi + 16 * c))
                                }
                                let x = Double(d.sum())
                                s += max(x, 0) + log1p(exp(-abs(x)))
                                coef[b] = Float(1 / (1 + exp(-x)) * invB)
                            }
                            return s
                        }
                    }
                }
            }
        } * invB
        scatter(f: fp, g: gp, stride: stride, batch: batch, index: index, coefficients: coefficients, clear: &clear)
        return loss
    }

    @inline(__always) static func load(_ p: UnsafePointer<Float>) -> SIMD16<Float> {
        UnsafeRawPointer(p).loadUnaligned(as: SIMD16<Float>.self)
    }
    @inline(__always) static func load(_ p: UnsafeMutablePointer<Float>) -> SIMD16<Float> {
        UnsafeRawPointer(p).loadUnaligned(as: SIMD16<Float>.self)
    }

    private static func scatter(f: SendablePointer<Float>, g: SendablePointer<Float>, stride: Int, batch: BPRBatch,
                                index: BatchNodeIndex, coefficients: [Float], clear: inout [Bool]) {
        let U = index.userCount, N = index.nodeCount, chunks = stride / 16
        if clear.count != N { clear = [Bool](repeating: false, count: N) }
        index.offsets.withUnsafeBufferPointer { ob in
        index.entries.withUnsafeBufferPointer { eb in
        coefficients.withUnsafeBufferPointer { cb in
        batch.users.withUnsafeBufferPointer { ub in
        batch.positives.withUnsafeBufferPointer { pb in
        batch.negatives.withUnsafeBufferPointer { nb in
        clear.withUnsafeMutableBufferPointer { clb in
            let off = SendablePointer(UnsafeMutablePointer(mutating: ob.baseAddress!))
            let ent = SendablePointer(UnsafeMutablePointer(mutating: eb.baseAddress!))
            let coef = SendablePointer(UnsafeMutablePointer(mutating: cb.baseAddress!))
            let us = SendablePointer(UnsafeMutablePointer(mutating: ub.baseAddress!))
            let ps = SendablePointer(UnsafeMutablePointer(mutating: pb.baseAddress!))
            let ns = SendablePointer(UnsafeMutablePointer(mutating: nb.baseAddress!))
            let dirty = clb.sendable
            Parallel.forEachChunk(count: N, grain: 128) { _, nodes in
                for n in nodes {
                    let row = g.base + n * stride
                    let k0 = Int(off[n]), k1 = Int(off[n + 1])
                    if k0 == k1 {
                        if dirty[n] { row.update(repeating: 0, count: stride); dirty[n] = false }
                        continue
                    }
                    dirty[n] = true
                    for c in 0..<chunks {
                        var acc = SIMD16<Float>()
                        for k in k0..<k1 {
                            let e = Int(ent[k]), b = e / 3
                            let cf = SIMD16<Float>(repeating: coef[b])
                            switch e - 3 * b {
                            case 0:
                                let fi = f.base + (U + Int(ps[b])) * stride + 16 * c
                                let fj = f.base + (U + Int(ns[b])) * stride + 16 * c
                                acc.addProduct(cf, load(fj) - load(fi))
                            case 1:
                                acc.addProduct(-cf, load(f.base + Int(us[b]) * stride + 16 * c))
                            default:
                                acc.addProduct(cf, load(f.base + Int(us[b]) * stride + 16 * c))
                            }
                        }
                        UnsafeMutableRawPointer(row + 16 * c).storeBytes(of: acc, as: SIMD16<Float>.self)
                    }
                }
            }
        }}}}}}}
    }
}
