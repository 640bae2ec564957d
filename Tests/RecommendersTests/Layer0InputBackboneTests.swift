import XCTest
import Linalg
import RecData
@testable import Recommenders

/// The layer-0 hook against the backbones' own (finite-difference-checked) gradients, and the
/// element-masked final training against the prefix-masked backbones it generalises.
final class Layer0InputBackboneTests: XCTestCase {
    let train = UserItemLists(userCount: 5, itemCount: 6, lists: [[0, 1, 3], [2], [1, 4, 5], [0, 5], [3]])
    let batch = BPRBatch(users: [0, 2, 0, 4, 1, 3], positives: [1, 4, 3, 3, 2, 5], negatives: [2, 0, 5, 1, 3, 4])

    override func setUp() { Threads.set(1) }

    func fullSizes() -> EmbeddingSizes { .full(userCount: 5, itemCount: 6, dMax: 128) }

    /// X⁰ with a recognisable pattern, different from the backbone's own tables.
    func pattern(_ seed: UInt64, count: Int = 1) -> [Matrix] {
        var r = RandomStream(seed: seed, purpose: "test/layer0")
        return (0..<count).map { _ in Matrix(rows: 11, cols: 128, storage: (0..<(11 * 128)).map { _ in Float(r.normal() * 0.1) }) }
    }

    func assertClose(_ a: [Float], _ b: [Float], tolerance: Float = 1e-6, _ what: String) {
        XCTAssertEqual(a.count, b.count, what)
        let worst = zip(a, b).map { abs($0 - $1) }.max() ?? 0
        XCTAssertLessThanOrEqual(worst, tolerance, what)
    }

    func testLightGCNHookEqualsOwnGradientAtTheSameEmbedding() {
        let x = pattern(1)
        let hooked = LightGCN(train: train, sizes: fullSizes(), seed: 3)
        let own = LightGCN(train: train, sizes: fullSizes(), seed: 9)
        own.parameters = x[0]
        let h = hooked.lossAndLayer0Gradients(batch, layer0: x), o = own.lossAndGradient(batch)
        XCTAssertEqual(h.loss, o.loss)
        assertClose(h.gradients[0].storage, o.gradient.storage, tolerance: 0, "LightGCN ∂L/∂X⁰")
    }

    func testNGCFHookEqualsOwnGradientAndUpdatesOnlyTheNetwork() {
        let x = pattern(2)
        let hooked = NGCF(train: train, sizes: fullSizes(), seed: 3)
        let own = NGCF(train: train, sizes: fullSizes(), seed: 3)
        var p = own.parameters
        p["embedding"] = x[0]
        own.parameters = p
        let masks = own.dropoutMasks(step: 0)
        let o = own.lossAndGradients(batch, node: masks.node, message: masks.message)
        let before = hooked.parameters
        let h = hooked.trainStep(batch, layer0: x, learningRate: 0.01)
        XCTAssertEqual(h.loss, o.loss)
        assertClose(h.gradients[0].storage, o.gradients["embedding"]!.storage, tolerance: 0, "NGCF ∂L/∂X⁰")
        let after = hooked.parameters
        XCTAssertNotEqual(after["W_gc.1"], before["W_gc.1"], "the network weights must move")
        XCTAssertEqual(hooked.steps, 1)
    }

    func testNeuMFHookEqualsOwnGradientOnBothTables() {
        let x = pattern(3, count: 2)
        let hooked = NeuMF(train: train, sizes: fullSizes(), seed: 4)
        let own = NeuMF(train: train, sizes: fullSizes(), seed: 4)
        var p = own.parameters
        p.gmf = x[0]
        p.mlp = x[1]
        own.parameters = p
        let o = own.lossAndGradient(batch), h = hooked.lossAndLayer0Gradients(batch, layer0: x)
        XCTAssertEqual(h.loss, o.loss)
        XCTAssertEqual(hooked.layer0TableNames, ["gmf", "mlp"])
        assertClose(h.gradients[0].storage, o.gradient.gmf.storage, tolerance: 0, "NeuMF ∂L/∂G")
        assertClose(h.gradients[1].storage, o.gradient.mlp.storage, tolerance: 0, "NeuMF ∂L/∂P")
    }

    func testLayer0TablesAreTheSeededInitialisationOfMake() {
        for kind in BackboneKind.allCases {
            let a = kind.makeLayer0Input(train: train, seed: 11).layer0Tables()
            let b = kind.makeLayer0Input(train: train, seed: 11).layer0Tables()
            let c = kind.makeLayer0Input(train: train, seed: 12).layer0Tables()
            XCTAssertEqual(a, b, "\(kind): same seed, same θ₀")
            XCTAssertNotEqual(a, c, "\(kind): another seed, another θ₀")
        }
    }

    /// With a prefix mask, the element-masked training follows the prefix-sized backbone's
    /// trajectory (same init, same loss; Adam in another but equivalent arrangement).
    func testMaskedTableBackboneMatchesPrefixSizedBackbone() {
        let sizes = EmbeddingSizes(users: [1, 128, 30, 5, 64], items: [2, 8, 1, 127, 4, 6], dMax: 128)
        for kind in BackboneKind.allCases {
            let tables = kind == .neumf ? ["gmf", "mlp"] : ["embedding"]
            let masked = MaskedTableBackbone(kind: kind, train: train, mask: .prefix(sizes, tableNames: tables), seed: 5)
            let plain = kind.make(train: train, sizes: sizes, seed: 5)
            let lr = kind.schedule.rate(afterBatches: 1)
            for step in 0..<5 {
                let a = masked.trainStep(batch, learningRate: lr), b = plain.trainStep(batch, learningRate: lr)
                XCTAssertEqual(a, b, accuracy: 1e-5 * max(1, abs(b)), "\(kind) step \(step)")
            }
        }
    }

    func testMaskedEntriesStayZeroAndCheckpointRoundTrips() throws {
        var mask = ElementMask(tableNames: ["embedding"], userCount: 5, itemCount: 6)
        for r in 0..<11 { for c in stride(from: r % 3, to: 128, by: 3) { mask[0, r, c] = true } }
        let m = MaskedTableBackbone(kind: .lightgcn, train: train, mask: mask, seed: 2)
        for _ in 0..<3 { _ = m.trainStep(batch, learningRate: 0.03) }
        for r in 0..<11 { for c in 0..<128 where !mask[0, r, c] { XCTAssertEqual(m.tables[0][r * 128 + c], 0) } }
        let saved = m.checkpoint()
        let lossNext = m.trainStep(batch, learningRate: 0.03)
        try m.restore(saved)
        XCTAssertEqual(m.trainStep(batch, learningRate: 0.03), lossNext, "restore must reproduce the next step")
        var broken = saved
        broken.tensors["masked/embedding"] = nil
        XCTAssertThrowsError(try m.restore(broken))
    }
}
