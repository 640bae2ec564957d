import Linalg

/// The Adam step of NeuMF's four embedding tables in one fused, parallel SIMD pass, with
/// `torch.optim.Adam`'s dense semantics (the arithmetic of `AdamState.update`):
///
///     m ← β₁m + (1−β₁)g,  v ← β₂v + (1−β₂)g²,  θ ← θ − (lr/(1−β₁ᵗ)) · m / (√v/√(1−β₂ᵗ) + ε)
///
/// on *every* row of G and P (users first, `stride` floats per row). A row present in the batch
/// takes g from its slot's gradient row (already masked and with the L2 term); a row absent from
/// the batch has g = 0, so its moments decay and it still moves while m ≠ 0. Only the first
/// `width` columns of a row are visited: the masked columns have g ≡ 0 from the first step on,
/// so their m, v stay 0 and the update is exactly 0 — skipping them is exact.
/// Rows are processed in fixed chunks, each element independently: thread-count independent.
enum NeuMFTableAdam {
    static let rowGrain = 256

    static func update(gmf: inout AdamState, mlp: inout AdamState,
                       gmfTable: UnsafeMutablePointer<Float>, mlpTable: UnsafeMutablePointer<Float>,
                       userCount: Int, itemCount: Int, stride: Int,
                       userSlot: UnsafePointer<Int32>, itemSlot: UnsafePointer<Int32>,
                       mlpWidths: UnsafePointer<Int32>, gmfWidths: UnsafePointer<Int32>,
                       userGmfGrad: UnsafeMutablePointer<Float>, userMlpGrad: UnsafeMutablePointer<Float>,
                       itemGmfGrad: UnsafeMutablePointer<Float>, itemMlpGrad: UnsafeMutablePointer<Float>,
                       lr: Float) {
        precondition(gmf.m.count == (userCount + itemCount) * stride && mlp.m.count == gmf.m.count && stride % 16 == 0)
        precondition(gmf.step == mlp.step && gmf.beta1 == mlp.beta1 && gmf.beta2 == mlp.beta2 && gmf.epsilon == mlp.epsilon)
        gmf.step += 1
        mlp.step += 1
        let step = gmf.step
        let bc1 = 1 - Float(Double(gmf.beta1).power(step))
        let bc2 = 1 - Float(Double(gmf.beta2).power(step))
        let c = Constants(stepSize: SIMD16(repeating: lr / bc1), b1: SIMD16(repeating: gmf.beta1),
                          b2: SIMD16(repeating: gmf.beta2), ob1: SIMD16(repeating: 1 - gmf.beta1),
                          ob2: SIMD16(repeating: 1 - gmf.beta2), eps: SIMD16(repeating: gmf.epsilon),
                          bc2Sqrt: SIMD16(repeating: bc2.squareRoot()))
        let U = userCount, N = userCount + itemCount
        let us = SendablePointer(UnsafeMutablePointer(mutating: userSlot))
        let isl = SendablePointer(UnsafeMutablePointer(mutating: itemSlot))
        let mw = SendablePointer(UnsafeMutablePointer(mutating: mlpWidths))
        let gw = SendablePointer(UnsafeMutablePointer(mutating: gmfWidths))
        let gT = SendablePointer(gmfTable), pT = SendablePointer(mlpTable)
        let ugg = SendablePointer(userGmfGrad), umg = SendablePointer(userMlpGrad)
        let igg = SendablePointer(itemGmfGrad), img = SendablePointer(itemMlpGrad)
        gmf.m.withUnsafeMutableBufferPointer { gmb in
            gmf.v.withUnsafeMutableBufferPointer { gvb in
                mlp.m.withUnsafeMutableBufferPointer { pmb in
                    mlp.v.withUnsafeMutableBufferPointer { pvb in
                        let gm = gmb.sendable, gv = gvb.sendable, pm = pmb.sendable, pv = pvb.sendable
                        Parallel.forEachChunk(count: N, grain: rowGrain) { _, rows in
                            for n in rows {
                                let slot = n < U ? Int(us[n]) : Int(isl[n - U])
                                let at = n &* stride
                                let gGrad: UnsafeMutablePointer<Float>?, pGrad: UnsafeMutablePointer<Float>?
                                if slot < 0 {
                                    gGrad = nil; pGrad = nil
                                } else if n < U {
                                    gGrad = ugg.base + slot * stride; pGrad = umg.base + slot * stride
                                } else {
                                    gGrad = igg.base + slot * stride; pGrad = img.base + slot * stride
                                }
                                row(Int(gw[n]), gT.base + at, gm.base + at, gv.base + at, gGrad, c)
                                row(Int(mw[n]), pT.base + at, pm.base + at, pv.base + at, pGrad, c)
                            }
                        }
                    }
                }
            }
        }
    }

    struct Constants {
        let stepSize, b1, b2, ob1, ob2, eps, bc2Sqrt: SIMD16<Float>
    }

    /// Columns 0..<width of one row; `grad` nil means g = 0. Lanes at or past `width` in the last
    /// vector get g = 0 and — since their m, v are 0 — an exactly zero update.
    @inline(__always)
    static func row(_ width: Int, _ p: UnsafeMutablePointer<Float>, _ m: UnsafeMutablePointer<Float>,
                    _ v: UnsafeMutablePointer<Float>, _ grad: UnsafeMutablePointer<Float>?, _ k: Constants) {
        var c = 0
        if let g = grad {
            while c < width {
                let gi = NeuMFSIMD.load(g + c)  // zero beyond the width (masked by the caller)
                let mi = k.b1 * NeuMFSIMD.load(m + c) + k.ob1 * gi
                let vi = k.b2 * NeuMFSIMD.load(v + c) + k.ob2 * gi * gi
                NeuMFSIMD.store(mi, m + c)
                NeuMFSIMD.store(vi, v + c)
                NeuMFSIMD.store(NeuMFSIMD.load(p + c) - k.stepSize * mi / (vi.squareRoot() / k.bc2Sqrt + k.eps), p + c)
                c += 16
            }
        } else {
            while c < width {
                let mi = k.b1 * NeuMFSIMD.load(m + c)
                let vi = k.b2 * NeuMFSIMD.load(v + c)
                NeuMFSIMD.store(mi, m + c)
                NeuMFSIMD.store(vi, v + c)
                NeuMFSIMD.store(NeuMFSIMD.load(p + c) - k.stepSize * mi / (vi.squareRoot() / k.bc2Sqrt + k.eps), p + c)
                c += 16
            }
        }
    }
}
