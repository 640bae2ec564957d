import Linalg

/// The fused elementwise passes of NGCF's forward and backward (see `NGCF` for the math), on
/// row-major `Float` buffers in the `NGCFLayout`. Padding columns of every input are zero and
/// stay zero. Rows are processed in fixed chunks; every output element is computed by one
/// thread, and the only reduction (the bias gradient) sums fixed row chunks in chunk order — so
/// results do not depend on the thread count.
enum NGCFLayerKernels {
    static let rowGrain = 128
    static let slope: Float = 0.2
    static let normEpsilon: Float = 1e-12

    @inline(__always) static func load(_ p: UnsafePointer<Float>) -> SIMD16<Float> {
        UnsafeRawPointer(p).loadUnaligned(as: SIMD16<Float>.self)
    }
    @inline(__always) static func load(_ p: UnsafeMutablePointer<Float>) -> SIMD16<Float> {
        UnsafeRawPointer(p).loadUnaligned(as: SIMD16<Float>.self)
    }
    @inline(__always) static func store(_ v: SIMD16<Float>, _ p: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(p).storeBytes(of: v, as: SIMD16<Float>.self)
    }

    /// X0 = E ⊙ M into `x0` (stride s) and into block 0 of F (stride 4s).
    static func maskLayer0(embedding e: SendablePointer<Float>, widths w: SendablePointer<Int32>,
                           x0: SendablePointer<Float>, final f: SendablePointer<Float>, rows: Int, layout: NGCFLayout) {
        let xs = layout.x, cols = layout.cols, fs = layout.f
        Parallel.forEachChunk(count: rows, grain: 512) { _, range in
            for n in range {
                let d = Int(w[n]), at = n * xs
                (x0.base + at).update(from: e.base + at, count: d)
                (x0.base + at + d).update(repeating: 0, count: cols - d)
                (f.base + n * fs).update(from: x0.base + at, count: cols)
            }
        }
    }

    /// Forward tile epilogue of layer l: SP[r] = [S_r | X_r ⊙ S_r] with S = L′X. With a
    /// `selection`, only the selected rows are computed and row r goes to SP row `slots[r]`.
    static func propagate(_ spmm: DropoutSpMM, x: SendablePointer<Float>, sp: SendablePointer<Float>,
                          selection: NGCFRowSelection?, layout: NGCFLayout) {
        let xs = layout.x, sps = layout.sp, cols = layout.cols
        let slots = selection.map { SendablePointer($0.slots) }
        spmm.forEachTile(transposed: false, source: x.base, sourceStride: xs, width: cols,
                         outputWidths: selection.map { UnsafePointer($0.widths) }) { r, c0, acc in
            let row = slots.map { Int($0[r]) } ?? r
            let out = sp.base + row * sps + c0
            TiledSpMM.store(acc, out)
            let xv = TiledSpMM.load(x.base + r * xs + c0)
            TiledSpMM.store((xv.0 * acc.0, xv.1 * acc.1), out + cols)
        }
    }

    /// In place on Z = SP·W (stride s): X_l = dropout(LeakyReLU_0.2(Z + b)), then
    /// F block l = X_l / max(‖X_l‖, 1e−12) and `norms[r]` = ‖X_l[r]‖. With `nodes`, row r of Z is
    /// node `nodes[r]` (F row and dropout index follow the node).
    static func activate(z: SendablePointer<Float>, bias: UnsafePointer<Float>, mask: HashedDropoutMask?,
                         final f: SendablePointer<Float>, block: Int, norms: SendablePointer<Float>,
                         nodes: UnsafeMutablePointer<Int32>?, rows: Int, layout: NGCFLayout) {
        let map = nodes.map { SendablePointer($0) }
        let b = SendablePointer(UnsafeMutablePointer(mutating: bias))
        let xs = layout.x, s = layout.cols, fs = layout.f
        let slope = SIMD16<Float>(repeating: NGCFLayerKernels.slope), epsilon = NGCFLayerKernels.normEpsilon
        Parallel.forEachChunk(count: rows, grain: rowGrain) { _, range in
            let scale = SIMD16<Float>(repeating: mask?.keepScale ?? 1)
            for r in range {
                let node = map.map { Int($0[r]) } ?? r
                let row = z.base + r * xs
                var ss = SIMD16<Float>()
                var c = 0
                while c < s {
                    let v = load(row + c) + load(b.base + c)
                    var a = v
                    a.replace(with: v * slope, where: v .< 0)
                    if let m = mask {
                        var kept = SIMD16<Float>()
                        kept.replace(with: a * scale, where: m.keeps16(from: node * s + c))
                        a = kept
                    }
                    store(a, row + c)
                    ss.addProduct(a, a)
                    c += 16
                }
                let norm = ss.sum().squareRoot()
                norms[r] = norm
                let denominator = SIMD16<Float>(repeating: max(norm, epsilon))
                let out = f.base + node * fs + block * s
                c = 0
                while c < s {
                    store(load(row + c) / denominator, out + c)
                    c += 16
                }
            }
        }
    }

    /// The L2 term 1e−3 · Σ_n cnt_n ‖F_n‖² / B over touched rows (returned), and G_n += 2e−3·cnt_n/B · F_n.
    static func regularize(final f: SendablePointer<Float>, gradient g: SendablePointer<Float>,
                           offsets: SendablePointer<Int32>, rows: Int, width: Int, lambda: Double,
                           batchSize: Int) -> Double {
        let B = Double(batchSize)
        return Parallel.sum(count: rows, grain: 512) { range in
            var total = 0.0
            for n in range {
                let cnt = Int(offsets[n + 1] - offsets[n])
                if cnt == 0 { continue }
                let k = SIMD16<Float>(repeating: Float(2 * lambda * Double(cnt) / B))
                var q = SIMD16<Float>()
                var c = 0
                while c < width {
                    let v = load(f.base + n * width + c)
                    q.addProduct(v, v)
                    store(load(g.base + n * width + c) + k * v, g.base + n * width + c)
                    c += 16
                }
                total += Double(cnt) * Double(q.sum())
            }
            return total
        } * lambda / B
    }

    /// Gradient through layer l's output: with dn = ∂L/∂(F block l), n = F block l, x = X_l,
    ///
    ///     g  = (dn − n⟨n, dn⟩) / ‖x‖   (dn / 1e−12 when ‖x‖ ≤ 1e−12)   [+ carry, the gradient
    ///          arriving from layer l+1]
    ///     dz = g ⊙ keep/(1−p) ⊙ (z > 0 ? 1 : 0.2)
    ///
    /// (z > 0 ⟺ x > 0 on kept entries). Writes dz and the column sums Σ_r dz[r] into `biasGrad`
    /// (s floats); `partials` holds ⌈rows / rowGrain⌉ · s floats of scratch. With `nodes`, row r
    /// of x, carry, dz and norms is node `nodes[r]` (the F and ∂L/∂F row, and the dropout index).
    static func outputBackward(gradFinal g: SendablePointer<Float>, final f: SendablePointer<Float>, block: Int,
                               norms: SendablePointer<Float>, x: SendablePointer<Float>,
                               carry: SendablePointer<Float>?, mask: HashedDropoutMask?,
                               dz: SendablePointer<Float>, partials: SendablePointer<Float>,
                               biasGrad: SendablePointer<Float>, nodes: UnsafeMutablePointer<Int32>?,
                               rows: Int, layout: NGCFLayout) {
        let map = nodes.map { SendablePointer($0) }
        let one = SIMD16<Float>(repeating: 1)
        let xs = layout.x, s = layout.cols, fs = layout.f
        let slope = NGCFLayerKernels.slope, epsilon = NGCFLayerKernels.normEpsilon
        Parallel.forEachChunk(count: rows, grain: rowGrain) { chunk, range in
            let scale = mask?.keepScale ?? 1
            let up = SIMD16<Float>(repeating: scale), down = SIMD16<Float>(repeating: scale * slope)
            let part = partials.base + chunk * s
            part.update(repeating: 0, count: s)
            for r in range {
                let node = map.map { Int($0[r]) } ?? r
                let dn = g.base + node * fs + block * s
                let n = f.base + node * fs + block * s
                var dot = SIMD16<Float>()
                var c = 0
                while c < s {
                    dot.addProduct(load(n + c), load(dn + c))
                    c += 16
                }
                let norm = norms[r]
                let d = SIMD16<Float>(repeating: dot.sum())
                let inv = SIMD16<Float>(repeating: norm > epsilon ? 1 / norm : 1 / epsilon)
                let project = norm > epsilon ? one : SIMD16<Float>()
                c = 0
                while c < s {
                    var gx = (load(dn + c) - project * load(n + c) * d) * inv
                    if let cr = carry { gx += load(cr.base + r * xs + c) }
                    let xv = load(x.base + r * xs + c)
                    var mult = down
                    mult.replace(with: up, where: xv .> 0)
                    if let m = mask { mult.replace(with: 0, where: .!m.keeps16(from: node * s + c)) }
                    let v = gx * mult
                    store(v, dz.base + r * xs + c)
                    store(load(part + c) + v, part + c)
                    c += 16
                }
            }
        }
        let chunks = (rows + rowGrain - 1) / rowGrain
        biasGrad.base.update(repeating: 0, count: s)
        for k in 0..<chunks {
            var c = 0
            while c < s {
                store(load(biasGrad.base + c) + load(partials.base + k * s + c), biasGrad.base + c)
                c += 16
            }
        }
    }

    /// In place on dSP = [dS̃ | dP] (P = X ⊙ S): dSP ← [dS̃ + X ⊙ dP | S ⊙ dP] — the source of
    /// the L′ᵀ product and the direct term of ∂L/∂X.
    static func bilinearBackward(dsp: SendablePointer<Float>, x: SendablePointer<Float>, sp: SendablePointer<Float>,
                                 rows: Int, layout: NGCFLayout) {
        let xs = layout.x, sps = layout.sp, s = layout.cols
        Parallel.forEachChunk(count: rows, grain: rowGrain) { _, range in
            for r in range {
                let row = dsp.base + r * sps, sr = sp.base + r * sps
                var c = 0
                while c < s {
                    let dp = load(row + s + c)
                    store(load(row + c) + load(x.base + r * xs + c) * dp, row + c)
                    store(load(sr + c) * dp, row + s + c)
                    c += 16
                }
            }
        }
    }

    /// The same for compacted rows (`selection`): for every node n, dSP[n] = [dS̃_j + X_n ⊙ dP_j |
    /// S_j ⊙ dP_j] with j = slots[n] (rows of `compact` and `sp`), and zero for unselected nodes.
    static func bilinearBackwardScatter(compact: SendablePointer<Float>, x: SendablePointer<Float>,
                                        sp: SendablePointer<Float>, selection: NGCFRowSelection,
                                        dsp: SendablePointer<Float>, rows: Int, layout: NGCFLayout) {
        let xs = layout.x, sps = layout.sp, s = layout.cols
        let slots = SendablePointer(selection.slots)
        Parallel.forEachChunk(count: rows, grain: rowGrain) { _, range in
            for r in range {
                let out = dsp.base + r * sps
                let j = Int(slots[r])
                if j < 0 {
                    out.update(repeating: 0, count: 2 * s)
                    continue
                }
                let row = compact.base + j * sps, sr = sp.base + j * sps
                var c = 0
                while c < s {
                    let dp = load(row + s + c)
                    store(load(row + c) + load(x.base + r * xs + c) * dp, out + c)
                    store(load(sr + c) * dp, out + s + c)
                    c += 16
                }
            }
        }
    }

    /// Backward tile epilogue: carry = L′ᵀ·dS + (S ⊙ dP, precomputed in dSP's P half)
    /// [+ G block 0 of ∂L/∂F when this is layer 1].
    /// With `outputWidths` (layer 1: the mask widths d_r), tiles wholly past d_r are skipped and
    /// left unspecified — ∂L/∂E ignores them.
    static func propagateBack(_ spmm: DropoutSpMM, dsp: SendablePointer<Float>,
                              gradFinalBlock0: SendablePointer<Float>?, carry: SendablePointer<Float>,
                              outputWidths: UnsafePointer<Int32>?, layout: NGCFLayout) {
        let xs = layout.x, sps = layout.sp, s = layout.cols, fs = layout.f
        spmm.forEachTile(transposed: true, source: dsp.base, sourceStride: sps, width: s,
                         outputWidths: outputWidths) { r, c0, acc in
            let sdp = TiledSpMM.load(dsp.base + r * sps + s + c0)
            var v = (acc.0 + sdp.0, acc.1 + sdp.1)
            if let g0 = gradFinalBlock0 {
                let gv = TiledSpMM.load(g0.base + r * fs + c0)
                v.0 += gv.0
                v.1 += gv.1
            }
            TiledSpMM.store(v, carry.base + r * xs + c0)
        }
    }
}
