import Linalg

/// Hand-written row-parallel kernels of `MLP` (row-major blocks). Rows are cut into fixed chunks of
/// `rowGrain`; reductions over rows write one partial per chunk and add the partials in chunk
/// order, so every result is independent of the thread count.
enum MLPKernels {
    static let rowGrain = 256

    @inline(__always) static func sp(_ p: UnsafePointer<Float>) -> SendablePointer<Float> {
        SendablePointer(UnsafeMutablePointer(mutating: p))
    }

    /// Σ_k a[k]·b[k] with 16-wide accumulators (fixed order for a given n).
    @inline(__always) static func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ n: Int) -> Float {
        let ra = UnsafeRawPointer(a), rb = UnsafeRawPointer(b)
        var acc0 = SIMD16<Float>(), acc1 = SIMD16<Float>()
        var k = 0
        while k + 32 <= n {
            acc0 = acc0.addingProduct(ra.loadUnaligned(fromByteOffset: 4 * k, as: SIMD16<Float>.self),
                                      rb.loadUnaligned(fromByteOffset: 4 * k, as: SIMD16<Float>.self))
            acc1 = acc1.addingProduct(ra.loadUnaligned(fromByteOffset: 4 * k + 64, as: SIMD16<Float>.self),
                                      rb.loadUnaligned(fromByteOffset: 4 * k + 64, as: SIMD16<Float>.self))
            k += 32
        }
        while k + 16 <= n {
            acc0 = acc0.addingProduct(ra.loadUnaligned(fromByteOffset: 4 * k, as: SIMD16<Float>.self),
                                      rb.loadUnaligned(fromByteOffset: 4 * k, as: SIMD16<Float>.self))
            k += 16
        }
        var s = (acc0 + acc1).sum()
        while k < n { s += a[k] * b[k]; k += 1 }
        return s
    }

    /// out[r, j] = act(b[j] + Σ_i x[r, i]·W[j, i]) for a thin input (nIn ≤ 8); W is nOut × nIn.
    static func thinForward(x: UnsafePointer<Float>, rows: Int, nIn: Int, nOut: Int, w: UnsafePointer<Float>,
                            b: UnsafePointer<Float>, out: UnsafeMutablePointer<Float>,
                            transposed wt: UnsafeMutablePointer<Float>, relu: Bool, serial: Bool) {
        for i in 0..<nIn { for j in 0..<nOut { wt[i * nOut + j] = w[j * nIn + i] } }
        let xs = sp(x), bs = sp(b), ws = SendablePointer(wt), os = SendablePointer(out)
        forEachRowChunk(rows, serial) { _, range in
            let wt = ws.base, b = bs.base
            for r in range {
                let o = os.base + r * nOut, xr = xs.base + r * nIn
                for j in 0..<nOut { o[j] = b[j] }
                for i in 0..<nIn {
                    let xi = xr[i], wi = wt + i * nOut
                    for j in 0..<nOut { o[j] += xi * wi[j] }
                }
                if relu { for j in 0..<nOut { o[j] = o[j] > 0 ? o[j] : 0 } }
            }
        }
    }

    /// out[r] = act(b + Σ_j x[r, j]·w[j]) (a layer with one output).
    static func dotForward(x: UnsafePointer<Float>, rows: Int, n: Int, w: UnsafePointer<Float>, b: Float,
                           out: UnsafeMutablePointer<Float>, relu: Bool, serial: Bool) {
        let xs = sp(x), wsp = sp(w), os = SendablePointer(out)
        forEachRowChunk(rows, serial) { _, range in
            for r in range {
                let v = b + dot(xs.base + r * n, wsp.base, n)
                os[r] = relu ? (v > 0 ? v : 0) : v
            }
        }
    }

    /// o[r, j] ← act(o[r, j] + b[j]).
    static func biasActivate(_ o: UnsafeMutablePointer<Float>, rows: Int, n: Int, b: UnsafePointer<Float>, relu: Bool, serial: Bool) {
        let os = SendablePointer(o), bs = sp(b)
        forEachRowChunk(rows, serial) { _, range in
            let b = bs.base
            for r in range {
                let row = os.base + r * n
                if relu {
                    for j in 0..<n { let v = row[j] + b[j]; row[j] = v > 0 ? v : 0 }
                } else {
                    for j in 0..<n { row[j] += b[j] }
                }
            }
        }
    }

    /// into[j] = Σ_r g[r, j].
    static func columnSums(_ g: UnsafePointer<Float>, rows: Int, n: Int, into: UnsafeMutablePointer<Float>,
                           partials: UnsafeMutablePointer<Float>, serial: Bool) {
        let gs = sp(g), ps = SendablePointer(partials)
        forEachRowChunk(rows, serial) { c, range in
            let part = ps.base + c * n
            part.update(repeating: 0, count: n)
            for r in range {
                let row = gs.base + r * n
                for j in 0..<n { part[j] += row[j] }
            }
        }
        reducePartials(partials, chunks: chunkCount(rows), n: n, into: into)
    }

    /// into[j] = Σ_r weights[r]·x[r, j] (the weight gradient of a one-output layer).
    static func scaledColumnSums(_ x: UnsafePointer<Float>, weights g: UnsafePointer<Float>, rows: Int, n: Int,
                                 into: UnsafeMutablePointer<Float>, partials: UnsafeMutablePointer<Float>, serial: Bool) {
        let xs = sp(x), gs = sp(g), ps = SendablePointer(partials)
        forEachRowChunk(rows, serial) { c, range in
            let part = ps.base + c * n
            part.update(repeating: 0, count: n)
            for r in range {
                let row = xs.base + r * n, gr = gs[r]
                for j in 0..<n { part[j] += gr * row[j] }
            }
        }
        reducePartials(partials, chunks: chunkCount(rows), n: n, into: into)
    }

    /// dW[j, i] = Σ_r g[r, j]·x[r, i] for a thin input (nIn ≤ 8); dW is nOut × nIn.
    static func thinWeightGrad(g: UnsafePointer<Float>, x: UnsafePointer<Float>, rows: Int, nIn: Int, nOut: Int,
                               into dw: UnsafeMutablePointer<Float>, partials: UnsafeMutablePointer<Float>, serial: Bool) {
        let gs = sp(g), xs = sp(x), ps = SendablePointer(partials)
        let block = nIn * nOut
        forEachRowChunk(rows, serial) { c, range in
            let part = ps.base + c * block
            part.update(repeating: 0, count: block)
            for r in range {
                let gr = gs.base + r * nOut, xr = xs.base + r * nIn
                for i in 0..<nIn {
                    let xi = xr[i], pi = part + i * nOut
                    for j in 0..<nOut { pi[j] += xi * gr[j] }
                }
            }
        }
        let chunks = chunkCount(rows)
        for i in 0..<nIn {
            for j in 0..<nOut {
                var s: Float = 0
                for c in 0..<chunks { s += partials[c * block + i * nOut + j] }
                dw[j * nIn + i] = s
            }
        }
    }

    /// dx[r, j] = 1[h[r, j] > 0]·g[r]·w[j] (back through a one-output layer and the ReLU below it).
    static func outerMask(g: UnsafePointer<Float>, w: UnsafePointer<Float>, h: UnsafePointer<Float>, rows: Int, n: Int,
                          into dx: UnsafeMutablePointer<Float>, serial: Bool) {
        let gs = sp(g), wsp = sp(w), hs = sp(h), ds = SendablePointer(dx)
        forEachRowChunk(rows, serial) { _, range in
            let w = wsp.base
            for r in range {
                let hr = hs.base + r * n, dr = ds.base + r * n, gr = gs[r]
                for j in 0..<n { dr[j] = hr[j] > 0 ? gr * w[j] : 0 }
            }
        }
    }

    /// dx ← dx ⊙ 1[h > 0].
    static func reluMask(_ dx: UnsafeMutablePointer<Float>, h: UnsafePointer<Float>, rows: Int, n: Int, serial: Bool) {
        let ds = SendablePointer(dx), hs = sp(h)
        forEachRowChunk(rows, serial) { _, range in
            let lo = range.lowerBound * n, hi = range.upperBound * n
            let d = ds.base, h = hs.base
            for k in lo..<hi { d[k] = h[k] > 0 ? d[k] : 0 }
        }
    }

    /// dx[r, i] = Σ_j g[r, j]·W[j, i] for a thin input (nIn ≤ 8); W is nOut × nIn.
    static func thinInputGrad(g: UnsafePointer<Float>, w: UnsafePointer<Float>, rows: Int, nIn: Int, nOut: Int,
                              into dx: UnsafeMutablePointer<Float>, serial: Bool) {
        var wt = [Float](repeating: 0, count: nIn * nOut)
        for i in 0..<nIn { for j in 0..<nOut { wt[i * nOut + j] = w[j * nIn + i] } }
        wt.withUnsafeBufferPointer { wtp in
            let gs = sp(g), ts = sp(wtp.baseAddress!), ds = SendablePointer(dx)
            forEachRowChunk(rows, serial) { _, range in
                for r in range {
                    let gr = gs.base + r * nOut
                    for i in 0..<nIn { ds[r * nIn + i] = dot(gr, ts.base + i * nOut, nOut) }
                }
            }
        }
    }

    /// Runs `body(chunk, rows)` over fixed row chunks: concurrently (`Parallel`), or in order in the
    /// calling thread when `serial` (the caller already runs several passes in parallel).
    @inline(__always) static func forEachRowChunk(_ rows: Int, _ serial: Bool,
                                                  _ body: @Sendable (_ chunk: Int, _ range: Range<Int>) -> Void) {
        if serial {
            var c = 0
            while c * rowGrain < rows { body(c, (c * rowGrain)..<min(rows, (c + 1) * rowGrain)); c += 1 }
        } else {
            Parallel.forEachChunk(count: rows, grain: rowGrain, body)
        }
    }

    @inline(__always) static func chunkCount(_ rows: Int) -> Int { (rows + rowGrain - 1) / rowGrain }

    static func reducePartials(_ partials: UnsafeMutablePointer<Float>, chunks: Int, n: Int,
                               into: UnsafeMutablePointer<Float>) {
        guard chunks > 0 else { into.update(repeating: 0, count: n); return }
        into.update(from: partials, count: n)
        for c in 1..<max(chunks, 1) {
            let p = partials + c * n
            for j in 0..<n { into[j] += p[j] }
        }
    }
}
