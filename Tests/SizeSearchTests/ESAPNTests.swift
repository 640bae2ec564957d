import XCTest
import Evaluation
import Linalg
import RecData
import Recommenders
@testable import SizeSearch

/// ESAPN (docs/method.md §3.4): hand-written gradients against central differences (Float), the
/// tentative-copy rule of the controller step, the greedy enlargement rule with its top-level cap,
/// checkpoint/resume equality and a tiny end-to-end stage.
final class ESAPNTests: XCTestCase {
    override func setUp() { Threads.set(1) }

    static func tinyConfig(_ backbone: BackboneKind = .lightgcn) -> ESAPNConfig {
        ESAPNConfig(dataset: "tiny", backbone: backbone, seed: 3, batchSize: 32,
                    converge: ConvergeConfig(chunkBatches: 3, patience: 2, maxChunks: 3),
                    popularityDim: 4, policyHidden: 16, logEvery: 2)
    }

    // MARK: - Transforms

    /// Random levels for `n` entities (all levels present for n ≥ 6).
    static func levels(_ n: Int, _ levelCount: Int) -> [UInt8] { (0..<n).map { UInt8(($0 * 7 + 3) % levelCount) } }

    /// The stacks' backward against central differences of L = Σ R ⊙ h (random R), every parameter
    /// block probed (E of every level, A and b of every transform). Float; tolerance 2e−3·|fd| + 2e−3.
    func testTransformBackwardMatchesCentralDifferences() {
        let sizes = [2, 4, 8, 16, 64, 128]
        var rng = RandomStream(seed: 5, purpose: "test/esapn/theta")
        let U = 4, I = 5, N = U + I
        let theta = Matrix(rows: N, cols: 128, storage: (0..<(N * 128)).map { _ in Float(rng.normal() * 0.5) })
        var tables = ESAPNTables(sizes: sizes, userCount: U, itemCount: I, initial: [theta], seed: 9)
        for g in 0..<2 {
            for k in tables.stacks[0][g].parameters.indices { tables.stacks[0][g].parameters[k] += Float(rng.normal() * 0.1) }
        }
        let lv = Self.levels(N, sizes.count)
        let R = Matrix(rows: N, cols: 128, storage: (0..<(N * 128)).map { _ in Float(rng.normal()) })
        func loss(_ t: ESAPNTables) -> Double {
            zip(t.forward(levels: lv)[0].storage, R.storage).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
        }
        let grads = tables.backward(levels: lv, gradients: [R])
        let eps: Float = 1e-2
        var largest = 0.0
        for g in 0..<2 {
            let s = tables.stacks[0][g]
            var probes: [Int] = []
            for k in 0..<sizes.count { probes += [s.tableOffsets[k], s.tableOffsets[k] + s.count * sizes[k] - 1] }
            for k in 0..<(sizes.count - 1) { probes += [s.weightOffsets[k], s.weightOffsets[k] + 1, s.biasOffsets[k]] }
            for p in probes {
                var plus = tables, minus = tables
                plus.stacks[0][g].parameters[p] += eps
                minus.stacks[0][g].parameters[p] -= eps
                let fd = (loss(plus) - loss(minus)) / Double(2 * eps)
                largest = max(largest, abs(fd))
                XCTAssertEqual(Double(grads[0][g][p]), fd, accuracy: 2e-3 * abs(fd) + 2e-3, "group \(g) parameter \(p)")
            }
        }
        XCTAssertGreaterThan(largest, 1)
        // A level-k entity's E^{(j≠k)} rows get exactly zero gradient.
        let s = tables.stacks[0][0]
        let n0 = lv[0..<U].firstIndex(of: 3)!
        for c in 0..<sizes[1] { XCTAssertEqual(grads[0][0][s.tableOffsets[1] + n0 * sizes[1] + c], 0) }
    }

    /// End to end through the layer-0 hook of a tiny LightGCN and a tiny NeuMF (two tables, shared
    /// levels): ∂L/∂(stack parameters) of the real BPR + reg loss against central differences.
    /// Float; tolerance 3e−2·|fd| + 2e−4.
    func testGradientThroughBackbonesMatchesCentralDifferences() {
        let d = CIESSSearchResumeTests.tinyDataset()
        for kind in [BackboneKind.lightgcn, .neumf] {
            let inner = kind.makeLayer0Input(train: d.train, seed: 4)
            var rng = RandomStream(seed: 6, purpose: "test/esapn/\(kind)")
            let N = d.userCount + d.itemCount
            let theta = inner.layer0Tables().map { _ in
                Matrix(rows: N, cols: 128, storage: (0..<(N * 128)).map { _ in Float(rng.normal() * 0.3) })
            }
            let tables = ESAPNTables(sizes: [2, 4, 8, 16, 64, 128], userCount: d.userCount, itemCount: d.itemCount,
                                     initial: theta, seed: 2)
            let lv = Self.levels(N, 6)
            var sampler = BPRSampler(train: d.train, seed: 1)
            let batch = sampler.nextBatch(size: 16)
            let (_, g0) = inner.lossAndLayer0Gradients(batch, layer0: tables.forward(levels: lv))
            let grads = tables.backward(levels: lv, gradients: g0)
            XCTAssertEqual(grads.count, kind == .neumf ? 2 : 1)
            let eps: Float = 2e-2
            var largest = 0.0
            for t in 0..<tables.tableCount {
                for g in 0..<2 {
                    let s = tables.stacks[t][g]
                    let n = Int(g == 0 ? batch.users[0] : batch.positives[0])
                    let k = Int(lv[g == 0 ? n : d.userCount + n])
                    let probes = [s.tableOffsets[k] + n * s.sizes[k], s.weightOffsets[4] + 3, s.biasOffsets[4] + 5,
                                  s.weightOffsets[max(k, 0) < 5 ? min(k, 4) : 4]]
                    for p in probes {
                        var plus = tables, minus = tables
                        plus.stacks[t][g].parameters[p] += eps
                        minus.stacks[t][g].parameters[p] -= eps
                        let lp = inner.lossAndLayer0Gradients(batch, layer0: plus.forward(levels: lv)).loss
                        let lm = inner.lossAndLayer0Gradients(batch, layer0: minus.forward(levels: lv)).loss
                        let fd = Double(lp - lm) / Double(2 * eps)
                        largest = max(largest, abs(fd))
                        XCTAssertEqual(Double(grads[t][g][p]), fd, accuracy: 3e-2 * abs(fd) + 2e-4,
                                       "\(kind) table \(t) group \(g) parameter \(p)")
                    }
                }
            }
            XCTAssertGreaterThan(largest, 2e-3, "\(kind): the probed gradients must exceed the tolerance")
        }
    }

    // MARK: - Policy

    /// ∂/∂θ of Σ −log π(a|s)·r (through both BatchNorms, tanh and the popularity embedding) against
    /// central differences, on every parameter of a tiny policy. Float; tolerance 2e−2·|fd| + 1e−3.
    func testReinforceGradientMatchesCentralDifferences() {
        var rng = RandomStream(seed: 8, purpose: "test/esapn/policy")
        var policy = ESAPNPolicy(vocabulary: 5, popDim: 3, levelCount: 6, hidden: 4, random: &rng)
        for k in policy.parameters.indices { policy.parameters[k] += Float(rng.normal() * 0.3) }
        let freq = [0, 3, 3, 1, 4, 2, 3]
        let lv: [UInt8] = [0, 1, 5, 2, 0, 3, 1]
        let actions: [UInt8] = [1, 0, 0, 1, 1, 0, 1]
        let rewards: [Float] = [0.7, -0.4, 1.2, 0.3, -0.9, 0.5, -0.2]
        let (loss, grad) = policy.reinforceGradient(frequencies: freq, levels: lv, actions: actions, rewards: rewards)
        func L(_ p: ESAPNPolicy) -> Double {
            ESAPNPolicy.reinforceLoss(p.forward(frequencies: freq, levels: lv), actions: actions, rewards: rewards)
        }
        XCTAssertEqual(loss, L(policy), accuracy: 1e-9)
        let eps: Float = 1e-2
        var checked = 0
        for p in policy.parameters.indices {
            var plus = policy, minus = policy
            plus.parameters[p] += eps
            minus.parameters[p] -= eps
            let fd = (L(plus) - L(minus)) / Double(2 * eps)
            XCTAssertEqual(Double(grad[p]), fd, accuracy: 2e-2 * abs(fd) + 1e-3, "policy parameter \(p)")
            checked += 1
        }
        XCTAssertEqual(checked, policy.parameterCount)
        // The gradient must not be trivially zero (the check could then not fail).
        XCTAssertGreaterThan(grad.map { abs($0) }.max()!, 1e-2)
        // One Adam step moves the policy towards the rewarded actions: the loss drops.
        var stepped = policy
        stepped.reinforce(frequencies: freq, levels: lv, actions: actions, rewards: rewards, lr: 1e-2)
        XCTAssertLessThan(L(stepped), L(policy))
    }

    /// Running the network once per distinct (f, level) with weights is exact: logits and the
    /// REINFORCE gradient equal the one-row-per-occurrence computation (many duplicates here).
    func testDeduplicatedPolicyEqualsPerOccurrence() {
        var rng = RandomStream(seed: 4, purpose: "test/esapn/dedup")
        var policy = ESAPNPolicy(vocabulary: 4, popDim: 3, levelCount: 6, hidden: 8, random: &rng)
        for k in policy.parameters.indices { policy.parameters[k] += Float(rng.normal() * 0.3) }
        let m = 40
        let freq = (0..<m).map { _ in rng.below(4) }
        let lv = (0..<m).map { _ in UInt8(rng.below(3)) }
        let actions = (0..<m).map { _ in UInt8(rng.below(2)) }
        let rewards = (0..<m).map { _ in Float(rng.normal()) }
        let a = policy.forward(frequencies: freq, levels: lv), b = policy.forward(frequencies: freq, levels: lv, deduplicate: false)
        XCTAssertLessThan(a.rows, m / 2, "the fixture must have duplicates")
        XCTAssertEqual(b.rows, m)
        for k in 0..<m { for act in 0..<2 { XCTAssertEqual(a.logit(k, act), b.logit(k, act), accuracy: 1e-5) } }
        let ga = policy.reinforceGradient(frequencies: freq, levels: lv, actions: actions, rewards: rewards)
        let gb = policy.reinforceGradient(frequencies: freq, levels: lv, actions: actions, rewards: rewards, deduplicate: false)
        XCTAssertEqual(ga.loss, gb.loss, accuracy: 1e-4)
        for (x, y) in zip(ga.gradient, gb.gradient) { XCTAssertEqual(x, y, accuracy: 1e-4 + 1e-3 * abs(y)) }
    }

    /// Sampling never enlarges at the top level; greedy is the argmax.
    func testActionRulesRespectTheTopLevel() {
        var rng = RandomStream(seed: 1, purpose: "test/esapn/rules")
        var policy = ESAPNPolicy(vocabulary: 3, popDim: 2, levelCount: 6, hidden: 4, random: &rng)
        policy.parameters[policy.c2Off] = -30
        policy.parameters[policy.c2Off + 1] = 30
        let lv: [UInt8] = [0, 5, 4, 5, 1]
        let f = policy.forward(frequencies: [0, 1, 2, 1, 0], levels: lv)
        XCTAssertEqual(ESAPNPolicy.greedy(f, levels: lv, topLevel: 5), [1, 0, 1, 0, 1])
        var r = RandomStream(seed: 2, purpose: "test")
        XCTAssertEqual(ESAPNPolicy.sample(f, levels: lv, topLevel: 5, random: &r), [1, 0, 1, 0, 1])
    }

    // MARK: - Model

    /// The inner backbone's state without its layer-0 tensors (scratch: the caller owns X⁰).
    static func network(_ m: ESAPNModel) -> BackboneCheckpoint {
        var c = m.inner.checkpoint()
        for t in m.inner.layer0TableNames { c.tensors[t] = nil; c.optimizer[t] = nil }
        return c
    }

    /// Biases the output layer of both policies to always (or never) enlarge.
    static func force(_ m: ESAPNModel, enlarge: Bool, strength: Float = 30) {
        let s: Float = enlarge ? strength : -strength
        m.userPolicy.parameters[m.userPolicy.c2Off] = -s
        m.userPolicy.parameters[m.userPolicy.c2Off + 1] = s
        m.itemPolicy.parameters[m.itemPolicy.c2Off] = -s
        m.itemPolicy.parameters[m.itemPolicy.c2Off + 1] = s
    }

    func testControllerStepNeverChangesTheLiveModel() {
        let d = CIESSSearchResumeTests.tinyDataset()
        for kind in [BackboneKind.lightgcn, .neumf] {
            let m = ESAPNModel(configuration: Self.tinyConfig(kind), train: d.train)
            var sampler = BPRSampler(train: d.train, seed: 2)
            Self.force(m, enlarge: false)
            m.recommenderStep(sampler.nextBatch(size: 32), learningRate: 0.01)  // histories, so rewards ≠ 0
            Self.force(m, enlarge: true, strength: 1)  // mostly enlarge, yet a non-zero policy gradient
            let batch = sampler.nextBatch(size: 32)
            let tables = m.tables, levels = m.levels, hv = m.historyValues, hc = m.historyCounts
            let net = Self.network(m), h = m.layer0()
            let (up, ip) = (m.userPolicy.parameters, m.itemPolicy.parameters)
            let out = m.controllerStep(batch)
            XCTAssertGreaterThan(out.enlargedUsers, 0, "the copy must have been enlarged")
            XCTAssertGreaterThan(out.enlargedItems, 0)
            XCTAssertEqual(m.tables, tables)
            XCTAssertEqual(m.levels, levels)
            XCTAssertEqual(m.historyValues, hv)
            XCTAssertEqual(m.historyCounts, hc)
            XCTAssertEqual(Self.network(m), net)
            XCTAssertEqual(m.layer0(), h)
            XCTAssertTrue(m.userPolicy.parameters != up, "the policies take their REINFORCE step")
            XCTAssertTrue(m.itemPolicy.parameters != ip)
            XCTAssertNotEqual(out.userPolicyLoss, 0)
        }
    }

    func testGreedyEnlargementIsOneLevelPerStepUpToTheTopAndKeepsH() {
        let d = CIESSSearchResumeTests.tinyDataset()
        let m = ESAPNModel(configuration: Self.tinyConfig(), train: d.train)
        let batch = BPRBatch(users: [0, 0, 3], positives: [1, 2, 1], negatives: [5, 6, 7])
        let nodes = Set([0, 3] + [1, 2, 5, 6, 7].map { d.userCount + $0 })
        Self.force(m, enlarge: false)
        XCTAssertEqual(m.applyGreedyEnlargements(batch), [])
        Self.force(m, enlarge: true)
        for step in 1...7 {
            let before = m.layer0()[0]
            let (tables, oldLevels) = (m.tables, m.levels)
            let enlarged = m.applyGreedyEnlargements(batch)
            XCTAssertEqual(Set(enlarged), step <= 5 ? nodes : [], "step \(step)")
            for n in 0..<m.levels.count {
                XCTAssertEqual(Int(m.levels[n]), nodes.contains(n) ? min(step, 5) : 0, "node \(n) step \(step)")
            }
            // E^{(k+1)}_n ← W^{(k)}E^{(k)}_n: h is unchanged up to rounding.
            let after = m.layer0()[0]
            for (a, b) in zip(before.storage, after.storage) { XCTAssertEqual(a, b, accuracy: 1e-5 + 1e-4 * abs(a)) }
            if step == 1 {
                let s = tables.stacks[0][0], x = s.embedding(level: 0, entity: 3), y = m.tables.stacks[0][0].embedding(level: 1, entity: 3)
                for o in 0..<4 {
                    var acc = s.parameters[s.biasOffsets[0] + o]
                    for i in 0..<2 { acc += s.parameters[s.weightOffsets[0] + o * 2 + i] * x[i] }
                    XCTAssertEqual(y[o], acc, accuracy: 1e-6)
                }
                XCTAssertEqual(oldLevels[3], 0)
            }
        }
        XCTAssertEqual(m.sizes.users[0], 128)
        XCTAssertEqual(m.sizes.users[1], 2)
    }

    func testCheckpointRestoreContinuesIdentically() throws {
        let d = CIESSSearchResumeTests.tinyDataset()
        let config = Self.tinyConfig(.neumf)
        let a = ESAPNModel(configuration: config, train: d.train)
        var sampler = BPRSampler(train: d.train, seed: 3)
        let batches = (0..<6).map { _ in sampler.nextBatch(size: 32) }
        for b in batches[0..<3] { _ = a.trainStep(b, learningRate: 0.03) }
        let stored = PackedBackboneCheckpoint(a.checkpoint())
        let e = PropertyListEncoder(); e.outputFormat = .binary
        let decoded = try PropertyListDecoder().decode(PackedBackboneCheckpoint.self, from: e.encode(stored))
        XCTAssertEqual(try decoded.unpacked(), a.checkpoint())
        let b = ESAPNModel(configuration: config, train: d.train)
        try b.restore(try decoded.unpacked())
        for x in batches[3...] {
            XCTAssertEqual(a.trainStep(x, learningRate: 0.03), b.trainStep(x, learningRate: 0.03))
        }
        XCTAssertEqual(a.checkpoint(), b.checkpoint())
        XCTAssertThrowsError(try ESAPNModel(configuration: Self.tinyConfig(.lightgcn), train: d.train).restore(a.checkpoint()))
    }

    // MARK: - Stage

    static func comparable(_ dir: URL) throws -> [ESAPNHistoryRecord] {
        try ESAPNSearch.readHistory(dir.appendingPathComponent("history.jsonl")).map { var r = $0; r.seconds = nil; return r }
    }

    func testStageWritesItsFilesAndResumesToTheSameResult() throws {
        let d = CIESSSearchResumeTests.tinyDataset()
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("esapn-\(UUID())")
        defer { try? FileManager.default.removeItem(at: root) }
        let straight = root.appendingPathComponent("straight"), resumed = root.appendingPathComponent("resumed")
        let c = Self.tinyConfig()

        let s1 = try ESAPNSearch(configuration: c, directory: straight).run(dataset: d, progress: nil)
        XCTAssertNil(try ESAPNSearch(configuration: c, directory: resumed).run(dataset: d, progress: nil, stopAfterChunk: 1))
        XCTAssertFalse(FileManager.default.fileExists(atPath: resumed.appendingPathComponent("search.json").path))
        let h = try FileHandle(forWritingTo: resumed.appendingPathComponent("history.jsonl"))
        try h.seekToEnd()
        h.write(Data("{\"kind\": \"batc".utf8))  // a half-written line, as a kill would leave
        try h.close()
        let s2 = try ESAPNSearch(configuration: c, directory: resumed).run(dataset: d, progress: nil)

        var a = s1, b = s2
        a.wallSeconds = 0; b.wallSeconds = 0
        XCTAssertEqual(a, b)
        XCTAssertEqual(try Self.comparable(straight), try Self.comparable(resumed))
        let sizes = try SizeVectorFile.read(straight.appendingPathComponent(ESAPNSearch.sizesPath))
        XCTAssertEqual(sizes, try SizeVectorFile.read(resumed.appendingPathComponent(ESAPNSearch.sizesPath)))
        XCTAssertEqual(try Data(contentsOf: straight.appendingPathComponent("candidates.json")),
                       try Data(contentsOf: resumed.appendingPathComponent("candidates.json")))

        // Contents: sizes are S_level, candidates describe them, history has level counts.
        XCTAssertTrue(sizes.users.allSatisfy { c.candidateSizes.contains(Int($0)) })
        XCTAssertEqual(sizes.sparsity, s1.sparsity, accuracy: 1e-12)
        XCTAssertEqual(s1.userLevels.reduce(0, +), d.userCount)
        XCTAssertEqual(s1.itemLevels.reduce(0, +), d.itemCount)
        let selections = try CIESSCandidates.read(searchDirectory: straight)
        XCTAssertEqual(selections.count, 1)
        XCTAssertEqual(selections[0].targetSparsity, sizes.sparsity, accuracy: 1e-12)
        XCTAssertEqual(selections[0].candidates.map(\.sizesFile), [ESAPNSearch.sizesPath])
        XCTAssertEqual(selections[0].candidates[0].iteration, s1.bestChunk)
        let history = try Self.comparable(straight)
        let chunks = history.filter { $0.kind == "chunk" }
        XCTAssertEqual(chunks.count, s1.chunksRun)
        XCTAssertGreaterThanOrEqual(s1.chunksRun, 2)
        XCTAssertEqual(history.filter { $0.kind == "batches" }.count, s1.chunksRun * 3 / 2)
        XCTAssertTrue(history.allSatisfy { $0.userLevels.count == 6 && $0.userLevels.reduce(0, +) == d.userCount })
        XCTAssertEqual(chunks.compactMap(\.validAVG).max()!, s1.bestValidAVG)

        // Done: a re-run returns the stored summary; another config in the same directory is refused.
        XCTAssertEqual(try ESAPNSearch(configuration: c, directory: straight).run(dataset: d, progress: nil), s1)
        var other = c
        other.policyLearningRate = 1e-3
        XCTAssertThrowsError(try ESAPNSearch(configuration: other, directory: straight).run(dataset: d, progress: nil)) {
            guard case SearchStageError.configurationChanged = $0 else { return XCTFail("\($0)") }
        }
    }
}
