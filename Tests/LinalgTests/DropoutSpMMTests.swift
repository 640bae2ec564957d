import XCTest
import Linalg

/// L = D⁻¹(A + I), its transpose index, the hashed dropout mask, the dropout SpMM (forward and
/// transposed) and the chunked sgemms, each against a dense Double reference.
final class DropoutSpMMTests: XCTestCase {
    private func randomGraph(users: Int, items: Int, seed: UInt64) -> UserItemListsView {
        var rng = RandomStream(seed: seed, purpose: "graph")
        var offsets = [0], all: [Int32] = []
        for _ in 0..<users {
            let k = 1 + rng.below(min(12, items))
            var set = Set<Int32>()
            while set.count < k { set.insert(Int32(rng.below(items))) }
            all += set.sorted()
            offsets.append(all.count)
        }
        return UserItemListsView(userCount: users, itemCount: items, offsets: offsets, items: all)
    }

    /// Dense L = D⁻¹(A + I) and, for each nonzero (r, c), its CSR position (rows ascending,
    /// columns ascending within a row) — built independently of the code under test.
    private func reference(_ g: UserItemListsView) -> (l: [[Double]], position: [[Int]]) {
        let n = g.userCount + g.itemCount
        var a = [[Double]](repeating: [Double](repeating: 0, count: n), count: n)
        for r in 0..<n { a[r][r] = 1 }
        for u in 0..<g.userCount {
            for k in g.offsets[u]..<g.offsets[u + 1] {
                let i = g.userCount + Int(g.items[k])
                a[u][i] = 1
                a[i][u] = 1
            }
        }
        var pos = [[Int]](repeating: [Int](repeating: -1, count: n), count: n)
        var k = 0
        for r in 0..<n {
            let d = a[r].reduce(0, +)
            for c in 0..<n where a[r][c] != 0 {
                a[r][c] = 1 / d
                pos[r][c] = k
                k += 1
            }
        }
        return (a, pos)
    }

    func testRowNormalizedAdjacencyMatchesDenseReferenceAndTransposeIndexIsAnInvolution() {
        let g = randomGraph(users: 13, items: 9, seed: 3)
        let adj = RowNormalizedAdjacency(train: g)
        let (l, pos) = reference(g)
        let n = 22
        XCTAssertEqual(adj.nnz, 2 * g.items.count + n)
        let dense = adj.csr.dense()
        for r in 0..<n {
            XCTAssertEqual(l[r].reduce(0, +), 1, accuracy: 1e-12, "row \(r) of L sums to 1")
            for c in 0..<n {
                XCTAssertEqual(Double(dense[r, c]), l[r][c], accuracy: 1e-7)
                if pos[r][c] >= 0 {
                    let k = pos[r][c]
                    XCTAssertEqual(Int(adj.colIndices[k]), c)
                    XCTAssertEqual(Int(adj.transposeIndex[k]), pos[c][r], "transpose position of (\(r),\(c))")
                    XCTAssertEqual(Double(adj.transposeValues[k]), l[c][r], accuracy: 1e-7)
                }
            }
        }
        for k in 0..<adj.nnz { XCTAssertEqual(Int(adj.transposeIndex[Int(adj.transposeIndex[k])]), k) }
    }

    func testHashedDropoutMaskRateAndSIMDAgreeWithScalar() {
        let mask = HashedDropoutMask(dropProbability: 0.1, key: 0xDEAD_BEEF_1234)
        var kept = 0
        let n = 1 << 20
        for k in 0..<n where mask.keeps(k) { kept += 1 }
        // Binomial sd at n = 2^20 is 307 kept entries; allow 5 sd.
        XCTAssertEqual(Double(kept), 0.9 * Double(n), accuracy: 1600)
        for start in Swift.stride(from: 0, to: 4096, by: 16) {
            let v = mask.keeps16(from: start)
            for j in 0..<16 { XCTAssertEqual(v[j], mask.keeps(start + j)) }
        }
        let other = HashedDropoutMask(dropProbability: 0.1, key: 0xDEAD_BEEF_1235)
        XCTAssertNotEqual((0..<256).map { mask.keeps($0) }, (0..<256).map { other.keeps($0) }, "keys must matter")
        XCTAssertTrue((0..<1000).allSatisfy { HashedDropoutMask(dropProbability: 0, key: 5).keeps($0) })
    }

    /// Y = L′X and Y = L′ᵀX against dense products with the same keep decisions, for two widths,
    /// with and without dropout, and bit-identical for 1 and 2 threads.
    func testDropoutProductsMatchDenseReference() {
        let g = randomGraph(users: 37, items: 23, seed: 9)
        let adj = RowNormalizedAdjacency(train: g)
        let (l, pos) = reference(g)
        let n = adj.nodeCount
        let op = DropoutSpMM(adjacency: adj)
        for (width, mask) in [(32, HashedDropoutMask?.none), (64, HashedDropoutMask(dropProbability: 0.1, key: 77)),
                              (32, HashedDropoutMask(dropProbability: 0.5, key: 78))] {
            var rng = RandomStream(seed: 5, purpose: "x")
            let srcStride = width + 32   // a source with extra columns, as NGCF's [S | P] buffers
            let x = AlignedFloatBuffer(count: n * srcStride)
            for k in 0..<x.count { x.base[k] = rng.unitFloat() * 2 - 1 }
            var lp = l
            var dropped = 0
            for r in 0..<n {
                for c in 0..<n where pos[r][c] >= 0 {
                    if let m = mask {
                        if m.keeps(pos[r][c]) { lp[r][c] = l[r][c] / (1 - m.dropProbability) } else { lp[r][c] = 0; dropped += 1 }
                    }
                }
            }
            if mask != nil { XCTAssertGreaterThan(dropped, 0) }
            op.setDropout(mask)
            for transposed in [false, true] {
                var outputs: [[Float]] = []
                for threads in [1, 2] {
                    let saved = Threads.count
                    Threads.set(threads)
                    let y = AlignedFloatBuffer(count: n * width)
                    op.multiply(transposed: transposed, source: x.base, sourceStride: srcStride, width: width,
                                output: y.base, outputStride: width)
                    Threads.set(saved)
                    outputs.append(y.array())
                }
                XCTAssertEqual(outputs[0], outputs[1], "thread-count independent")
                for r in 0..<n {
                    for j in 0..<width {
                        var ref = 0.0
                        for c in 0..<n {
                            let v = transposed ? lp[c][r] : lp[r][c]
                            if v != 0 { ref += v * Double(x.base[c * srcStride + j]) }
                        }
                        XCTAssertEqual(Double(outputs[0][r * width + j]), ref, accuracy: 1e-5,
                                       "transposed \(transposed) (\(r),\(j))")
                    }
                }
            }
        }
    }

    /// With `outputWidths`, exactly the tiles with c0 < w_r are computed (others untouched).
    func testForEachTileSkipsTilesPastOutputWidths() {
        let g = randomGraph(users: 11, items: 7, seed: 4)
        let op = DropoutSpMM(adjacency: RowNormalizedAdjacency(train: g))
        let n = op.nodeCount, width = 96
        var rng = RandomStream(seed: 8, purpose: "x")
        let x = AlignedFloatBuffer(count: n * width)
        for k in 0..<x.count { x.base[k] = rng.unitFloat() }
        let full = AlignedFloatBuffer(count: n * width), part = AlignedFloatBuffer(count: n * width)
        for k in 0..<part.count { part.base[k] = .nan }
        op.setDropout(HashedDropoutMask(dropProbability: 0.1, key: 3))
        op.multiply(transposed: true, source: x.base, sourceStride: width, width: width, output: full.base, outputStride: width)
        let widths = (0..<n).map { Int32([1, 32, 33, 64, 65, 96, 0][$0 % 7]) }
        let out = SendablePointer(part.base)
        widths.withUnsafeBufferPointer { w in
            op.forEachTile(transposed: true, source: x.base, sourceStride: width, width: width,
                           outputWidths: w.baseAddress!) { r, c0, acc in TiledSpMM.store(acc, out.base + r * width + c0) }
        }
        for r in 0..<n {
            let needed = (Int(widths[r]) + 31) / 32 * 32
            for c in 0..<width {
                if c < needed { XCTAssertEqual(part.base[r * width + c], full.base[r * width + c]) } else { XCTAssertTrue(part.base[r * width + c].isNaN) }
            }
        }
    }

    func testChunkedSgemmsMatchNaiveProducts() {
        var rng = RandomStream(seed: 2, purpose: "m")
        let m = 1100, k = 40, n = 24
        let a = (0..<(m * k)).map { _ in rng.unitFloat() - 0.5 }
        let b = (0..<(k * n)).map { _ in rng.unitFloat() - 0.5 }
        let bt = (0..<(n * k)).map { _ in rng.unitFloat() - 0.5 }
        var c = [Float](repeating: 0, count: m * n), ct = c
        OpenBLASSingleThreaded.run {
            ChunkedSgemm.rows(m: m, n: n, k: k, a: a, lda: k, b: b, ldb: n, transposeB: false, beta: 0, c: &c, ldc: n)
            ChunkedSgemm.rows(m: m, n: n, k: k, a: a, lda: k, b: bt, ldb: k, transposeB: true, beta: 0, c: &ct, ldc: n)
        }
        for i in 0..<m {
            for j in 0..<n {
                var s = 0.0, st = 0.0
                for q in 0..<k {
                    s += Double(a[i * k + q]) * Double(b[q * n + j])
                    st += Double(a[i * k + q]) * Double(bt[j * k + q])
                }
                XCTAssertEqual(Double(c[i * n + j]), s, accuracy: 1e-4)
                XCTAssertEqual(Double(ct[i * n + j]), st, accuracy: 1e-4)
            }
        }
        // Aᵀ·B with a long k (= m rows of a) cut into chunks of 256 rows.
        let rhs = (0..<(m * n)).map { _ in rng.unitFloat() - 0.5 }
        var out = [Float](repeating: 0, count: k * n)
        var scratch = [Float](repeating: 0, count: 5 * k * n)
        var outputs: [[Float]] = []
        for threads in [1, 2] {
            let saved = Threads.count
            Threads.set(threads)
            OpenBLASSingleThreaded.run {
                ChunkedSgemm.reducingK(m: k, n: n, k: m, a: a, lda: k, b: rhs, ldb: n, c: &out, scratch: &scratch, kChunk: 256)
            }
            Threads.set(saved)
            outputs.append(out)
        }
        XCTAssertEqual(outputs[0], outputs[1])
        for i in 0..<k {
            for j in 0..<n {
                var s = 0.0
                for q in 0..<m { s += Double(a[q * k + i]) * Double(rhs[q * n + j]) }
                XCTAssertEqual(Double(out[i * n + j]), s, accuracy: 1e-3)
            }
        }
    }
}
