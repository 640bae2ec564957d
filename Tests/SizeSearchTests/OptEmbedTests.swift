import Evaluation
import Foundation
import XCTest
import Linalg
import RecData
import Recommenders
@testable import SizeSearch

/// OptEmbed (docs/method.md §3.5): the row mask's backward against finite differences through a tiny LightGCN (via the
/// layer-0 hook), the straight-through estimator, the evolution's operators and cache, supernet checkpoints,
/// and the stage end to end with resume equality.
final class OptEmbedTests: XCTestCase {
    override func setUp() { Threads.set(1) }

    // MARK: - Fixtures

    let train = UserItemLists(userCount: 5, itemCount: 6, lists: [[0, 1, 3], [2], [1, 4, 5], [0, 5], [3]])
    let batch = BPRBatch(users: [0, 2, 0, 4, 1, 3], positives: [1, 4, 3, 3, 2, 5], negatives: [2, 0, 5, 1, 3, 4])
    let d = 8

    func tinyLightGCN() -> any Layer0InputBackbone {
        LightGCN(train: train, sizes: EmbeddingSizes.full(userCount: 5, itemCount: 6, dMax: d), seed: 7)
    }

    /// E with rows of two scales: even rows ‖E_n‖₁ ≈ 8·1.0, odd rows ≈ 8·0.2 — far on either side of t = 4,
    /// so a small perturbation never flips a row (H′ = 0 on the path the FD sees).
    func twoScaleTable() -> Matrix {
        var rng = RandomStream(seed: 3, purpose: "optembed-test/table")
        var e = Matrix(rows: 11, cols: d)
        for n in 0..<11 {
            for c in 0..<d {
                let mag = n % 2 == 0 ? 0.8 + 0.4 * rng.unitDouble() : 0.1 + 0.2 * rng.unitDouble()
                e.storage[n * d + c] = Float(rng.below(2) == 0 ? mag : -mag)
            }
        }
        return e
    }

    func loss(_ model: any Layer0InputBackbone, _ mask: OptEmbedRowMask, _ e: Matrix, dims: OptEmbedCandidate?) -> Double {
        Double(model.lossAndLayer0Gradients(batch, layer0: mask.forward([e], dims: dims).layer0).loss + mask.penalty)
    }

    // MARK: - Row mask backward

    /// Away from the threshold (|x| > 1, so H′ = 0) the gradient is the value path only: m_n·G⊙prefix, which
    /// must match central differences of the true loss; pruned rows and columns beyond the prefix get 0.
    func testRowMaskValueGradientMatchesCentralDifferences() {
        let model = tinyLightGCN()
        let mask = OptEmbedRowMask(userCount: 5, alpha: 1e-3, userThreshold: 4, itemThreshold: 4)
        let e = twoScaleTable()
        let dims = OptEmbedCandidate(dUser: 5, dItem: 3)
        let f = mask.forward([e], dims: dims)
        XCTAssertEqual(f.kept[0], (0..<11).map { $0 % 2 == 0 })
        XCTAssertTrue(f.margins[0].allSatisfy { abs($0) > 1 })
        let g = model.lossAndLayer0Gradients(batch, layer0: f.layer0).gradients
        let b = mask.backward(g, tables: [e], forward: f)
        let eps: Float = 1e-2
        var checked = 0
        for n in 0..<11 {
            let w = n < 5 ? 5 : 3
            for c in 0..<d {
                let analytic = Double(b.tables[0][n, c])
                if n % 2 == 1 || c >= w { XCTAssertEqual(analytic, 0, "(\(n),\(c)) is masked"); continue }
                var p = e, m = e
                p.storage[n * d + c] += eps
                m.storage[n * d + c] -= eps
                let fd = (loss(model, mask, p, dims: dims) - loss(model, mask, m, dims: dims)) / Double(2 * eps)
                XCTAssertEqual(analytic, fd, accuracy: 2e-4 + 2e-3 * abs(fd), "entry (\(n),\(c))")
                checked += 1
            }
        }
        XCTAssertEqual(checked, 3 * 5 + 3 * 3)
        XCTAssertGreaterThan(b.tables[0].storage.map { abs($0) }.max()!, 1e-3)   // not vacuous
    }

    /// ∂L/∂m_n (what the straight-through path multiplies) against central differences of the loss with row n
    /// of X⁰ scaled continuously: X⁰_n = s·E_n⊙prefix at s = m_n (1 kept, 0 pruned).
    func testRowGradientMatchesCentralDifferencesOfTheRelaxedMask() {
        let model = tinyLightGCN()
        let mask = OptEmbedRowMask(userCount: 5, alpha: 0, userThreshold: 4, itemThreshold: 4)
        let e = twoScaleTable()
        let dims = OptEmbedCandidate(dUser: 6, dItem: 4)
        let f = mask.forward([e], dims: dims)
        let b = mask.backward(model.lossAndLayer0Gradients(batch, layer0: f.layer0).gradients, tables: [e], forward: f)
        func relaxed(_ n: Int, _ s: Float) -> Double {
            var x = f.layer0[0]
            let w = n < 5 ? 6 : 4
            for c in 0..<d { x.storage[n * d + c] = c < w ? s * e.storage[n * d + c] : 0 }
            return Double(model.lossAndLayer0Gradients(batch, layer0: [x]).loss)
        }
        let h: Float = 1e-2
        for n in 0..<11 {
            let s: Float = f.kept[0][n] ? 1 : 0
            let fd = (relaxed(n, s + h) - relaxed(n, s - h)) / Double(2 * h)
            XCTAssertEqual(Double(b.rowGradients[0][n]), fd, accuracy: 2e-4 + 2e-3 * abs(fd), "row \(n)")
        }
    }

    /// H′(x) = 2 − 4|x| on |x| ≤ 0.4, 0.4 on 0.4 < |x| ≤ 1, else 0.
    func testStraightThroughEstimatorValues() {
        let cases: [(Float, Float)] = [(0, 2), (0.1, 1.6), (-0.1, 1.6), (0.25, 1), (-0.4, 0.4), (0.4, 0.4), (0.41, 0.4),
                                       (-0.7, 0.4), (1, 0.4), (-1, 0.4), (1.0001, 0), (-2.5, 0), (40, 0)]
        for (x, want) in cases { XCTAssertEqual(OptEmbedRowMask.straightThrough(x), want, accuracy: 1e-6, "H′(\(x))") }
    }

    /// Near the threshold the backward adds, per row, ∂L/∂m_n·H′(x_n)·sign(E_{n,c}) on every column, and
    /// ∂L/∂t_f = −Σ_{n∈f} ∂L/∂m_n·H′(x_n) − α·exp(−t_f) (whose α term matches central differences of the penalty).
    func testStraightThroughPathOfTheEmbeddingsAndThresholds() {
        let model = tinyLightGCN()
        var rng = RandomStream(seed: 9, purpose: "optembed-test/near")
        var e = Matrix(rows: 11, cols: d)
        for k in e.storage.indices { e.storage[k] = Float(rng.normal() * 0.3) }
        e.storage[3 * d + 2] = 0   // sign(0) = 0: no straight-through term on that entry
        let tU: Float = 1.6, tI: Float = 2.0
        let mask = OptEmbedRowMask(userCount: 5, alpha: 0.05, userThreshold: tU, itemThreshold: tI)
        let dims = OptEmbedCandidate(dUser: 7, dItem: 5)
        let f = mask.forward([e], dims: dims)
        let g = model.lossAndLayer0Gradients(batch, layer0: f.layer0).gradients
        let b = mask.backward(g, tables: [e], forward: f)
        var wantU = 0.0, wantI = 0.0, active = 0
        for n in 0..<11 {
            var norm: Float = 0
            for c in 0..<d { norm += abs(e[n, c]) }
            let x = norm - (n < 5 ? tU : tI)
            XCTAssertEqual(f.margins[0][n], x, accuracy: 1e-5)
            let ste = OptEmbedRowMask.straightThrough(x)
            if ste > 0 { active += 1 }
            let w = n < 5 ? 7 : 5
            var dm: Float = 0
            for c in 0..<w { dm += g[0][n, c] * e[n, c] }
            XCTAssertEqual(b.rowGradients[0][n], dm, accuracy: 1e-6)
            for c in 0..<d {
                let value: Float = x >= 0 && c < w ? g[0][n, c] : 0
                let sign: Float = e[n, c] > 0 ? 1 : (e[n, c] < 0 ? -1 : 0)
                XCTAssertEqual(b.tables[0][n, c], value + dm * ste * sign, accuracy: 1e-6, "(\(n),\(c))")
            }
            if n < 5 { wantU -= Double(dm * ste) } else { wantI -= Double(dm * ste) }
        }
        XCTAssertGreaterThanOrEqual(active, 3, "the fixture must put rows inside the estimator's support")
        XCTAssertEqual(Double(b.userThreshold), wantU - 0.05 * exp(-Double(tU)), accuracy: 1e-5)
        XCTAssertEqual(Double(b.itemThreshold), wantI - 0.05 * exp(-Double(tI)), accuracy: 1e-5)
        // The penalty's own derivative by central differences.
        let h: Float = 1e-2
        var up = mask, down = mask
        up.userThreshold += h
        down.userThreshold -= h
        XCTAssertEqual(Double((up.penalty - down.penalty) / (2 * h)), -0.05 * exp(-Double(tU)), accuracy: 1e-4)
        // SGD on the thresholds.
        var stepped = mask
        stepped.step(b, learningRate: 0.1)
        XCTAssertEqual(stepped.userThreshold, tU - 0.1 * b.userThreshold, accuracy: 1e-7)
        XCTAssertEqual(stepped.itemThreshold, tI - 0.1 * b.itemThreshold, accuracy: 1e-7)
    }

    // MARK: - Evolution

    static func quadratic(_ c: OptEmbedCandidate) -> Double {
        -Double((c.dUser - 40) * (c.dUser - 40) + (c.dItem - 90) * (c.dItem - 90))
    }

    func testMutationCopiesAndRedrawsGenesWithProbabilityP() {
        var rng = RandomStream(seed: 1, purpose: "optembed-test/mutation")
        let parent = OptEmbedCandidate(dUser: 17, dItem: 99)
        XCTAssertEqual(OptEmbedEvolution.mutate(parent, probability: 0, dMax: 128, random: &rng), parent)
        var changed = 0, draws = 0
        var seen = Set<Int>()
        for _ in 0..<4000 {
            let child = OptEmbedEvolution.mutate(parent, probability: 0.1, dMax: 128, random: &rng)
            XCTAssertTrue((1...128).contains(child.dUser) && (1...128).contains(child.dItem))
            changed += (child.dUser != 17 ? 1 : 0) + (child.dItem != 99 ? 1 : 0)
            draws += 2
            seen.insert(child.dUser)
        }
        XCTAssertEqual(parent, OptEmbedCandidate(dUser: 17, dItem: 99))
        let rate = Double(changed) / Double(draws)   // 0.1 · 127/128
        XCTAssertEqual(rate, 0.1 * 127 / 128, accuracy: 0.015)
        var all = Set<Int>()
        for _ in 0..<3000 { all.insert(OptEmbedEvolution.mutate(parent, probability: 1, dMax: 128, random: &rng).dItem) }
        XCTAssertEqual(all, Set(1...128))   // uniform on {1..128}, both ends included
        XCTAssertEqual(OptEmbedEvolution.crossover(OptEmbedCandidate(dUser: 3, dItem: 4), OptEmbedCandidate(dUser: 5, dItem: 6)),
                       OptEmbedCandidate(dUser: 3, dItem: 6))
    }

    /// One generation on a fixture with all-distinct genes: the next population is the top 15 in fitness order,
    /// then 10 mutants (p_m = 0 ⇒ copies of the top 10 in order), then 10 crossovers whose parents are two
    /// distinct members of the top 11, no ordered pair twice.
    func testGenerationKeepsTheTopAndBuildsMutantsAndCrossoversFromTheRightParents() {
        var config = OptEmbedEvolutionConfig()
        config.mutationProbability = 0
        var evo = OptEmbedEvolution(config: config, dMax: 128, seed: 4)
        XCTAssertEqual(evo.population.count, 20)
        // Replace the random start by 20 candidates with distinct d_U and distinct d_I.
        let start = (0..<20).map { OptEmbedCandidate(dUser: 5 + 6 * $0, dItem: 120 - 5 * $0) }
        evo.setPopulationForTesting(start)
        let g = evo.advance(evaluate: Self.quadratic)
        let ranked = start.sorted { Self.quadratic($0) > Self.quadratic($1) }
        XCTAssertEqual(g.best.candidate, ranked[0])
        XCTAssertEqual(g.newEvaluations, 20)
        XCTAssertEqual(evo.population.count, 35)
        XCTAssertEqual(Array(evo.population[0..<15]), Array(ranked[0..<15]))
        XCTAssertEqual(Array(evo.population[15..<25]), Array(ranked[0..<10]))
        var pairs = Set<[Int]>()
        for child in evo.population[25..<35] {
            let x = ranked.firstIndex { $0.dUser == child.dUser }!, y = ranked.firstIndex { $0.dItem == child.dItem }!
            XCTAssertLessThan(x, 11)
            XCTAssertLessThan(y, 11)
            XCTAssertNotEqual(x, y)
            XCTAssertTrue(pairs.insert([x, y]).inserted, "pair \(x),\(y) used twice")
        }
        // With p_m = 1 the mutants differ from their parents (almost surely), and the kept top is untouched.
        config.mutationProbability = 1
        var evo2 = OptEmbedEvolution(config: config, dMax: 128, seed: 4)
        evo2.setPopulationForTesting(start)
        _ = evo2.advance(evaluate: Self.quadratic)
        XCTAssertEqual(Array(evo2.population[0..<15]), Array(ranked[0..<15]))
        XCTAssertNotEqual(Array(evo2.population[15..<25]), Array(ranked[0..<10]))
    }

    /// Every candidate is evaluated exactly once over the search; the best-ever is the maximum over all
    /// evaluations and never decreases; the same seed gives the same search.
    func testFitnessCacheAndBestEver() {
        var calls: [OptEmbedCandidate: Int] = [:]
        var evo = OptEmbedEvolution(config: OptEmbedEvolutionConfig(generations: 12), dMax: 128, seed: 8)
        var last = -Double.infinity
        var records: [OptEmbedEvolution.Generation] = []
        while !evo.isFinished {
            let before = evo.evaluated.count
            let g = evo.advance { c in calls[c, default: 0] += 1; return Self.quadratic(c) }
            XCTAssertEqual(g.newEvaluations, evo.evaluated.count - before)
            XCTAssertGreaterThanOrEqual(g.bestEver.fitness, last)
            last = g.bestEver.fitness
            records.append(g)
        }
        XCTAssertTrue(calls.values.allSatisfy { $0 == 1 }, "a candidate was evaluated twice")
        XCTAssertEqual(calls.count, evo.evaluated.count)
        XCTAssertEqual(evo.best?.fitness, evo.evaluated.map(\.fitness).max())
        XCTAssertEqual(evo.cachedFitness(evo.best!.candidate), evo.best!.fitness)
        XCTAssertLessThan(evo.evaluated.count, 20 + 11 * 35, "the cache must absorb repeated members")
        XCTAssertGreaterThan(last, -400, "12 generations should get within 20 of the optimum on this quadratic")
        var again = OptEmbedEvolution(config: OptEmbedEvolutionConfig(generations: 12), dMax: 128, seed: 8)
        var records2: [OptEmbedEvolution.Generation] = []
        while !again.isFinished { records2.append(again.advance(evaluate: Self.quadratic)) }
        XCTAssertEqual(records, records2)
        XCTAssertEqual(again, evo)
    }

    // MARK: - Supernet

    func testSupernetCheckpointResumesExactlyAndStartsFromTheBackboneInit() throws {
        let d = CIESSSearchResumeTests.tinyDataset()
        func make() -> OptEmbedSupernet {
            OptEmbedSupernet(kind: .lightgcn, train: d.train, seed: 5, thresholdLR: 0.05, alpha: 0.01)
        }
        XCTAssertEqual(make().tables, BackboneKind.lightgcn.makeLayer0Input(train: d.train, seed: 5).layer0Tables())
        var sampler = BPRSampler(train: d.train, seed: 2)
        let batches = (0..<5).map { _ in sampler.nextBatch(size: 64) }
        let straight = make()
        for (s, b) in batches.enumerated() { _ = straight.trainStep(b, learningRate: LightGCN.schedule.rate(afterBatches: s)) }
        let half = make()
        for (s, b) in batches.prefix(2).enumerated() { _ = half.trainStep(b, learningRate: LightGCN.schedule.rate(afterBatches: s)) }
        let packed = PackedBackboneCheckpoint(half.checkpoint())
        let resumed = make()
        try resumed.restore(try packed.unpacked())
        XCTAssertEqual(resumed.steps, 2)
        for (s, b) in batches.enumerated().dropFirst(2) { _ = resumed.trainStep(b, learningRate: LightGCN.schedule.rate(afterBatches: s)) }
        XCTAssertEqual(resumed.tables, straight.tables)
        XCTAssertEqual(resumed.rowMask, straight.rowMask)
        XCTAssertNotEqual(straight.rowMask.userThreshold, 0, "the thresholds must move")
        XCTAssertNotEqual(straight.dimensions(forStep: 0), straight.dimensions(forStep: 1))
    }

    /// NeuMF (two tables, each with its own row mask under the shared t_U, t_I) and NGCF train through the
    /// hook; the final mask has one table per layer-0 table, each kept rows × prefix.
    func testSupernetOnNeuMFAndNGCF() {
        let d = CIESSSearchResumeTests.tinyDataset()
        var sampler = BPRSampler(train: d.train, seed: 2)
        for kind in [BackboneKind.neumf, .ngcf] {
            let net = OptEmbedSupernet(kind: kind, train: d.train, seed: 5, thresholdLR: 0.05, alpha: 0.01)
            let before = net.tables
            for s in 0..<2 { XCTAssertTrue(net.trainStep(sampler.nextBatch(size: 32), learningRate: kind.schedule.rate(afterBatches: s)).isFinite) }
            XCTAssertNotEqual(net.tables, before, "\(kind): E must be trained")
            let dims = OptEmbedCandidate(dUser: 9, dItem: 4)
            let mask = net.elementMask(dims: dims)
            XCTAssertEqual(mask.tableNames, kind == .neumf ? ["gmf", "mlp"] : ["embedding"])
            let kept = net.keptRows()
            for t in mask.tableNames.indices {
                for n in 0..<70 {
                    XCTAssertEqual(mask.rowCount(table: t, row: n), kept[t][n] ? (n < 40 ? 9 : 4) : 0, "\(kind) table \(t) row \(n)")
                }
            }
            XCTAssertEqual(net.keptCounts().count, mask.tableNames.count)
        }
    }

    /// With t_U at the median user norm about half the users are pruned: their X⁰ rows are zero, the final
    /// mask drops exactly them, and the scorer sees the masked table.
    func testPrunedRowsAreZeroAndLeaveTheFinalMask() {
        let d = CIESSSearchResumeTests.tinyDataset()
        let net = OptEmbedSupernet(kind: .lightgcn, train: d.train, seed: 5, thresholdLR: 1e-4, alpha: 1e-5)
        let norms = (0..<70).map { n in (0..<128).reduce(Float(0)) { $0 + abs(net.tables[0][n, $1]) } }
        net.rowMask.userThreshold = norms[0..<40].sorted()[20]
        net.rowMask.itemThreshold = norms[40...].max()! + 1   // every item pruned
        let kept = net.keptRows()[0]
        XCTAssertEqual(kept, (0..<70).map { $0 < 40 && norms[$0] >= norms[0..<40].sorted()[20] })
        XCTAssertEqual(net.keptCounts()[0].users, 20)
        XCTAssertEqual(net.keptCounts()[0].items, 0)
        let dims = OptEmbedCandidate(dUser: 11, dItem: 50)
        let x = net.rowMask.forward(net.tables, dims: dims).layer0[0]
        let mask = net.elementMask(dims: dims)
        for n in 0..<70 {
            for c in 0..<128 {
                let on = kept[n] && c < 11
                XCTAssertEqual(mask[0, n, c], on)
                XCTAssertEqual(x[n, c], on ? net.tables[0][n, c] : 0)
            }
        }
        XCTAssertEqual(mask.nonzeroCount, 20 * 11)
        let reference = BackboneKind.lightgcn.makeLayer0Input(train: d.train, seed: 5)
        let a = FullRankingEvaluator.evaluate(scorer: net.makeScorer(dims: dims), positives: d.valid, exclude: [d.train])
        let b = FullRankingEvaluator.evaluate(scorer: reference.makeScorer(layer0: [mask.apply(net.tables[0], table: 0)]),
                                              positives: d.valid, exclude: [d.train])
        XCTAssertEqual(a.summary.avg, b.summary.avg)
    }

    // MARK: - Stage

    static func stageConfig() -> OptEmbedConfig {
        OptEmbedConfig(dataset: "tiny", backbone: .lightgcn, seed: 5, batchSize: 64, thresholdLR: 0.05, alpha: 0.01,
                       supernet: ConvergeConfig(chunkBatches: 3, patience: 1, maxChunks: 3),
                       evolution: OptEmbedEvolutionConfig(initialPopulation: 6, keep: 4, mutants: 3, mutationParents: 3,
                                                          mutationProbability: 0.5, crossovers: 3, crossoverParents: 4,
                                                          generations: 3))
    }

    static func comparableHistory(_ dir: URL) throws -> ([OptEmbedChunkRecord], [OptEmbedGenerationRecord]) {
        let h = try OptEmbedSearch.readHistory(dir.appendingPathComponent("history.jsonl"))
        return (h.chunks.map { var r = $0; r.trainSeconds = 0; r.evalSeconds = 0; return r },
                h.generations.map { var r = $0; r.seconds = 0; return r })
    }

    func testStageEndToEndWritesMaskCandidatesAndSummary() throws {
        let d = CIESSSearchResumeTests.tinyDataset()
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("optembed-e2e-\(UUID())")
        defer { try? FileManager.default.removeItem(at: dir) }
        let s = try OptEmbedSearch(configuration: Self.stageConfig(), directory: dir).run(dataset: d, progress: nil)
        let (chunks, generations) = try Self.comparableHistory(dir)
        XCTAssertEqual(chunks.count, s.supernetChunks)
        XCTAssertEqual(generations.count, 3)
        XCTAssertEqual(chunks.filter(\.improved).last?.chunk, s.bestChunk)
        XCTAssertEqual(generations.last.map { OptEmbedCandidate(dUser: $0.bestEverUser, dItem: $0.bestEverItem) },
                       OptEmbedCandidate(dUser: s.dUser, dItem: s.dItem))
        let mask = try ElementMaskFile.read(dir.appendingPathComponent(OptEmbedSearch.maskPath))
        XCTAssertEqual(mask.tableNames, ["embedding"])
        var keptU = 0, keptI = 0
        for n in 0..<mask.nodeCount {
            let r = mask.rowCount(table: 0, row: n)
            if n < 40 { XCTAssertTrue(r == 0 || r == s.dUser); keptU += r > 0 ? 1 : 0 } else {
                XCTAssertTrue(r == 0 || r == s.dItem); keptI += r > 0 ? 1 : 0
            }
            for c in 0..<r { XCTAssertTrue(mask[0, n, c], "the mask is a prefix") }
        }
        XCTAssertEqual([keptU], s.keptUsers)
        XCTAssertEqual([keptI], s.keptItems)
        XCTAssertEqual(s.sparsity, 1 - Double(keptU * s.dUser + keptI * s.dItem) / Double(70 * 128), accuracy: 1e-12)
        XCTAssertEqual(s.sparsity, mask.sparsity)
        let selections = try CIESSCandidates.read(searchDirectory: dir)
        XCTAssertEqual(selections.count, 1)
        XCTAssertEqual(selections[0].targetSparsity, s.sparsity)
        XCTAssertEqual(selections[0].candidates.map(\.sizesFile), [OptEmbedSearch.maskPath])
        XCTAssertEqual(selections[0].candidates[0].validAVG, s.fitness)
        // Done: a re-run returns the stored summary; other settings in the same directory are refused.
        XCTAssertEqual(try OptEmbedSearch(configuration: Self.stageConfig(), directory: dir).run(dataset: d, progress: nil), s)
        var other = Self.stageConfig()
        other.alpha = 0.5
        XCTAssertThrowsError(try OptEmbedSearch(configuration: other, directory: dir).run(dataset: d, progress: nil)) { e in
            XCTAssertTrue("\(e)".contains("other settings"), "\(e)")
        }
    }

    /// Killed after the first supernet chunk, and again after the first generation (with a torn history
    /// line each time), the stage ends with the same history, summary and mask as an uninterrupted run.
    func testInterruptedStageResumesToTheSameResult() throws {
        let d = CIESSSearchResumeTests.tinyDataset()
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("optembed-resume-\(UUID())")
        defer { try? FileManager.default.removeItem(at: root) }
        let straight = root.appendingPathComponent("straight"), resumed = root.appendingPathComponent("resumed")
        let a = try OptEmbedSearch(configuration: Self.stageConfig(), directory: straight).run(dataset: d, progress: nil)
        let stage = OptEmbedSearch(configuration: Self.stageConfig(), directory: resumed)
        func tear() throws {
            let h = try FileHandle(forWritingTo: resumed.appendingPathComponent("history.jsonl"))
            try h.seekToEnd()
            h.write(Data("{\"kind\": \"supernet\", \"chu".utf8))
            try h.close()
        }
        XCTAssertNil(try stage.run(dataset: d, progress: nil, stopAfterCheckpoints: 1))
        try tear()
        let chunks = a.supernetChunks
        XCTAssertNil(try stage.run(dataset: d, progress: nil, stopAfterCheckpoints: chunks))   // through generation 1
        XCTAssertEqual(try OptEmbedSearch.readHistory(stage.historyURL).generations.count, 1)
        try tear()
        let b = try XCTUnwrap(try stage.run(dataset: d, progress: nil, stopAfterCheckpoints: nil))
        let ha = try Self.comparableHistory(straight), hb = try Self.comparableHistory(resumed)
        XCTAssertEqual(ha.0, hb.0)
        XCTAssertEqual(ha.1, hb.1)
        var sa = a, sb = b
        sa.wallSeconds = 0
        sb.wallSeconds = 0
        XCTAssertEqual(sa, sb)
        XCTAssertEqual(try ElementMaskFile.read(straight.appendingPathComponent(OptEmbedSearch.maskPath)),
                       try ElementMaskFile.read(resumed.appendingPathComponent(OptEmbedSearch.maskPath)))
    }

    // MARK: - Opt-in real run

}
