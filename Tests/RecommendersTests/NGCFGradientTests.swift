import XCTest
import Evaluation
import Linalg
import RecData
@testable import Recommenders

/// NGCF's hand-written gradient against central differences of an independent Double reference
/// of the loss (dense L = D⁻¹(A + I), plain loops), with the dropout masks fixed (the loss is
/// then a deterministic function of the parameters) and with dropout off; plus evaluation
/// determinism (decision D31), thread-count independence and exact checkpoint resumption.
final class NGCFGradientTests: XCTestCase {
    let train = UserItemLists(userCount: 4, itemCount: 5, lists: [[0, 1, 3], [2, 4], [1, 4], [0, 2, 3]])
    var sizes = EmbeddingSizes(users: [1, 6, 3, 5], items: [2, 6, 4, 6, 3], dMax: 6)
    var batch = BPRBatch(users: [0, 2, 0, 3, 1, 3, 2], positives: [1, 4, 3, 2, 2, 0, 1],
                         negatives: [2, 0, 4, 1, 3, 4, 3])
    var d = 6
    let n = 9, U = 4

    /// Parameter layout of the flat vectors: embedding (N·d), then per layer W_gc, W_bi (d·d, row
    /// r = input feature), b_gc, b_bi (d).
    var names: [String] {
        ["embedding"] + (1...3).flatMap { ["W_gc.\($0)", "W_bi.\($0)", "b_gc.\($0)", "b_bi.\($0)"] }
    }

    func flatten(_ t: [String: Matrix]) -> [Double] { names.flatMap { t[$0]!.storage.map(Double.init) } }

    func unflatten(_ v: [Double], like t: [String: Matrix]) -> [String: Matrix] {
        var out: [String: Matrix] = [:], at = 0
        for name in names {
            let m = t[name]!
            out[name] = Matrix(rows: m.rows, cols: m.cols, storage: v[at..<(at + m.storage.count)].map { Float($0) })
            at += m.storage.count
        }
        return out
    }

    struct Masks {
        var node: HashedDropoutMask?
        var message: [HashedDropoutMask?]
        static let none = Masks(node: nil, message: [nil, nil, nil])
    }

    /// Dense L′ (node dropout applied through the CSR positions: rows ascending, columns ascending).
    func dropped(_ node: HashedDropoutMask?) -> [[Double]] {
        var a = [[Double]](repeating: [Double](repeating: 0, count: n), count: n)
        for r in 0..<n { a[r][r] = 1 }
        for u in 0..<U { for i in train.items(of: u) { a[u][U + Int(i)] = 1; a[U + Int(i)][u] = 1 } }
        var k = 0
        for r in 0..<n {
            let deg = a[r].reduce(0, +)
            for c in 0..<n where a[r][c] != 0 {
                if let m = node { a[r][c] = m.keeps(k) ? 1 / deg / (1 - m.dropProbability) : 0 } else { a[r][c] = 1 / deg }
                k += 1
            }
        }
        return a
    }

    /// F (n × 4d) of the reference forward, from the flat parameters.
    func referenceFinal(_ p: [Double], masks: Masks, stride: Int) -> [[Double]] {
        let l = dropped(masks.node)
        let widths = sizes.nodeSizes.map { Int($0) }
        var x = [[Double]](repeating: [Double](repeating: 0, count: d), count: n)
        for r in 0..<n { for c in 0..<widths[r] { x[r][c] = p[r * d + c] } }
        var f = x
        var at = n * d
        for layer in 0..<3 {
            let wgc = Array(p[at..<(at + d * d)]); at += d * d
            let wbi = Array(p[at..<(at + d * d)]); at += d * d
            let bgc = Array(p[at..<(at + d)]); at += d
            let bbi = Array(p[at..<(at + d)]); at += d
            var next = x
            for r in 0..<n {
                var s = [Double](repeating: 0, count: d)
                for c in 0..<n where l[r][c] != 0 { for j in 0..<d { s[j] += l[r][c] * x[c][j] } }
                for j in 0..<d {
                    var z = bgc[j] + bbi[j]
                    for q in 0..<d { z += s[q] * wgc[q * d + j] + x[r][q] * s[q] * wbi[q * d + j] }
                    var a = z > 0 ? z : 0.2 * z
                    if let m = masks.message[layer] { a = m.keeps(r * stride + j) ? a / (1 - m.dropProbability) : 0 }
                    next[r][j] = a
                }
            }
            x = next
            for r in 0..<n {
                let norm = x[r].reduce(0) { $0 + $1 * $1 }.squareRoot()
                f[r] += x[r].map { $0 / max(norm, 1e-12) }
            }
        }
        return f
    }

    func referenceLoss(_ p: [Double], masks: Masks, stride: Int) -> Double {
        let f = referenceFinal(p, masks: masks, stride: stride)
        var loss = 0.0, reg = 0.0
        for b in 0..<batch.count {
            let u = Int(batch.users[b]), i = U + Int(batch.positives[b]), j = U + Int(batch.negatives[b])
            var x = 0.0
            for k in 0..<(4 * d) { x += f[u][k] * (f[j][k] - f[i][k]) }
            loss += log(1 + exp(x))
            for r in [u, i, j] { for k in 0..<(4 * d) { reg += f[r][k] * f[r][k] } }
        }
        let B = Double(batch.count)
        return loss / B + 1e-3 * reg / B
    }

    /// Checks every parameter entry (or every `sample`-th entry of the weight matrices).
    func checkGradient(masks: Masks, sample: Int = 1, warmUp: BPRBatch? = nil,
                       file: StaticString = #filePath, line: UInt = #line) {
        let model = NGCF(train: train, sizes: sizes, seed: 7)
        // A previous pass on another batch leaves its intermediates in the model's buffers.
        if let w = warmUp { _ = model.lossAndGradients(w, node: masks.node, message: masks.message) }
        let params = model.parameters
        let base = flatten(params)
        let (loss, grads) = model.lossAndGradients(batch, node: masks.node, message: masks.message)
        let g = flatten(grads)
        XCTAssertEqual(Double(loss), referenceLoss(base, masks: masks, stride: model.columns),
                       accuracy: 1e-5 * max(1, abs(Double(loss))), file: file, line: line)
        let widths = sizes.nodeSizes.map { Int($0) }
        let eps = 1e-6
        var checked = [String: Int]()
        var at = 0
        for name in names {
            let count = params[name]!.storage.count
            for k in 0..<count {
                let index = at + k
                if name == "embedding", k % d >= widths[k / d] {
                    XCTAssertEqual(g[index], 0, "masked entry \(k / d),\(k % d) must get exactly 0", file: file, line: line)
                    continue
                }
                if name.hasPrefix("W"), k % sample != 0 { continue }
                if name.hasPrefix("b"), k % max(1, sample / 8) != 0 { continue }
                var plus = base, minus = base
                plus[index] += eps
                minus[index] -= eps
                let fd = (referenceLoss(plus, masks: masks, stride: model.columns)
                          - referenceLoss(minus, masks: masks, stride: model.columns)) / (2 * eps)
                XCTAssertEqual(g[index], fd, accuracy: 2e-5 + 2e-3 * abs(fd), "\(name)[\(k)]", file: file, line: line)
                if abs(fd) > 1e-6 { checked[name, default: 0] += 1 }
            }
            at += count
        }
        // Every parameter group must have received a nontrivial gradient somewhere.
        for name in names { XCTAssertGreaterThan(checked[name] ?? 0, 0, "\(name) got only zero gradients", file: file, line: line) }
    }

    func testGradientWithoutDropoutMatchesCentralDifferences() {
        checkGradient(masks: .none)
    }

    func testGradientWithFixedDropoutMasksMatchesCentralDifferences() {
        // Larger drop rates than NGCF's 0.1 so that a 9-node graph surely loses entries and the
        // 1/(1 − p) scales are exercised with distinct values.
        let masks = Masks(node: HashedDropoutMask(dropProbability: 0.3, key: 11),
                          message: [HashedDropoutMask(dropProbability: 0.2, key: 12),
                                    HashedDropoutMask(dropProbability: 0.25, key: 13),
                                    HashedDropoutMask(dropProbability: 0.2, key: 14)])
        let nnz = 2 * train.interactionCount + n
        XCTAssertTrue((0..<nnz).contains { !masks.node!.keeps($0) }, "the node mask drops some entry")
        XCTAssertTrue((0..<nnz).contains { masks.node!.keeps($0) })
        checkGradient(masks: masks)
        // NGCF's own per-step masks (p = 0.1) as used by trainStep.
        let model = NGCF(train: train, sizes: sizes, seed: 7)
        let own = model.dropoutMasks(step: 5)
        checkGradient(masks: Masks(node: own.node, message: own.message))
    }

    /// A batch that leaves user 3 and item 4 untouched: a training step computes the last layer
    /// only for touched rows (compacted), which must not change the loss or any gradient.
    func testGradientWithUntouchedNodesMatchesCentralDifferences() {
        let full = batch
        batch = BPRBatch(users: [0, 2, 1, 0], positives: [1, 1, 2, 3], negatives: [2, 0, 3, 2])
        checkGradient(masks: .none, warmUp: full)
        let own = NGCF(train: train, sizes: sizes, seed: 7).dropoutMasks(step: 2)
        checkGradient(masks: Masks(node: own.node, message: own.message), warmUp: full)
    }

    /// d = 40: two 32-column tiles, so the layer-1 backward product skips tiles past d_n (sizes
    /// ≤ 32) and the padding columns 40..<64 are exercised.
    func testGradientWithTwoColumnTilesMatchesCentralDifferences() {
        d = 40
        sizes = EmbeddingSizes(users: [1, 40, 33, 32], items: [20, 40, 7, 36, 3], dMax: 40)
        let model = NGCF(train: train, sizes: sizes, seed: 7)
        XCTAssertEqual(model.columns, 64)
        let own = model.dropoutMasks(step: 1)
        checkGradient(masks: Masks(node: own.node, message: own.message), sample: 61)
    }

    /// trainStep uses the step's dropout masks; the scorer uses none and is deterministic.
    func testTrainingUsesDropoutAndEvaluationIsDeterministicWithoutDropout() {
        let model = NGCF(train: train, sizes: sizes, seed: 7)
        let p = flatten(model.parameters)
        let masks = model.dropoutMasks(step: 0)
        let expected = referenceLoss(p, masks: Masks(node: masks.node, message: masks.message), stride: model.columns)
        let clean = referenceLoss(p, masks: .none, stride: model.columns)
        XCTAssertGreaterThan(abs(expected - clean), 1e-6, "dropout must change the training loss")

        // Evaluation: equal to the dropout-free reference forward, and the same on every call.
        let s1 = model.makeScorer() as! DotProductScorer
        let s2 = model.makeScorer() as! DotProductScorer
        XCTAssertEqual(s1.users, s2.users)
        XCTAssertEqual(s1.itemsTransposed, s2.itemsTransposed)
        XCTAssertEqual(s1.users.cols, 4 * d)
        let f = referenceFinal(p, masks: .none, stride: model.columns)
        for r in 0..<n {
            for k in 0..<(4 * d) {
                let got = r < U ? s1.users[r, k] : s1.itemsTransposed[k, r - U]
                XCTAssertEqual(Double(got), f[r][k], accuracy: 1e-5, "F[\(r), \(k)]")
            }
        }
        var scores = [Float](repeating: 0, count: U * 5)
        s1.scores(users: 0..<U, into: &scores)
        XCTAssertEqual(Double(scores[1 * 5 + 2]), (0..<(4 * d)).reduce(0.0) { $0 + f[1][$1] * f[U + 2][$1] }, accuracy: 1e-4)

        let loss = model.trainStep(batch, learningRate: 0.03)
        XCTAssertEqual(Double(loss), expected, accuracy: 1e-5, "trainStep's loss is the loss under dropoutMasks(step: 0)")
        XCTAssertNotEqual(flatten(model.parameters), p, "the step updated the parameters")
        // Evaluation after a training step is still dropout-free and repeatable.
        let s3 = model.makeScorer() as! DotProductScorer, s4 = model.makeScorer() as! DotProductScorer
        XCTAssertEqual(s3.users, s4.users)
        let f2 = referenceFinal(flatten(model.parameters), masks: .none, stride: model.columns)
        XCTAssertEqual(Double(s3.itemsTransposed[9, 3]), f2[U + 3][9], accuracy: 1e-5)
    }

    func testTrainingIsThreadCountIndependentAndCheckpointsResumeExactly() throws {
        func run(threads: Int, steps: Int, from c: BackboneCheckpoint? = nil) throws -> NGCF {
            let saved = Threads.count
            defer { Threads.set(saved) }
            Threads.set(threads)
            let m = NGCF(train: train, sizes: sizes, seed: 3)
            if let c { try m.restore(c) }
            for _ in 0..<steps { _ = m.trainStep(batch, learningRate: NGCF.schedule.rate(afterBatches: m.steps)) }
            return m
        }
        let one = try run(threads: 1, steps: 4), two = try run(threads: 2, steps: 4)
        XCTAssertEqual(one.parameters, two.parameters)
        let half = try run(threads: 2, steps: 2)
        let data = try JSONEncoder().encode(half.checkpoint())
        let resumed = try run(threads: 2, steps: 2, from: try JSONDecoder().decode(BackboneCheckpoint.self, from: data))
        XCTAssertEqual(resumed.steps, 4)
        XCTAssertEqual(resumed.parameters, one.parameters)
        XCTAssertEqual(resumed.checkpoint(), one.checkpoint())
        // Masked entries never move from their initial values.
        let initial = NGCF(train: train, sizes: sizes, seed: 3).parameters["embedding"]!
        let trained = one.parameters["embedding"]!
        let widths = sizes.nodeSizes.map { Int($0) }
        var moved = 0
        for r in 0..<n {
            for c in 0..<d {
                if c >= widths[r] { XCTAssertEqual(trained[r, c], initial[r, c]) } else if trained[r, c] != initial[r, c] { moved += 1 }
            }
        }
        XCTAssertGreaterThan(moved, 0)
        XCTAssertThrowsError(try one.restore(BackboneCheckpoint(backbone: "lightgcn", tensors: [:], optimizer: [:], steps: 0)))
    }

    func testLossDecreasesWhenTrainingOnOneBatch() {
        let m = NGCF(train: train, sizes: EmbeddingSizes.full(userCount: 4, itemCount: 5, dMax: 6), seed: 1)
        let first = m.trainStep(batch, learningRate: 0.01)
        var last = first
        for _ in 0..<60 { last = m.trainStep(batch, learningRate: 0.01) }
        XCTAssertLessThan(last, first)
    }

    func testXavierInitialisationBounds() {
        let big = UserItemLists(userCount: 40, itemCount: 30, lists: (0..<40).map { [Int32($0 % 30)] })
        let m = NGCF(train: big, sizes: EmbeddingSizes.full(userCount: 40, itemCount: 30, dMax: 16), seed: 2)
        let p = m.parameters
        let e = p["embedding"]!
        let ub = Float((6.0 / 56).squareRoot()), ib = Float((6.0 / 46).squareRoot())
        let userMax = (0..<(40 * 16)).map { abs(e.storage[$0]) }.max()!
        let itemMax = ((40 * 16)..<(70 * 16)).map { abs(e.storage[$0]) }.max()!
        XCTAssertLessThanOrEqual(userMax, ub)
        XCTAssertGreaterThan(userMax, 0.9 * ub)
        XCTAssertLessThanOrEqual(itemMax, ib)
        XCTAssertGreaterThan(itemMax, 0.9 * ib)
        let w = p["W_bi.2"]!.storage.map(abs).max()!, b = p["b_gc.3"]!.storage.map(abs).max()!
        XCTAssertLessThanOrEqual(w, Float((6.0 / 32).squareRoot()))
        XCTAssertGreaterThan(w, 0.8 * Float((6.0 / 32).squareRoot()))
        XCTAssertLessThanOrEqual(b, Float((6.0 / 17).squareRoot()))
    }
}
