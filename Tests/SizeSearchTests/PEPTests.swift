import XCTest
import Linalg
import RecData
import Recommenders
@testable import SizeSearch

/// PEP (docs/method.md §3.3): the soft threshold's gradients, the full chain through the layer-0 hook,
/// the optimiser details, mask capture, resume and a tiny end-to-end stage.
final class PEPTests: XCTestCase {
    override func setUp() { Threads.set(1) }

    // MARK: - PEPThreshold

    /// L = Σ w ⊙ Ṽ + ½ Σ Ṽ² in Double from the Float forward; central differences with h = 1e−3 on
    /// entries at least 3h from a kink (|V| = σ(s) or V = 0); relative tolerance 1e−2 plus 1e−4.
    func testThresholdGradientsMatchCentralDifferences() {
        var rng = RandomStream(seed: 1, purpose: "test/pep/threshold")
        let n = 400
        let v = (0..<n).map { _ in Float(rng.normal() * 0.6) }
        let s = (0..<n).map { _ in Float(-4 + 4 * rng.unitDouble()) }
        let w = (0..<n).map { _ in Float(rng.normal()) }
        func loss(_ v: [Float], _ s: [Float]) -> Double {
            let y = PEPThreshold.forward(values: v, thresholds: s)
            return zip(y, w).reduce(0.0) { $0 + Double($1.0) * Double($1.1) + 0.5 * Double($1.0) * Double($1.0) }
        }
        let y = PEPThreshold.forward(values: v, thresholds: s)
        let upstream = zip(y, w).map { $0 + $1 }
        let (dv, ds) = PEPThreshold.backward(values: v, thresholds: s, upstream: upstream)
        let h: Float = 1e-3
        var checked = 0, pruned = 0
        for i in 0..<n {
            let g = 1 / (1 + exp(-s[i]))
            if abs(v[i]) <= g { pruned += 1; XCTAssertEqual(y[i], 0); XCTAssertEqual(dv[i], 0); XCTAssertEqual(ds[i], 0) }
            guard abs(abs(v[i]) - g) > 3 * h, abs(v[i]) > 3 * h else { continue }
            checked += 1
            var vp = v, vm = v, sp = s, sm = s
            vp[i] += h; vm[i] -= h; sp[i] += h; sm[i] -= h
            let fdV = (loss(vp, s) - loss(vm, s)) / (2 * Double(h))
            let fdS = (loss(v, sp) - loss(v, sm)) / (2 * Double(h))
            XCTAssertEqual(Double(dv[i]), fdV, accuracy: 1e-4 + 1e-2 * abs(fdV), "∂/∂V at \(i)")
            XCTAssertEqual(Double(ds[i]), fdS, accuracy: 1e-4 + 1e-2 * abs(fdS), "∂/∂s at \(i)")
        }
        XCTAssertGreaterThan(checked, 200)
        XCTAssertGreaterThan(pruned, 50, "the fixture must prune some entries")
        // sign(0) = 0: an exact zero stays zero for any threshold.
        XCTAssertEqual(PEPThreshold.forward(values: [0, -0.5], thresholds: [-30, -30]), [0, -0.5])
    }

    // MARK: - PEPModel chain through the layer-0 hook

    static let train = UserItemLists(userCount: 4, itemCount: 5, lists: [[0, 1], [2, 3], [1, 3, 4], [0]])
    static let batch = BPRBatch(users: [0, 1, 2, 0, 3, 2], positives: [1, 2, 3, 0, 0, 4], negatives: [2, 0, 0, 3, 1, 1])
    static let dMax = 6
    static var fullSizes: EmbeddingSizes { EmbeddingSizes.uniform(userCount: 4, itemCount: 5, size: dMax, dMax: dMax) }

    /// No coupled L2 and no clip, so the model's gradient is the plain ∂L/∂V, ∂L/∂s.
    static func plainModel(_ inner: any Layer0InputBackbone) -> PEPModel {
        PEPModel(inner: inner, optimizer: PEPThresholdOptimizer(learningRate: 1e-3, weightDecay: 0, clipNorm: 1e9))
    }

    /// Random V (scale `scale`) and s ∈ [−4, 0] (σ(s) ∈ [0.018, 0.5]) so that part of every table is pruned.
    static func randomize(_ m: PEPModel, scale: Double, seed: UInt64) {
        var rng = RandomStream(seed: seed, purpose: "test/pep/params")
        let v = m.values.map { $0.map { _ in Float(rng.normal() * scale) } }
        let s = m.thresholds.map { $0.map { _ in Float(-4 + 4 * rng.unitDouble()) } }
        m.setParameters(values: v, thresholds: s)
    }

    /// Central differences of the backbone's Float loss L(Ṽ(V, s)) against `PEPModel.gradients`,
    /// h = 1e−2 on entries ≥ 3h from a kink; tolerance 2e−4 absolute + 2e−2 relative (Float loss).
    func checkChain(_ inner: any Layer0InputBackbone, scale: Double, file: StaticString = #filePath, line: UInt = #line) {
        let m = Self.plainModel(inner)
        Self.randomize(m, scale: scale, seed: 9)
        let r = inner.lossAndLayer0Gradients(Self.batch, layer0: m.prunedTables)
        let (gv, gs) = m.gradients(upstream: r.gradients)
        func loss(_ v: [[Float]], _ s: [[Float]]) -> Double {
            let x = zip(v, s).map { Matrix(rows: m.nodeCount, cols: m.dMax, storage: PEPThreshold.forward(values: $0, thresholds: $1)) }
            return Double(inner.lossAndLayer0Gradients(Self.batch, layer0: x).loss)
        }
        let h: Float = 1e-2
        var checked = 0, nonzero = 0
        let v = m.values, s = m.thresholds
        for t in v.indices {
            for i in v[t].indices {
                let g = 1 / (1 + exp(-s[t][i]))
                guard abs(abs(v[t][i]) - g) > 3 * h else { continue }
                var vp = v, vm = v, sp = s, sm = s
                vp[t][i] += h; vm[t][i] -= h; sp[t][i] += h; sm[t][i] -= h
                let fdV = (loss(vp, s) - loss(vm, s)) / (2 * Double(h))
                let fdS = (loss(v, sp) - loss(v, sm)) / (2 * Double(h))
                XCTAssertEqual(Double(gv[t][i]), fdV, accuracy: 2e-4 + 2e-2 * abs(fdV), "∂/∂V table \(t) entry \(i)", file: file, line: line)
                XCTAssertEqual(Double(gs[t][i]), fdS, accuracy: 2e-4 + 2e-2 * abs(fdS), "∂/∂s table \(t) entry \(i)", file: file, line: line)
                checked += 1
                if abs(fdV) > 1e-3 { nonzero += 1 }
            }
        }
        XCTAssertGreaterThan(checked, v.count * v[0].count / 2, file: file, line: line)
        XCTAssertGreaterThan(nonzero, 10, "the fixture must have non-trivial gradients", file: file, line: line)
    }

    func testChainThroughLightGCNMatchesCentralDifferences() {
        checkChain(LightGCN(train: Self.train, sizes: Self.fullSizes, seed: 3), scale: 1.0)
    }

    func testChainThroughNeuMFMatchesCentralDifferences() {
        checkChain(NeuMF(train: Self.train, sizes: Self.fullSizes, seed: 3), scale: 0.7)
    }

    /// g_s = (∂L/∂s + wd·s) · min(1, c/(‖·‖ + 1e−6)) over all s tables; V's gradient untouched.
    func testThresholdGradientGetsCoupledL2AndGlobalClip() {
        let inner = NeuMF(train: Self.train, sizes: Self.fullSizes, seed: 4)
        let plain = Self.plainModel(inner)
        Self.randomize(plain, scale: 0.7, seed: 5)
        let up = inner.lossAndLayer0Gradients(Self.batch, layer0: plain.prunedTables).gradients
        let (gv0, gs0) = plain.gradients(upstream: up)
        let wd: Float = 0.3, clip: Float = 0.05
        let m = PEPModel(inner: inner, optimizer: PEPThresholdOptimizer(learningRate: 1e-3, weightDecay: wd, clipNorm: clip))
        m.setParameters(values: plain.values, thresholds: plain.thresholds)
        let (gv, gs) = m.gradients(upstream: up)
        XCTAssertEqual(gv, gv0)
        let raw = zip(gs0, m.thresholds).map { zip($0, $1).map { $0 + wd * $1 } }
        let norm = raw.joined().reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot()
        XCTAssertGreaterThan(norm, Double(clip), "the fixture must trigger the clip")
        let k = Float(Double(clip) / (norm + 1e-6))
        for t in gs.indices { for i in gs[t].indices { XCTAssertEqual(gs[t][i], raw[t][i] * k, accuracy: 1e-6) } }
        let clipped = gs.joined().reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot()
        XCTAssertEqual(clipped, Double(clip), accuracy: 1e-4)
    }

    /// One step: V moves at the backbone's rate, s at the threshold rate (Adam's first step moves
    /// every entry with a non-zero gradient by ≈ lr); pruned entries of V do not move.
    func testStepUsesBackboneRateForValuesAndThresholdRateForThresholds() {
        let m = PEPModel(inner: LightGCN(train: Self.train, sizes: Self.fullSizes, seed: 3),
                         optimizer: PEPThresholdOptimizer(learningRate: 1e-3, weightDecay: 1e-5, clipNorm: 100))
        Self.randomize(m, scale: 1.0, seed: 2)
        let v0 = m.values[0], s0 = m.thresholds[0], y0 = m.pruned[0]
        _ = m.trainStep(Self.batch, learningRate: 0.03)
        var movedV = 0, movedS = 0
        for i in v0.indices {
            let dv = abs(m.values[0][i] - v0[i]), ds = abs(m.thresholds[0][i] - s0[i])
            if y0[i] == 0 { XCTAssertEqual(dv, 0, "a pruned entry has zero gradient") }
            if dv > 0 { movedV += 1; XCTAssertEqual(dv, 0.03, accuracy: 1e-4) }
            if ds > 0 { movedS += 1; XCTAssertEqual(ds, 1e-3, accuracy: 1e-5) }
        }
        XCTAssertGreaterThan(movedV, 10)
        XCTAssertGreaterThan(movedS, 10)
        XCTAssertEqual(m.valueLearningRate(scheduled: 0.03), 0.03, "the rate the history logs is the rate V moved at")
        XCTAssertEqual(m.pruned[0], PEPThreshold.forward(values: m.values[0], thresholds: m.thresholds[0]))
    }

    /// `useOwnOptimizer`: V (and the network) at the constant threshold rate, whatever rate the caller passes.
    func testOwnOptimizerTrainsValuesAtTheThresholdRate() {
        let m = PEPModel(inner: LightGCN(train: Self.train, sizes: Self.fullSizes, seed: 3),
                         optimizer: PEPThresholdOptimizer(learningRate: 2e-3, weightDecay: 1e-5, clipNorm: 100),
                         useOwnOptimizer: true)
        Self.randomize(m, scale: 1.0, seed: 2)
        let v0 = m.values[0]
        _ = m.trainStep(Self.batch, learningRate: 0.03)
        let moved = zip(m.values[0], v0).map { abs($0 - $1) }.filter { $0 > 0 }
        XCTAssertGreaterThan(moved.count, 10)
        for d in moved { XCTAssertEqual(d, 2e-3, accuracy: 1e-4, "Adam's first step ≈ lr (ε matters for tiny gradients)") }
        XCTAssertEqual(m.valueLearningRate(scheduled: 0.03), 2e-3, "the rate the history logs is the rate V moved at")
    }

    /// Element-wise in fixed chunks: the same bits with 1 and 2 threads (sizes above one chunk).
    func testThresholdIsThreadCountIndependent() {
        var rng = RandomStream(seed: 4, purpose: "test/pep/threads")
        let n = 100_003
        let v = (0..<n).map { _ in Float(rng.normal() * 0.01) }
        let s = (0..<n).map { _ in Float(-6 + rng.unitDouble()) }
        let g = (0..<n).map { _ in Float(rng.normal()) }
        func run(_ threads: Int) -> ([Float], [Float], [Float]) {
            Threads.set(threads)
            defer { Threads.set(1) }
            let b = PEPThreshold.backward(values: v, thresholds: s, upstream: g)
            return (PEPThreshold.forward(values: v, thresholds: s), b.values, b.thresholds)
        }
        let one = run(1), two = run(2)
        XCTAssertEqual(one.0, two.0)
        XCTAssertEqual(one.1, two.1)
        XCTAssertEqual(one.2, two.2)
    }

    func testModelCheckpointRestoresExactly() throws {
        let train = CIESSSearchResumeTests.tinyDataset().train
        let config = PEPConfig(dataset: "tiny", backbone: .neumf, seed: 2, batchSize: 16, thresholdLR: 0.05)
        let a = PEPModel(configuration: config, train: train)
        var sampler = BPRSampler(train: train, seed: 1)
        let batches = (0..<4).map { _ in sampler.nextBatch(size: 16) }
        for b in batches.prefix(2) { _ = a.trainStep(b, learningRate: 0.03) }
        let stored = try PropertyListDecoder().decode(PackedBackboneCheckpoint.self,
                                                      from: try PropertyListEncoder().encode(PackedBackboneCheckpoint(a.checkpoint())))
        let b = PEPModel(configuration: config, train: train)
        try b.restore(try stored.unpacked())
        XCTAssertEqual(b.values, a.values)
        XCTAssertEqual(b.thresholds, a.thresholds)
        for x in batches.suffix(2) { XCTAssertEqual(a.trainStep(x, learningRate: 0.02), b.trainStep(x, learningRate: 0.02)) }
        XCTAssertEqual(b.pruned, a.pruned)
        var broken = a.checkpoint()
        broken.tensors["pep/thresholds/gmf"] = nil
        XCTAssertThrowsError(try b.restore(broken))
    }

    // MARK: - Mask capture

    func testCaptureTakesSeveralTargetsInOneStepAndLeavesUnreachedOnesEmpty() {
        // N = 10, 2 tables, dMax 128: B_c = ⌊(1−c)·1280⌋ per table → 512, 256, 128, 12 (×2 tables).
        var capture = PEPMaskCapture(targets: [0.9, 0.6, 0.99, 0.8], entitiesPerTable: 10, tableCount: 2)
        XCTAssertEqual(capture.targets.map(\.targetSparsity), [0.6, 0.8, 0.9, 0.99])
        XCTAssertEqual(capture.targets.map(\.budget), [1024, 512, 256, 24])
        XCTAssertEqual(capture.observe(nonzeros: 2560, step: 0).map(\.targetSparsity), [])
        XCTAssertEqual(capture.observe(nonzeros: 1025, step: 1).map(\.targetSparsity), [])
        XCTAssertEqual(capture.observe(nonzeros: 1024, step: 2).map(\.targetSparsity), [0.6], "≤ budget, inclusive")
        XCTAssertEqual(capture.observe(nonzeros: 1100, step: 3).map(\.targetSparsity), [], "nnz may rise again")
        XCTAssertEqual(capture.observe(nonzeros: 250, step: 4).map(\.targetSparsity), [0.8, 0.9], "two targets in one step")
        XCTAssertEqual(capture.observe(nonzeros: 30, step: 5).map(\.targetSparsity), [])
        XCTAssertEqual(capture.target(0.6)?.step, 2)
        XCTAssertEqual(capture.target(0.8)?.step, 4)
        XCTAssertEqual(capture.target(0.9)?.nonzeros, 250)
        XCTAssertNil(capture.target(0.99)?.step, "never reached: not faked")
        XCTAssertFalse(capture.isComplete)
        XCTAssertEqual(capture.observe(nonzeros: 24, step: 6).map(\.targetSparsity), [0.99])
        XCTAssertTrue(capture.isComplete)
        XCTAssertEqual(PEPMaskCapture.maskPath(0.8), "masks/pep-c0.80.mask")
    }

    // MARK: - The stage

    /// Aggressive thresholds on the tiny fixture (σ(−6) ≈ 0.0025 against LightGCN's init scale 0.01, lr 0.5):
    /// the density falls from 0.81 to about 0.18 within 15 steps and then levels off, so 0.5 and 0.8 are
    /// reached and 0.999 is not.
    static func stageConfig(maxChunks: Int = 6, thresholdInit: Float = -6) -> PEPConfig {
        PEPConfig(dataset: "tiny", backbone: .lightgcn, seed: 5, batchSize: 32, chunkBatches: 5, maxChunks: maxChunks,
                  thresholdLR: 0.5, thresholdInit: thresholdInit, useOwnOptimizer: false, logEvery: 2)
    }

    static let stageTargets = [0.5, 0.8, 0.999]

    static func tempDir(_ label: String) -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("pep-\(label)-\(UUID())")
    }

    func testTinyStageWritesMasksCandidatesAndSummary() throws {
        let d = CIESSSearchResumeTests.tinyDataset()
        let dir = Self.tempDir("stage")
        defer { try? FileManager.default.removeItem(at: dir) }
        let search = PEPSearch(configuration: Self.stageConfig(), directory: dir)
        let summary = try search.run(dataset: d, targets: Self.stageTargets, progress: nil)
        let history = try PEPSearch.readHistory(search.historyURL)
        XCTAssertEqual(history.first?.step, 0)
        XCTAssertEqual(history.last?.step, summary.batches)
        XCTAssertEqual(summary.batches, 30, "0.999 is out of reach, so the run goes to the cap")
        XCTAssertFalse(summary.allCaptured)
        let selections = try CIESSCandidates.read(searchDirectory: dir)
        XCTAssertEqual(selections.map(\.targetSparsity), Self.stageTargets)
        let n = d.userCount + d.itemCount
        for (c, sel) in zip(Self.stageTargets, selections) {
            let capture = summary.captures.first { $0.targetSparsity == c }!
            guard let step = capture.step else { XCTAssertEqual(sel.candidates, [], "c = \(c) not reached"); continue }
            XCTAssertEqual(sel.candidates.count, 1)
            let cand = sel.candidates[0]
            XCTAssertEqual(cand.iteration, step)
            XCTAssertEqual(cand.sizesFile, PEPMaskCapture.maskPath(c))
            let mask = try ElementMaskFile.read(dir.appendingPathComponent(cand.sizesFile))
            XCTAssertEqual(mask.nonzeroCount, capture.nonzeros)
            XCTAssertLessThanOrEqual(mask.nonzeroCount, Budget.entries(targetSparsity: c, entities: n))
            XCTAssertEqual(cand.density, mask.density)
            XCTAssertGreaterThanOrEqual(mask.sparsity, c)
            // The capture step is logged, and it is the first step at or under the budget.
            let logged = history.first { $0.step == step }
            XCTAssertEqual(logged?.totalNonzeros, capture.nonzeros)
            XCTAssertTrue(logged?.captured.contains(c) ?? false)
            XCTAssertTrue(history.filter { $0.step < step }.allSatisfy { $0.totalNonzeros > capture.budget })
        }
        XCTAssertNotNil(summary.captures.first { $0.targetSparsity == 0.8 }?.step, "the fixture must reach 0.8")
        // Done: a re-run returns the stored summary; other settings are refused.
        XCTAssertEqual(try search.run(dataset: d, targets: Self.stageTargets, progress: nil), summary)
        XCTAssertThrowsError(try PEPSearch(configuration: Self.stageConfig(maxChunks: 7), directory: dir)
            .run(dataset: d, targets: Self.stageTargets, progress: nil))
    }

    /// σ(0) = 0.5 ≫ LightGCN's init scale: everything is pruned before the first batch. Both targets would be
    /// "captured" at 0 entries — not a model: the stage stops with an error that names the fix, and writes no
    /// candidates (a retraining of an empty mask must never look within budget).
    func testPruningEveryEntryIsRefused() throws {
        let d = CIESSSearchResumeTests.tinyDataset()
        let dir = Self.tempDir("step0")
        defer { try? FileManager.default.removeItem(at: dir) }
        XCTAssertThrowsError(try PEPSearch(configuration: Self.stageConfig(thresholdInit: 0), directory: dir)
            .run(dataset: d, targets: [0.8, 0.9], progress: nil)) { e in
            XCTAssertEqual(e as? PEPSearchError, .prunedEverything(step: 0, targets: [0.8, 0.9]))
            XCTAssertTrue("\(e)".contains("lower --threshold-lr"), "\(e)")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir.appendingPathComponent(CIESSCandidates.fileName).path))
    }

    func testInterruptedStageResumesToTheSameResult() throws {
        let d = CIESSSearchResumeTests.tinyDataset()
        let root = Self.tempDir("resume")
        defer { try? FileManager.default.removeItem(at: root) }
        let straight = root.appendingPathComponent("straight"), resumed = root.appendingPathComponent("resumed")
        let a = try PEPSearch(configuration: Self.stageConfig(), directory: straight)
            .run(dataset: d, targets: Self.stageTargets, progress: nil)
        let stopped = try PEPSearch(configuration: Self.stageConfig(), directory: resumed)
            .run(dataset: d, targets: Self.stageTargets, progress: nil, stopAfterChunk: 1)
        XCTAssertNil(stopped)
        // A killed chunk leaves lines after the checkpoint behind.
        let h = try FileHandle(forWritingTo: resumed.appendingPathComponent("history.jsonl"))
        try h.seekToEnd()
        h.write(Data("{\"step\": 11, \"nonzeros\": [1]}\n{\"step\": 12, \"trunc".utf8))
        try h.close()
        var b = try PEPSearch(configuration: Self.stageConfig(), directory: resumed)
            .run(dataset: d, targets: Self.stageTargets, progress: nil)
        b.wallSeconds = a.wallSeconds
        XCTAssertEqual(a, b)
        XCTAssertEqual(try PEPSearch.readHistory(straight.appendingPathComponent("history.jsonl")),
                       try PEPSearch.readHistory(resumed.appendingPathComponent("history.jsonl")))
        XCTAssertEqual(try CIESSCandidates.read(searchDirectory: straight), try CIESSCandidates.read(searchDirectory: resumed))
        for t in a.captures where t.step != nil {
            let path = PEPMaskCapture.maskPath(t.targetSparsity)
            XCTAssertEqual(try ElementMaskFile.read(straight.appendingPathComponent(path)),
                           try ElementMaskFile.read(resumed.appendingPathComponent(path)))
        }
        // The interruption happened before the cap and the captures span it.
        XCTAssertGreaterThan(a.batches, 10)
    }

    // MARK: - Opt-in real-data check
}
