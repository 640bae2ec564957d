import XCTest
@testable import Linalg

final class CoreLinalgTests: XCTestCase {
    func testSgemmMatchesNaiveProductWithTransposes() {
        var rng = RandomStream(seed: 7, purpose: "sgemm")
        let a = Matrix(rows: 5, cols: 3, storage: (0..<15).map { _ in Float(rng.normal()) })
        let b = Matrix(rows: 4, cols: 3, storage: (0..<12).map { _ in Float(rng.normal()) })
        var c = Matrix(rows: 5, cols: 4)
        Sgemm.multiply(a, b, transposeB: true, into: &c)
        var worst: Float = 0
        for i in 0..<5 { for j in 0..<4 {
            var s: Float = 0
            for k in 0..<3 { s += a[i, k] * b[j, k] }
            worst = max(worst, abs(s - c[i, j]))
        } }
        XCTAssertLessThan(worst, 1e-5)
    }

    func testReferenceSpMMMatchesDenseProduct() {
        var rng = RandomStream(seed: 3, purpose: "spmm")
        var triples: [(Int, Int, Float)] = []
        for _ in 0..<60 { triples.append((rng.below(12), rng.below(9), Float(rng.normal()))) }
        let a = CSRMatrix(rows: 12, cols: 9, triples: triples)
        let x = Matrix(rows: 9, cols: 5, storage: (0..<45).map { _ in Float(rng.normal()) })
        var y = Matrix(rows: 12, cols: 5)
        SpMM.multiply(a, x, into: &y)
        let dense = a.dense()
        var worst: Float = 0
        for i in 0..<12 { for j in 0..<5 {
            var s: Float = 0
            for k in 0..<9 { s += dense[i, k] * x[k, j] }
            worst = max(worst, abs(s - y[i, j]))
        } }
        XCTAssertLessThan(worst, 1e-5)
    }

    func testCSRFromTriplesSortsColumnsAndSumsDuplicates() {
        let a = CSRMatrix(rows: 2, cols: 3, triples: [(1, 2, 1), (0, 1, 2), (1, 0, 3), (1, 2, 4)])
        XCTAssertEqual(a.rowStart, [0, 1, 3])
        XCTAssertEqual(a.colIndices, [1, 0, 2])
        XCTAssertEqual(a.values, [2, 3, 5])
    }

    func testAdamMatchesClosedFormOverThreeSteps() {
        // Scalar Adam by hand in Double: the Float implementation must agree to float precision.
        var params: [Float] = [0.5, -1.0]
        var state = AdamState(count: 2)
        let grads: [[Float]] = [[0.1, -0.2], [0.3, 0.0], [-0.05, 0.4]]
        var p = [0.5, -1.0], m = [0.0, 0.0], v = [0.0, 0.0]
        for (t, g) in grads.enumerated() {
            state.update(&params, grads: g, lr: 0.03)
            for i in 0..<2 {
                m[i] = 0.9 * m[i] + 0.1 * Double(g[i])
                v[i] = 0.999 * v[i] + 0.001 * Double(g[i]) * Double(g[i])
                let mh = m[i] / (1 - 0.9.power(t + 1)), vh = v[i] / (1 - 0.999.power(t + 1))
                p[i] -= 0.03 * mh / (vh.squareRoot() + 1e-8)
            }
        }
        XCTAssertEqual(Double(params[0]), p[0], accuracy: 1e-6)
        XCTAssertEqual(Double(params[1]), p[1], accuracy: 1e-6)
    }

    func testStepDecayScheduleDecaysEveryIntervalAndStopsAtTheFloor() {
        let s = StepDecaySchedule(lrMax: 0.03, lrMin: 1e-3, every: 200)
        XCTAssertEqual(s.rate(afterBatches: 0), 0.03)
        XCTAssertEqual(s.rate(afterBatches: 199), 0.03)
        XCTAssertEqual(s.rate(afterBatches: 200), 0.03 * 0.9, accuracy: 1e-9)
        XCTAssertEqual(s.rate(afterBatches: 401), 0.03 * 0.9 * 0.9, accuracy: 1e-9)
        XCTAssertEqual(s.rate(afterBatches: 1_000_000), 1e-3)   // 0.03·0.9^k < 1e-3 once k ≥ 33
    }

    func testRandomStreamsAreReproducibleAndPurposeSeparated() {
        var a = RandomStream(seed: 42, purpose: "init"), b = RandomStream(seed: 42, purpose: "init")
        var c = RandomStream(seed: 42, purpose: "sampler")
        let xa = (0..<5).map { _ in a.next() }, xb = (0..<5).map { _ in b.next() }, xc = (0..<5).map { _ in c.next() }
        XCTAssertEqual(xa, xb)
        XCTAssertNotEqual(xa, xc)
        var r = RandomStream(seed: 1)
        let draws = (0..<10_000).map { _ in r.below(7) }
        XCTAssertEqual(Set(draws), Set(0..<7))
        let mean = (0..<20_000).map { _ in r.normal() }.reduce(0, +) / 20_000
        XCTAssertEqual(mean, 0, accuracy: 0.03)
    }

    func testParallelSumIsIndependentOfThreadCount() {
        let values = (0..<100_003).map { Double($0 % 97) * 1e-3 + 1e-9 * Double($0) }
        func total() -> Double {
            values.withUnsafeBufferPointer { b in
                let p = SendablePointer(UnsafeMutablePointer(mutating: b.baseAddress!))
                return Parallel.sum(count: b.count, grain: 1000) { r in r.reduce(0.0) { $0 + p[$1] } }
            }
        }
        let saved = Threads.count
        defer { Threads.set(saved) }
        Threads.set(1); let one = total()
        Threads.set(2); let two = total()
        Threads.set(3); let three = total()
        XCTAssertEqual(one.bitPattern, two.bitPattern)
        XCTAssertEqual(one.bitPattern, three.bitPattern)
    }

    func testProgressClockFormatting() {
        XCTAssertEqual(ProgressReporter.clock(59.4), "0m59s")
        XCTAssertEqual(ProgressReporter.clock(3725), "1h02m")
        XCTAssertEqual(ProgressReporter.eta(elapsed: 10, done: 1, total: 4), "0m30s")
        XCTAssertEqual(ProgressReporter.eta(elapsed: 10, done: 0, total: 4), "?")
    }
}
