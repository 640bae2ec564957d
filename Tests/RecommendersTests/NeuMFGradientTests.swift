import XCTest
import Linalg
import RecData
@testable import Recommenders

/// NeuMF's hand-written gradient against central differences of an independent Double reference
/// of the loss (plain loops over the contract of docs/method.md §2.3), for every parameter group.
final class NeuMFGradientTests: XCTestCase {
    // 4 users, 5 items; user 3 and item 4 are absent from the batch; user 0 appears twice.
    let train = UserItemLists(userCount: 4, itemCount: 5, lists: [[0, 1], [2, 3], [1, 3], [0]])
    let sizes = EmbeddingSizes(users: [1, 6, 3, 5], items: [6, 2, 1, 4, 5], dMax: 6)
    let batch = BPRBatch(users: [0, 1, 2, 0, 1], positives: [1, 2, 3, 0, 3], negatives: [2, 0, 0, 3, 1])

    /// Flat parameter vector: G (N·d), P (N·d), W_t (d·2d), b_t (d), w_p (2d), b_p (1).
    struct Layout {
        let n: Int, d: Int
        var g: Int { 0 }
        var p: Int { n * d }
        var w: Int { 2 * n * d }
        var bt: Int { w + 2 * d * d }
        var wp: Int { bt + d }
        var bp: Int { wp + 2 * d }
        var count: Int { bp + 1 }
    }

    static func flatten(_ x: NeuMFParameters) -> [Double] {
        (x.gmf.storage + x.mlp.storage + x.towerWeight.storage + x.towerBias + x.predictorWeight + [x.predictorBias])
            .map(Double.init)
    }

    /// The loss in Double, literally from the contract.
    static func referenceLoss(_ x: [Double], sizes: EmbeddingSizes, batch: BPRBatch, gmfMasked: Bool) -> Double {
        let U = sizes.users.count, d = sizes.dMax, L = Layout(n: sizes.entityCount, d: d)
        let widths = sizes.nodeSizes.map(Int.init)
        func p(_ n: Int, _ c: Int) -> Double { c < widths[n] ? x[L.p + n * d + c] : 0 }
        func g(_ n: Int, _ c: Int) -> Double { (!gmfMasked || c < widths[n]) ? x[L.g + n * d + c] : 0 }
        func score(_ u: Int, _ v: Int) -> Double {
            var s = x[L.bp]
            for o in 0..<d {
                var h = x[L.bt + o]
                for c in 0..<d { h += x[L.w + o * 2 * d + c] * p(u, c) + x[L.w + o * 2 * d + d + c] * p(v, c) }
                s += x[L.wp + o] * max(h, 0) + x[L.wp + d + o] * g(u, o) * g(v, o)
            }
            return s
        }
        var loss = 0.0, reg = 0.0
        for b in 0..<batch.count {
            let u = Int(batch.users[b]), i = U + Int(batch.positives[b]), j = U + Int(batch.negatives[b])
            let z = score(u, j) - score(u, i)
            loss += z > 0 ? z + log1p(exp(-z)) : log1p(exp(z))
            for n in [u, i, j] { for c in 0..<d { reg += p(n, c) * p(n, c) + g(n, c) * g(n, c) } }
        }
        let B = Double(batch.count)
        return loss / B + 1e-2 * reg / B
    }

    /// Random parameters large enough that the ReLU is active on some units and not on others.
    static func randomParameters(_ model: NeuMF, seed: UInt64) -> NeuMFParameters {
        var rng = RandomStream(seed: seed, purpose: "test-params")
        let n = model.nodeCount, d = model.dMax
        func r(_ k: Int, _ s: Double) -> [Float] { (0..<k).map { _ in Float(rng.normal() * s) } }
        return NeuMFParameters(gmf: Matrix(rows: n, cols: d, storage: r(n * d, 0.8)),
                               mlp: Matrix(rows: n, cols: d, storage: r(n * d, 0.8)),
                               towerWeight: Matrix(rows: d, cols: 2 * d, storage: r(2 * d * d, 0.5)),
                               towerBias: r(d, 0.3), predictorWeight: r(2 * d, 0.7), predictorBias: 0.2)
    }

    func checkGradient(masking: NeuMFMasking, sizes: EmbeddingSizes? = nil, every: Int = 1) {
        let sizes = sizes ?? self.sizes
        let d = sizes.dMax
        let model = NeuMF(train: train, sizes: sizes, seed: 3, masking: masking)
        let params = Self.randomParameters(model, seed: 5)
        model.parameters = params
        let (loss, grad) = model.lossAndGradient(batch)
        let base = Self.flatten(params)
        let gmfMasked = masking == .bothTables
        let ref = Self.referenceLoss(base, sizes: sizes, batch: batch, gmfMasked: gmfMasked)
        XCTAssertEqual(Double(loss), ref, accuracy: 1e-5 * max(1, abs(ref)))
        let analytic = Self.flatten(grad)
        let L = Layout(n: model.nodeCount, d: d)
        let widths = sizes.nodeSizes.map(Int.init)
        let inBatch = Set(batch.users.map(Int.init) + (batch.positives + batch.negatives).map { 4 + Int($0) })
        let eps = 1e-4
        var checked = [String: Int]()
        for k in 0..<L.count {
            let group: String
            var mustBeZero = false
            if k < L.p {
                group = "G"
                let n = k / d, c = k % d
                mustBeZero = !inBatch.contains(n) || (gmfMasked && c >= widths[n])
            } else if k < L.w {
                group = "P"
                let n = (k - L.p) / d, c = (k - L.p) % d
                mustBeZero = !inBatch.contains(n) || c >= widths[n]
            } else if k < L.bt { group = "W_t" } else if k < L.wp { group = "b_t" } else if k < L.bp { group = "w_p" } else { group = "b_p" }
            if mustBeZero {
                XCTAssertEqual(analytic[k], 0, "\(group) entry \(k) is masked or absent: its gradient must be exactly 0")
                continue
            }
            if k % every != 0 && k < L.bt { continue }
            var plus = base, minus = base
            plus[k] += eps
            minus[k] -= eps
            let fd = (Self.referenceLoss(plus, sizes: sizes, batch: batch, gmfMasked: gmfMasked)
                - Self.referenceLoss(minus, sizes: sizes, batch: batch, gmfMasked: gmfMasked)) / (2 * eps)
            XCTAssertEqual(analytic[k], fd, accuracy: 2e-5 + 2e-3 * abs(fd), "\(group) entry \(k) (\(masking))")
            if fd != 0 { checked[group, default: 0] += 1 }
        }
        // Every group was actually exercised with non-zero gradients (b_p's BPR gradient is 0 by symmetry).
        for gname in ["G", "P", "W_t", "b_t", "w_p"] { XCTAssertGreaterThan(checked[gname, default: 0], 0, gname) }
        if masking == .mlpOnly {
            // The GMF gradient reaches columns beyond the mask width.
            let n = 0, c = 3  // user 0 has size 1
            XCTAssertNotEqual(analytic[L.g + n * d + c], 0)
        }
    }

    func testGradientMatchesCentralDifferencesBothTablesMasked() { checkGradient(masking: .bothTables) }

    func testGradientMatchesCentralDifferencesMLPOnlyMasking() { checkGradient(masking: .mlpOnly) }

    /// dMax 40: the tower products run per width bin (≤16, ≤32, ≤40) and per 16-column block of ∂W,
    /// including a partial block; entries are spot-checked (every 5th of G, P, W_t; all biases and w_p).
    func testGradientWithSeveralWidthBins() {
        let wide = EmbeddingSizes(users: [1, 40, 17, 33], items: [40, 16, 1, 32, 25], dMax: 40)
        checkGradient(masking: .bothTables, sizes: wide, every: 5)
    }

    /// `.mlpOnly` leaves GMF unmasked; `.bothTables` applies the same mask row to G and P.
    func testMaskingVariants() {
        for masking in NeuMFMasking.allCases {
            let model = NeuMF(train: train, sizes: sizes, seed: 3, masking: masking)
            model.parameters = Self.randomParameters(model, seed: 9)
            let raw = model.parameters, masked = model.maskedTables()
            for n in 0..<model.nodeCount {
                let w = Int(sizes.nodeSizes[n])
                for c in 0..<6 {
                    XCTAssertEqual(masked.mlp[n, c], c < w ? raw.mlp[n, c] : 0)
                    XCTAssertEqual(masked.gmf[n, c], (masking == .mlpOnly || c < w) ? raw.gmf[n, c] : 0)
                }
            }
            // Changing a G entry beyond user 0's width (1) changes scores only under .mlpOnly.
            let before = model.directScore(user: 0, item: 0)
            var p = raw
            p.gmf[0, 4] += 1
            model.parameters = p
            let after = model.directScore(user: 0, item: 0)
            if masking == .mlpOnly { XCTAssertNotEqual(before, after) } else { XCTAssertEqual(before, after) }
        }
    }
}
