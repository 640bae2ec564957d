extension AdamState {
    /// One Adam step (same arithmetic as `update(_:grads:lr:)`) on a row-major table whose row r
    /// uses only its first `widths[r]` columns (a prefix mask), with the gradient
    ///
    ///     g[r, c] = grads[r·stride + c] + rowScale[r] · addend[r·stride + c]     (c < widths[r])
    ///
    /// (`rowScale`/`addend` optional, e.g. an L2 term). Elements at c ≥ widths[r] are skipped:
    /// their gradient is identically zero, so a full Adam step would leave them, and their zero
    /// moments, unchanged anyway — skipping them is exact, not an approximation.
    /// `params`, `m`, `v` all use the layout `r·stride + c`; `m.count == rows·stride`.
    /// Each element is updated independently in fixed row chunks: thread-count independent.
    public mutating func updateRowPrefixes(params: UnsafeMutablePointer<Float>, grads: UnsafePointer<Float>,
                                           rows: Int, stride: Int, widths: UnsafePointer<Int32>,
                                           rowScale: UnsafePointer<Float>? = nil, addend: UnsafePointer<Float>? = nil,
                                           lr: Float) {
        precondition(m.count == rows * stride && stride % 16 == 0, "Adam: size mismatch")
        precondition((rowScale == nil) == (addend == nil))
        step += 1
        let bc1 = 1 - Float(Double(beta1).power(step))
        let bc2 = 1 - Float(Double(beta2).power(step))
        let stepSize = SIMD16<Float>(repeating: lr / bc1)
        let bc2Sqrt = bc2.squareRoot()
        let b1 = SIMD16<Float>(repeating: beta1), b2 = SIMD16<Float>(repeating: beta2)
        let ob1 = SIMD16<Float>(repeating: 1 - beta1), ob2 = SIMD16<Float>(repeating: 1 - beta2)
        let eps = SIMD16<Float>(repeating: epsilon)
        let lanes = SIMD16<Int32>(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15)
        let p = SendablePointer(params), g = SendablePointer(UnsafeMutablePointer(mutating: grads))
        let w = SendablePointer(UnsafeMutablePointer(mutating: widths))
        let rsc = rowScale.map { SendablePointer(UnsafeMutablePointer(mutating: $0)) }
        let add = addend.map { SendablePointer(UnsafeMutablePointer(mutating: $0)) }
        let bc2S = SIMD16<Float>(repeating: bc2Sqrt)
        m.withUnsafeMutableBufferPointer { mb in
            v.withUnsafeMutableBufferPointer { vb in
                let mm = mb.sendable, vv = vb.sendable
                Parallel.forEachChunk(count: rows, grain: 256) { _, range in
                    for r in range {
                        let width = Int(w[r])
                        let s = SIMD16<Float>(repeating: rsc.map { $0[r] } ?? 0)
                        var c = 0
                        while c < width {
                            let at = r &* stride &+ c
                            var gi = UnsafeRawPointer(g.base + at).loadUnaligned(as: SIMD16<Float>.self)
                            if let a = add {
                                gi.addProduct(s, UnsafeRawPointer(a.base + at).loadUnaligned(as: SIMD16<Float>.self))
                            }
                            if width - c < 16 {
                                gi.replace(with: 0, where: lanes .>= SIMD16<Int32>(repeating: Int32(width - c)))
                            }
                            let mp = UnsafeMutableRawPointer(mm.base + at), vp = UnsafeMutableRawPointer(vv.base + at)
                            let pp = UnsafeMutableRawPointer(p.base + at)
                            let mi = b1 * mp.loadUnaligned(as: SIMD16<Float>.self) + ob1 * gi
                            let vi = b2 * vp.loadUnaligned(as: SIMD16<Float>.self) + ob2 * gi * gi
                            mp.storeBytes(of: mi, as: SIMD16<Float>.self)
                            vp.storeBytes(of: vi, as: SIMD16<Float>.self)
                            let pi = pp.loadUnaligned(as: SIMD16<Float>.self)
                            pp.storeBytes(of: pi - stepSize * mi / (vi.squareRoot() / bc2S + eps), as: SIMD16<Float>.self)
                            c += 16
                        }
                    }
                }
            }
        }
    }
}
