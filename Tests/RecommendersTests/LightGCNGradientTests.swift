import XCTest
import Linalg
import RecData
@testable import Recommenders

/// LightGCN's hand-written gradient against central differences of an independent Double
/// reference of the loss (dense Â, plain loops).
final class LightGCNGradientTests: XCTestCase {
    let train = UserItemLists(userCount: 5, itemCount: 6, lists: [[0, 1, 3], [2], [1, 4, 5], [0, 5], [3]])
    let sizes = EmbeddingSizes(users: [1, 8, 3, 5, 8], items: [2, 8, 1, 7, 4, 6], dMax: 8)
    let batch = BPRBatch(users: [0, 2, 0, 4, 1, 3], positives: [1, 4, 3, 3, 2, 5], negatives: [2, 0, 5, 1, 3, 4])

    /// The loss in Double from E (N × dMax), following the math contract literally.
    func referenceLoss(_ e: [Double]) -> Double {
        let U = 5, I = 6, n = U + I, d = 8
        var a = [[Double]](repeating: [Double](repeating: 0, count: n), count: n)
        for u in 0..<U { for i in train.items(of: u) { a[u][U + Int(i)] = 1; a[U + Int(i)][u] = 1 } }
        let dinv = a.map { 1 / ($0.reduce(0, +) + 1e-9).squareRoot() }
        let sz = sizes.nodeSizes.map { Int($0) }
        var x0 = [[Double]](repeating: [Double](repeating: 0, count: d), count: n)
        for r in 0..<n { for c in 0..<sz[r] { x0[r][c] = e[r * d + c] } }
        var h = x0, f = x0
        for _ in 0..<3 {
            var next = [[Double]](repeating: [Double](repeating: 0, count: d), count: n)
            for r in 0..<n { for c in 0..<n where a[r][c] != 0 { for j in 0..<d { next[r][j] += dinv[r] * dinv[c] * h[c][j] } } }
            h = next
            for r in 0..<n { for j in 0..<d { f[r][j] += h[r][j] } }
        }
        f = f.map { $0.map { $0 / 4 } }
        let B = Double(batch.count)
        var loss = 0.0, reg = 0.0
        for b in 0..<batch.count {
            let u = Int(batch.users[b]), i = U + Int(batch.positives[b]), j = U + Int(batch.negatives[b])
            var x = 0.0
            for k in 0..<d { x += f[u][k] * (f[j][k] - f[i][k]) }
            loss += log(1 + exp(x))
            for r in [u, i, j] { for k in 0..<d { reg += x0[r][k] * x0[r][k] } }
        }
        return loss / B + 1e-4 * reg / B
    }

    func testGradientMatchesCentralDifferencesAndMaskedEntriesAreZero() {
        let model = LightGCN(train: train, sizes: sizes, seed: 7)
        var rng = RandomStream(seed: 11, purpose: "test-params")
        let e = Matrix(rows: 11, cols: 8, storage: (0..<88).map { _ in Float(rng.normal() * 0.7) })
        model.parameters = e
        let (loss, grad) = model.lossAndGradient(batch)
        let base = e.storage.map(Double.init)
        XCTAssertEqual(Double(loss), referenceLoss(base), accuracy: 1e-5 * max(1, abs(Double(loss))))
        let widths = sizes.nodeSizes.map { Int($0) }
        let eps = 1e-4
        for r in 0..<11 {
            for c in 0..<8 {
                if c >= widths[r] { XCTAssertEqual(grad[r, c], 0, "masked entry (\(r),\(c)) must get exactly 0"); continue }
                var p = base, m = base
                p[r * 8 + c] += eps
                m[r * 8 + c] -= eps
                let fd = (referenceLoss(p) - referenceLoss(m)) / (2 * eps)
                XCTAssertEqual(Double(grad[r, c]), fd, accuracy: 1e-5 + 1e-3 * abs(fd), "entry (\(r),\(c))")
            }
        }
    }

    func testTrainingIsThreadCountIndependentAndCheckpointsResumeExactly() throws {
        func train(threads: Int, steps: Int, from c: BackboneCheckpoint? = nil) throws -> LightGCN {
            let saved = Threads.count
            defer { Threads.set(saved) }
            Threads.set(threads)
            let m = LightGCN(train: self.train, sizes: sizes, seed: 3)
            if let c { try m.restore(c) }
            for s in 0..<steps { _ = m.trainStep(batch, learningRate: LightGCN.schedule.rate(afterBatches: s)) }
            return m
        }
        let one = try train(threads: 1, steps: 4), two = try train(threads: 2, steps: 4)
        XCTAssertEqual(one.parameters, two.parameters)
        let half = try train(threads: 2, steps: 2)
        let data = try JSONEncoder().encode(half.checkpoint())
        let resumed = try train(threads: 2, steps: 2, from: try JSONDecoder().decode(BackboneCheckpoint.self, from: data))
        XCTAssertEqual(resumed.parameters, one.parameters)
        // Masked entries never move from their initial values.
        let initial = LightGCN(train: self.train, sizes: sizes, seed: 3).parameters
        let widths = sizes.nodeSizes.map { Int($0) }
        for r in 0..<11 { for c in widths[r]..<8 { XCTAssertEqual(one.parameters[r, c], initial[r, c]) } }
        let f = one.finalEmbeddings()
        XCTAssertEqual(f.users.rows, 5)
        XCTAssertEqual(f.items.rows, 6)
        XCTAssertEqual(f.items.cols, 8)
    }

    func testLossDecreasesWhenTrainingOnOneBatch() {
        let m = LightGCN(train: train, sizes: EmbeddingSizes.full(userCount: 5, itemCount: 6, dMax: 8), seed: 1)
        let first = m.trainStep(batch, learningRate: 0.03)
        var last = first
        for _ in 0..<50 { last = m.trainStep(batch, learningRate: 0.03) }
        XCTAssertLessThan(last, first)
    }
}
