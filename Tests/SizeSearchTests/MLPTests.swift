import XCTest
import Linalg
@testable import SizeSearch

final class MLPTests: XCTestCase {
    /// L = Σ_r Σ_o c[r, o]·y[r, o] in Double, for a fixed random c.
    private func loss(_ net: MLP, _ x: [Float], _ c: [Float]) -> Double {
        let y = net.evaluate(x)
        var s = 0.0
        for k in y.indices { s += Double(c[k]) * Double(y[k]) }
        return s
    }

    private func checkGradients(sizes: [Int], rows: Int, seed: UInt64, file: StaticString = #filePath, line: UInt = #line) {
        var rng = RandomStream(seed: seed, purpose: "mlp-test")
        let net = MLP(sizes: sizes, random: &rng)
        let x = (0..<(rows * sizes[0])).map { _ in 2 * rng.unitFloat() - 1 }
        let c = (0..<(rows * sizes.last!)).map { _ in 2 * rng.unitFloat() - 1 }
        let ws = MLPWorkspace(sizes: sizes, capacity: rows)
        var pg = [Float](repeating: .nan, count: net.parameterCount)
        var xg = [Float](repeating: .nan, count: x.count)
        x.withUnsafeBufferPointer { xp in
            c.withUnsafeBufferPointer { cp in
                pg.withUnsafeMutableBufferPointer { pgp in
                    xg.withUnsafeMutableBufferPointer { xgp in
                        net.forward(xp.baseAddress!, rows: rows, workspace: ws)
                        net.backward(input: xp.baseAddress!, rows: rows, outputGrad: cp.baseAddress!, workspace: ws,
                                     parameterGrads: pgp.baseAddress!, inputGrad: xgp.baseAddress!)
                    }
                }
            }
        }
        let h: Float = 1e-3   // small: fewer ReLU kinks crossed; Float noise ≈ 1e-6/h
        var worst = 0.0
        // Every parameter for small nets, a strided subset for wide ones.
        let stride = max(1, net.parameterCount / 150)
        for k in Swift.stride(from: 0, to: net.parameterCount, by: stride) {
            var plus = net, minus = net
            plus.parameters[k] += h
            minus.parameters[k] -= h
            let fd = (loss(plus, x, c) - loss(minus, x, c)) / Double(2 * h)
            let err = abs(fd - Double(pg[k])) / max(1, abs(fd))
            worst = max(worst, err)
            XCTAssertEqual(Double(pg[k]), fd, accuracy: 2e-2 * max(1, abs(fd)), "param \(k) of \(sizes)", file: file, line: line)
        }
        for k in x.indices {
            var xp = x, xm = x
            xp[k] += h
            xm[k] -= h
            let fd = (loss(net, xp, c) - loss(net, xm, c)) / Double(2 * h)
            XCTAssertEqual(Double(xg[k]), fd, accuracy: 2e-2 * max(1, abs(fd)), "input \(k) of \(sizes)", file: file, line: line)
        }
        XCTAssertFalse(pg.contains { $0.isNaN } || xg.contains { $0.isNaN }, "every gradient entry written", file: file, line: line)
    }

    func testGradientsThinAndDotLayers() {
        // Thin input (3 ≤ 8), thin hidden (7 ≤ 8), one-output head.
        checkGradients(sizes: [3, 7, 5, 1], rows: 9, seed: 1)
    }

    func testGradientsSgemmLayersAndCriticShape() {
        // 4 → 32 (thin) → 32 (sgemm) → 1 (dot): the critic's structure at a smaller width. Few rows, so
        // the ±h probes rarely cross a ReLU kink (multi-chunk reductions: see the additivity test).
        checkGradients(sizes: [4, 32, 32, 1], rows: 12, seed: 2)
        // Wide input and multi-output head: the sgemm paths for layer 0 and the last layer.
        checkGradients(sizes: [10, 12, 9, 2], rows: 5, seed: 3)
    }

    /// Parameter gradients are sums over rows: the 600-row gradient (3 row chunks of 256) equals the
    /// sum of the gradients of its two halves, and input-gradient rows do not depend on the batch.
    func testGradientsAreAdditiveOverRowChunks() {
        var rng = RandomStream(seed: 8, purpose: "mlp-test")
        let sizes = [4, 48, 40, 1]
        let net = MLP(sizes: sizes, random: &rng)
        let rows = 600, half = 300
        let x = (0..<(rows * 4)).map { _ in 2 * rng.unitFloat() - 1 }
        let c = (0..<rows).map { _ in 2 * rng.unitFloat() - 1 }
        func grads(_ lo: Int, _ hi: Int) -> ([Float], [Float]) {
            let n = hi - lo
            let ws = MLPWorkspace(sizes: sizes, capacity: n)
            var pg = [Float](repeating: 0, count: net.parameterCount), xg = [Float](repeating: 0, count: n * 4)
            let xs = Array(x[(lo * 4)..<(hi * 4)]), cs = Array(c[lo..<hi])
            xs.withUnsafeBufferPointer { xp in
                net.forward(xp.baseAddress!, rows: n, workspace: ws)
                net.backward(input: xp.baseAddress!, rows: n, outputGrad: cs, workspace: ws, parameterGrads: &pg, inputGrad: &xg)
            }
            return (pg, xg)
        }
        let (all, xAll) = grads(0, rows), (a, xa) = grads(0, half), (b, xb) = grads(half, rows)
        for k in all.indices { XCTAssertEqual(all[k], a[k] + b[k], accuracy: 1e-4 * max(1, abs(all[k]))) }
        XCTAssertEqual(xAll, xa + xb)
        XCTAssertGreaterThan(all.map { abs($0) }.max()!, 0.1)
    }

    func testGradientsOmittedParameterGradsStillGiveInputGrads() {
        var rng = RandomStream(seed: 4, purpose: "mlp-test")
        let net = MLP(sizes: [4, 16, 16, 1], random: &rng)
        let rows = 6
        let x = (0..<(rows * 4)).map { _ in 2 * rng.unitFloat() - 1 }
        let g = [Float](repeating: 1, count: rows)
        let ws = MLPWorkspace(sizes: net.sizes, capacity: rows)
        var full = [Float](repeating: 0, count: x.count), only = [Float](repeating: 0, count: x.count)
        var pg = [Float](repeating: 0, count: net.parameterCount)
        x.withUnsafeBufferPointer { xp in
            net.forward(xp.baseAddress!, rows: rows, workspace: ws)
            net.backward(input: xp.baseAddress!, rows: rows, outputGrad: g, workspace: ws, parameterGrads: &pg, inputGrad: &full)
            net.forward(xp.baseAddress!, rows: rows, workspace: ws)
            net.backward(input: xp.baseAddress!, rows: rows, outputGrad: g, workspace: ws, parameterGrads: nil, inputGrad: &only)
        }
        XCTAssertEqual(full, only)
        XCTAssertTrue(full.contains { $0 != 0 })
    }

    func testDefaultInitBoundsAndSoftUpdate() {
        var rng = RandomStream(seed: 5, purpose: "mlp-test")
        let net = MLP(sizes: [4, 256, 256, 1], random: &rng)
        for l in 0..<3 {
            let bound = 1 / Float(net.sizes[l]).squareRoot()
            let slice = net.parameters[net.weightOffset(l)..<(net.biasOffset(l) + net.sizes[l + 1])]
            XCTAssertTrue(slice.allSatisfy { abs($0) <= bound })
            XCTAssertGreaterThan(slice.map { abs($0) }.max()!, 0.95 * bound, "uses the full range")
        }
        var target = MLP(sizes: net.sizes, random: &rng)
        let before = target.parameters
        target.softUpdate(toward: net, tau: 0.005)
        for k in Swift.stride(from: 0, to: before.count, by: 997) {
            XCTAssertEqual(target.parameters[k], before[k] + 0.005 * (net.parameters[k] - before[k]))
        }
    }

    func testCodableRoundTripIsExact() throws {
        var rng = RandomStream(seed: 6, purpose: "mlp-test")
        let net = MLP(sizes: [3, 8, 1], random: &rng)
        let back = try JSONDecoder().decode(MLP.self, from: JSONEncoder().encode(net))
        XCTAssertEqual(back, net)
    }

    func testActorRangeAndInitialOutputNear64() {
        var rng = RandomStream(seed: 7, purpose: "actor-test")
        let actor = Actor(random: &rng)
        let lastW = actor.network.parameters[actor.network.weightOffset(2)..<actor.network.biasOffset(2)]
        XCTAssertTrue(lastW.allSatisfy { abs($0) <= 3e-3 })
        let states = (0..<(3 * 2000)).map { _ in 2 * rng.unitFloat() - 1 }
        let a = actor.propose(states: states, chunk: 700)
        XCTAssertTrue(a.allSatisfy { $0 >= 1 && $0 <= 128 })
        for v in a { XCTAssertEqual(v, 64.5, accuracy: 6) }   // tanh(z) ≈ 0 with |b| ≤ 1/16
        // Saturation maps to the range ends.
        XCTAssertEqual(Actor.action(fromTanh: -1), 1)
        XCTAssertEqual(Actor.action(fromTanh: 1), 128)
        XCTAssertEqual(TwinCritic.normalizedAction(1), -1)
        XCTAssertEqual(TwinCritic.normalizedAction(128), 1)
        // Chunked proposals equal one-shot evaluation.
        let z = actor.network.evaluate(states)
        for k in Swift.stride(from: 0, to: 2000, by: 37) { XCTAssertEqual(a[k], Actor.action(fromTanh: tanhf(z[k])), accuracy: 1e-4) }
    }
}
