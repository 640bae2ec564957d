import XCTest
import Linalg

/// The tiled propagation against a dense Double reference of P = (I + Â + Â² + Â³)/4.
final class GraphPropagationTests: XCTestCase {
    /// A random bipartite graph: user u has between 1 and 12 distinct items.
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

    private func denseAdjacency(_ g: UserItemListsView) -> [[Double]] {
        let n = g.userCount + g.itemCount
        var a = [[Double]](repeating: [Double](repeating: 0, count: n), count: n)
        for u in 0..<g.userCount {
            for k in g.offsets[u]..<g.offsets[u + 1] {
                let i = g.userCount + Int(g.items[k])
                a[u][i] = 1
                a[i][u] = 1
            }
        }
        let d = a.map { 1 / ($0.reduce(0, +) + 1e-9).squareRoot() }
        for r in 0..<n { for c in 0..<n where a[r][c] != 0 { a[r][c] = d[r] * d[c] } }
        return a
    }

    private func referenceMean(_ a: [[Double]], _ x: [[Double]]) -> [[Double]] {
        let n = a.count, w = x[0].count
        var h = x, acc = x
        for _ in 0..<3 {
            var next = [[Double]](repeating: [Double](repeating: 0, count: w), count: n)
            for r in 0..<n { for c in 0..<n where a[r][c] != 0 { for j in 0..<w { next[r][j] += a[r][c] * h[c][j] } } }
            h = next
            for r in 0..<n { for j in 0..<w { acc[r][j] += h[r][j] } }
        }
        return acc.map { $0.map { $0 / 4 } }
    }

    private func run(_ p: GraphPropagation, _ x: AlignedFloatBuffer, masked: Bool, widths: [Int32]?) -> [Float] {
        let out = AlignedFloatBuffer(count: x.count)
        if let w = widths {
            w.withUnsafeBufferPointer { p.apply(input: x.base, output: out.base, inputIsMasked: masked, outputWidths: $0.baseAddress!) }
        } else {
            p.apply(input: x.base, output: out.base, inputIsMasked: masked)
        }
        return out.array()
    }

    func testMatchesDenseReferenceWithMasksAndIsThreadCountIndependent() {
        let g = randomGraph(users: 37, items: 23, seed: 5)
        let n = g.userCount + g.itemCount, width = 128
        var rng = RandomStream(seed: 9, purpose: "x")
        let maskW = (0..<n).map { _ in 1 + rng.below(width) }
        let adj = SymmetricNormalizedAdjacency(train: g)
        XCTAssertEqual(adj.nnz, 2 * g.items.count)
        let p = GraphPropagation(adjacency: adj, width: width, maskWidths: maskW)
        XCTAssertEqual(p.columns, 128)
        XCTAssertEqual(p.stride, 144)
        // Masked input: row r zero beyond maskW[r].
        let x = AlignedFloatBuffer(count: n * p.stride)
        var xd = [[Double]](repeating: [Double](repeating: 0, count: width), count: n)
        for r in 0..<n {
            for c in 0..<maskW[r] {
                let v = Float(rng.normal())
                x.base[r * p.stride + c] = v
                xd[r][c] = Double(v)
            }
        }
        let ref = referenceMean(denseAdjacency(g), xd)
        let saved = Threads.count
        defer { Threads.set(saved) }
        Threads.set(1)
        let one = run(p, x, masked: true, widths: nil)
        let unmaskedPath = run(p, x, masked: false, widths: nil)
        Threads.set(2)
        let two = run(p, x, masked: true, widths: nil)
        Threads.set(3)
        let three = run(p, x, masked: true, widths: nil)
        XCTAssertEqual(one, two, "1 vs 2 threads must be bit-identical")
        XCTAssertEqual(one, three, "1 vs 3 threads must be bit-identical")
        var maxErr = 0.0
        for r in 0..<n { for c in 0..<width {
            maxErr = max(maxErr, abs(Double(one[r * p.stride + c]) - ref[r][c]))
            XCTAssertEqual(one[r * p.stride + c], unmaskedPath[r * p.stride + c], accuracy: 1e-6)
        } }
        XCTAssertLessThan(maxErr, 1e-5)

        // Output widths: the requested prefix of each row is exact, whatever is skipped.
        let outW = (0..<n).map { r in Int32(r % 3 == 0 ? 0 : maskW[r]) }
        let partial = run(p, x, masked: true, widths: outW)
        for r in 0..<n { for c in 0..<Int(outW[r]) { XCTAssertEqual(partial[r * p.stride + c], one[r * p.stride + c]) } }
    }

    func testRowSparseInputMatchesDensePath() {
        let g = randomGraph(users: 60, items: 40, seed: 8)
        let n = 100
        let adj = SymmetricNormalizedAdjacency(train: g)
        let p = GraphPropagation(adjacency: adj, width: 64)
        var rng = RandomStream(seed: 3, purpose: "x")
        let x = AlignedFloatBuffer(count: n * p.stride)
        var nonzero = [Int32](repeating: 0, count: n)
        for r in 0..<n where rng.below(5) == 0 {
            nonzero[r] = 1
            for c in 0..<64 { x.base[r * p.stride + c] = Float(rng.normal()) }
        }
        let dense = run(p, x, masked: false, widths: nil)
        let saved = Threads.count
        defer { Threads.set(saved) }
        var results: [[Float]] = []
        for t in [1, 2] {
            Threads.set(t)
            let out = AlignedFloatBuffer(count: x.count)
            nonzero.withUnsafeBufferPointer { p.apply(input: x.base, output: out.base, nonzeroInputRows: $0.baseAddress!) }
            results.append(out.array())
        }
        XCTAssertEqual(results[0], results[1])
        for r in 0..<n { for c in 0..<64 { XCTAssertEqual(results[0][r * p.stride + c], dense[r * p.stride + c], accuracy: 1e-6) } }
    }

    func testNarrowWidthIsPaddedAndMatchesReference() {
        let g = randomGraph(users: 5, items: 6, seed: 1)
        let n = 11, width = 8
        let adj = SymmetricNormalizedAdjacency(train: g)
        let p = GraphPropagation(adjacency: adj, width: width)
        XCTAssertEqual(p.columns, 32)
        let s = p.stride
        var rng = RandomStream(seed: 2, purpose: "x")
        let x = AlignedFloatBuffer(count: n * p.stride)
        var xd = [[Double]](repeating: [Double](repeating: 0, count: width), count: n)
        for r in 0..<n { for c in 0..<width { let v = Float(rng.normal()); x.base[r * s + c] = v; xd[r][c] = Double(v) } }
        let out = run(p, x, masked: false, widths: nil)
        let ref = referenceMean(denseAdjacency(g), xd)
        for r in 0..<n {
            for c in 0..<width { XCTAssertEqual(Double(out[r * s + c]), ref[r][c], accuracy: 1e-5) }
            for c in width..<p.columns { XCTAssertEqual(out[r * s + c], 0) }
        }
    }

    func testAdjacencyMatchesCSRReferenceProduct() {
        let g = randomGraph(users: 20, items: 15, seed: 3)
        let adj = SymmetricNormalizedAdjacency(train: g)
        let d = adj.csr.dense()
        for r in 0..<adj.nodeCount { for c in 0..<adj.nodeCount { XCTAssertEqual(d[r, c], d[c, r]) } }
    }
}

final class TiledSpMMTests: XCTestCase {
    func testGeneralTiledProductMatchesReferenceSpMM() {
        var rng = RandomStream(seed: 4, purpose: "csr")
        var triples: [(Int, Int, Float)] = []
        for r in 0..<50 { for _ in 0..<rng.below(9) { triples.append((r, rng.below(40), Float(rng.normal()))) } }
        let a = CSRMatrix(rows: 50, cols: 40, triples: triples)
        let stride = GraphPropagation.paddedStride(64)
        let x = AlignedFloatBuffer(count: 40 * stride), y = AlignedFloatBuffer(count: 50 * stride)
        var xm = Matrix(rows: 40, cols: 64)
        for r in 0..<40 { for c in 0..<64 { let v = Float(rng.normal()); x.base[r * stride + c] = v; xm[r, c] = v } }
        var ym = Matrix(rows: 50, cols: 64)
        SpMM.multiply(a, xm, into: &ym)
        TiledSpMM.multiply(a, x.base, into: y.base, columns: 64, stride: stride)
        for r in 0..<50 { for c in 0..<64 { XCTAssertEqual(y.base[r * stride + c], ym[r, c], accuracy: 1e-5) } }
    }
}
