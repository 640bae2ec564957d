import Evaluation
import Foundation
import Linalg
import RecData
import Recommenders

/// The ESAPN recommender (docs/method.md §3.4) as a `Backbone`: an unchanged full-size backbone (through the
/// layer-0 hook) whose layer-0 input is X⁰ = h, the level-stack representation of `ESAPNTables`,
/// plus one REINFORCE policy per entity group that decides, per entity, *keep* or *enlarge*.
///
/// `trainStep(batch_b, lr)`:
/// 1. **Controller step on batch b−1** (skipped at b = 0). Every occurrence (users via u; items via
///    i and j) samples a ∼ π(·|s) (a = 0 at the top level). The enlargements are applied to a *copy*
///    of the tables and levels (E^{(k+1)}_n ← W^{(k)}E^{(k)}_n, level + 1, once per entity); the live
///    state is never touched. Per-triple loss ℓ_b = softplus(ŷ_{u j} − ŷ_{u i}) of the copy's h, scored
///    with `inner.makeScorer(layer0:)` on the batch's (u, i) and (u, j) pairs only (no gradient, no
///    regulariser: a per-entity L2 term is not a per-triple quantity). A_b = −ℓ_b; reward of an
///    occurrence of entity n: r = A_b − mean(last ≤ T_b recorded A of n), or 0 without history.
///    One Adam step per policy on Σ −log π(a|s)·r, where a is the executed action (an occurrence at the
///    top level counts as "keep", as [ES-C] masks its samples before the cross-entropy).
///    Note: since the enlargement map is exactly the first step of the chain, h (and so ℓ) of the copy
///    equals the live one up to rounding — as in [ES-C], where the reward therefore measures the
///    current loss against the entity's history rather than an effect of the action.
/// 2. **Recommender step on batch b.** Greedy actions (argmax, ties keep; BN in training mode, so an
///    entity's occurrences agree); enlargements for real (no gradient); h from the new levels;
///    per-triple A_b recorded in the histories of u_b, i_b, j_b (before the update, like [ES-C]'s loss);
///    `inner.trainStep(batch, layer0: h)` (BPR + the backbone's L2 on h, network Adam), then
///    ∂L/∂h chained into every E^{(k)}, W^{(k)} and one Adam step on them at the backbone rate.
public final class ESAPNModel: Backbone {
    public let configuration: ESAPNConfig
    public let inner: any Layer0InputBackbone
    public let userCount: Int
    public let itemCount: Int
    public private(set) var tables: ESAPNTables
    /// Level of every entity (users, then items).
    public private(set) var levels: [UInt8]
    /// Last ≤ T accuracies per entity, newest first (N × T), and how many are valid.
    public private(set) var historyValues: [Float]
    public private(set) var historyCounts: [UInt8]
    public internal(set) var userPolicy: ESAPNPolicy
    public internal(set) var itemPolicy: ESAPNPolicy
    public private(set) var actionRandom: RandomStream
    public private(set) var previousBatch: BPRBatch?
    public private(set) var batches: Int = 0
    let userFrequencies: [Int]
    let itemFrequencies: [Int]

    public init(configuration c: ESAPNConfig, train: UserItemLists) {
        configuration = c
        inner = c.backbone.makeLayer0Input(train: train, seed: c.seed)
        userCount = train.userCount
        itemCount = train.itemCount
        let n = userCount + itemCount
        tables = ESAPNTables(sizes: c.candidateSizes, userCount: userCount, itemCount: itemCount,
                             initial: inner.layer0Tables(), seed: c.seed)
        levels = [UInt8](repeating: 0, count: n)
        historyValues = [Float](repeating: 0, count: n * c.historyLength)
        historyCounts = [UInt8](repeating: 0, count: n)
        userFrequencies = (0..<train.userCount).map { train.count(of: $0) }
        itemFrequencies = train.itemDegrees()
        var ru = RandomStream(seed: c.seed, purpose: "esapn/policy/users")
        var ri = RandomStream(seed: c.seed, purpose: "esapn/policy/items")
        userPolicy = ESAPNPolicy(vocabulary: (userFrequencies.max() ?? 0) + 1, popDim: c.popularityDim,
                                 levelCount: c.levelCount, hidden: c.policyHidden, random: &ru)
        itemPolicy = ESAPNPolicy(vocabulary: (itemFrequencies.max() ?? 0) + 1, popDim: c.popularityDim,
                                 levelCount: c.levelCount, hidden: c.policyHidden, random: &ri)
        actionRandom = RandomStream(seed: c.seed, purpose: "esapn/actions")
    }

    public var name: String { "esapn-\(inner.name)" }

    /// Prefix sizes S_level of the current levels.
    public var sizes: EmbeddingSizes {
        let s = configuration.candidateSizes
        return EmbeddingSizes(users: levels[0..<userCount].map { UInt8(s[Int($0)]) },
                              items: levels[userCount...].map { UInt8(s[Int($0)]) })
    }

    /// Entities per level: users and items separately (|S| counts each).
    public var levelCounts: (users: [Int], items: [Int]) {
        var u = [Int](repeating: 0, count: configuration.levelCount), i = u
        for l in levels[0..<userCount] { u[Int(l)] += 1 }
        for l in levels[userCount...] { i[Int(l)] += 1 }
        return (u, i)
    }

    /// The layer-0 input X⁰ = h of the live state.
    public func layer0() -> [Matrix] { tables.forward(levels: levels) }

    // MARK: - Occurrences

    /// Occurrence nodes of a batch: users (u_b) and items (U + i_b, then U + j_b).
    func occurrences(_ batch: BPRBatch) -> (users: [Int], items: [Int]) {
        let u = batch.users.map { Int($0) }
        let i = batch.positives.map { userCount + Int($0) } + batch.negatives.map { userCount + Int($0) }
        return (u, i)
    }

    func policyInputs(users: [Int], items: [Int]) -> (fu: [Int], lu: [UInt8], fi: [Int], li: [UInt8]) {
        (users.map { userFrequencies[$0] }, users.map { levels[$0] },
         items.map { itemFrequencies[$0 - userCount] }, items.map { levels[$0] })
    }

    /// Mean of the recorded accuracies of `node`, nil without history.
    func baseline(_ node: Int) -> Float? {
        let k = Int(historyCounts[node]), T = configuration.historyLength
        guard k > 0 else { return nil }
        var s: Float = 0
        for j in 0..<k { s += historyValues[node * T + j] }
        return s / Float(k)
    }

    func record(_ node: Int, _ a: Float) {
        let T = configuration.historyLength, o = node * T
        for j in stride(from: T - 1, to: 0, by: -1) { historyValues[o + j] = historyValues[o + j - 1] }
        historyValues[o] = a
        historyCounts[node] = UInt8(min(T, Int(historyCounts[node]) + 1))
    }

    /// Per-triple BPR losses softplus(ŷ_{uj} − ŷ_{ui}) of `scorer` (scores of the batch's pairs only).
    static func tripleLosses(_ scorer: any BlockScorer, _ batch: BPRBatch) -> [Float] {
        var pos: Float = 0, neg: Float = 0
        return (0..<batch.count).map { b in
            let u = Int(batch.users[b])
            scorer.scores(users: u..<(u + 1), items: Int(batch.positives[b])..<(Int(batch.positives[b]) + 1), into: &pos)
            scorer.scores(users: u..<(u + 1), items: Int(batch.negatives[b])..<(Int(batch.negatives[b]) + 1), into: &neg)
            let x = Double(neg - pos)
            return Float(max(x, 0) + Foundation.log1p(Foundation.exp(-abs(x))))
        }
    }

    // MARK: - Controller step

    public struct ControllerOutcome: Sendable, Equatable {
        public var meanAccuracy: Double
        public var userPolicyLoss: Double
        public var itemPolicyLoss: Double
        public var enlargedUsers: Int
        public var enlargedItems: Int
    }

    /// Step 1 on `batch` (see the type's doc): tentative copy, rewards, one REINFORCE step per policy.
    @discardableResult
    public func controllerStep(_ batch: BPRBatch) -> ControllerOutcome {
        let c = configuration, top = c.topLevel
        let occ = occurrences(batch)
        let x = policyInputs(users: occ.users, items: occ.items)
        let fu = userPolicy.forward(frequencies: x.fu, levels: x.lu)
        let au = ESAPNPolicy.sample(fu, levels: x.lu, topLevel: top, random: &actionRandom)
        let fi = itemPolicy.forward(frequencies: x.fi, levels: x.li)
        let ai = ESAPNPolicy.sample(fi, levels: x.li, topLevel: top, random: &actionRandom)

        var copy = tables, copyLevels = levels
        var enlargedU = 0, enlargedI = 0
        for (n, a) in zip(occ.users, au) where a == 1 && copyLevels[n] == levels[n] {
            copy.enlarge(node: n, from: Int(levels[n])); copyLevels[n] += 1; enlargedU += 1
        }
        for (n, a) in zip(occ.items, ai) where a == 1 && copyLevels[n] == levels[n] {
            copy.enlarge(node: n, from: Int(levels[n])); copyLevels[n] += 1; enlargedI += 1
        }
        let accuracy = Self.tripleLosses(inner.makeScorer(layer0: copy.forward(levels: copyLevels)), batch).map { -$0 }

        let B = batch.count
        let ru = (0..<B).map { b in baseline(occ.users[b]).map { accuracy[b] - $0 } ?? 0 }
        let ri = (0..<(2 * B)).map { k in baseline(occ.items[k]).map { accuracy[k % B] - $0 } ?? 0 }
        let lu = userPolicy.reinforce(frequencies: x.fu, levels: x.lu, actions: au, rewards: ru, lr: c.policyLearningRate,
                                      precomputed: fu)
        let li = itemPolicy.reinforce(frequencies: x.fi, levels: x.li, actions: ai, rewards: ri, lr: c.policyLearningRate,
                                      precomputed: fi)
        let meanA = accuracy.reduce(0.0) { $0 + Double($1) } / Double(max(B, 1))
        return ControllerOutcome(meanAccuracy: meanA, userPolicyLoss: lu, itemPolicyLoss: li,
                                 enlargedUsers: enlargedU, enlargedItems: enlargedI)
    }

    // MARK: - Recommender step

    /// Greedy enlargements of `batch`'s entities, applied to the live state; returns the enlarged nodes.
    @discardableResult
    public func applyGreedyEnlargements(_ batch: BPRBatch) -> [Int] {
        let top = configuration.topLevel
        let occ = occurrences(batch)
        let x = policyInputs(users: occ.users, items: occ.items)
        let gu = ESAPNPolicy.greedy(userPolicy.forward(frequencies: x.fu, levels: x.lu), levels: x.lu, topLevel: top)
        let gi = ESAPNPolicy.greedy(itemPolicy.forward(frequencies: x.fi, levels: x.li), levels: x.li, topLevel: top)
        var done = Set<Int>(), enlarged: [Int] = []
        for (n, a) in zip(occ.users + occ.items, gu + gi) where a == 1 && !done.contains(n) {
            done.insert(n)
            tables.enlarge(node: n, from: Int(levels[n]))
            levels[n] += 1
            enlarged.append(n)
        }
        return enlarged
    }

    /// Step 2 on `batch` at the backbone learning rate `lr`; returns the batch loss (BPR + reg).
    @discardableResult
    public func recommenderStep(_ batch: BPRBatch, learningRate lr: Float) -> Float {
        applyGreedyEnlargements(batch)
        let h = tables.forward(levels: levels)
        let accuracy = Self.tripleLosses(inner.makeScorer(layer0: h), batch).map { -$0 }
        let (loss, gradients) = inner.trainStep(batch, layer0: h, learningRate: lr)
        tables.adamStep(gradients: tables.backward(levels: levels, gradients: gradients), lr: lr)
        for b in 0..<batch.count {
            record(Int(batch.users[b]), accuracy[b])
            record(userCount + Int(batch.positives[b]), accuracy[b])
            record(userCount + Int(batch.negatives[b]), accuracy[b])
        }
        return loss
    }

    public func trainStep(_ batch: BPRBatch, learningRate: Float) -> Float {
        if let previous = previousBatch { controllerStep(previous) }
        let loss = recommenderStep(batch, learningRate: learningRate)
        previousBatch = batch
        batches += 1
        return loss
    }

    public func makeScorer() -> any BlockScorer { inner.makeScorer(layer0: layer0()) }

    // MARK: - Checkpoint

    static let innerPrefix = "inner/"

    func stackKey(_ t: Int, _ g: Int) -> String { "esapn/t\(t)/\(g == 0 ? "users" : "items")" }

    /// Everything that defines the continuation: the inner backbone (prefixed "inner/"; its stored
    /// layer-0 tensors are only the last X⁰ it was given), all stacks with their Adam states, the
    /// levels, the histories, both policies with Adam, the action stream, the previous batch.
    public func checkpoint() -> BackboneCheckpoint {
        let ic = inner.checkpoint()
        var tensors: [String: CheckpointTensor] = [:], optimizer: [String: AdamState] = [:]
        for (k, v) in ic.tensors { tensors[Self.innerPrefix + k] = v }
        for (k, v) in ic.optimizer { optimizer[Self.innerPrefix + k] = v }
        func row(_ v: [Float]) -> CheckpointTensor { CheckpointTensor(Matrix(rows: 1, cols: v.count, storage: v)) }
        for t in 0..<tables.tableCount {
            for g in 0..<2 {
                tensors[stackKey(t, g)] = row(tables.stacks[t][g].parameters)
                optimizer[stackKey(t, g)] = tables.optimizers[t][g]
            }
        }
        tensors["esapn/levels"] = row(levels.map(Float.init))
        tensors["esapn/historyValues"] = row(historyValues)
        tensors["esapn/historyCounts"] = row(historyCounts.map(Float.init))
        tensors["esapn/policy/users"] = row(userPolicy.parameters)
        optimizer["esapn/policy/users"] = userPolicy.optimizer
        tensors["esapn/policy/items"] = row(itemPolicy.parameters)
        optimizer["esapn/policy/items"] = itemPolicy.optimizer
        tensors["esapn/actionRandom"] = row(Self.floatsOfBytes((try? JSONEncoder().encode(actionRandom)) ?? Data()))
        tensors["esapn/innerSteps"] = row([Float(ic.steps)])
        if let p = previousBatch {
            tensors["esapn/previousBatch"] = CheckpointTensor(Matrix(
                rows: 3, cols: p.count, storage: (p.users + p.positives + p.negatives).map(Float.init)))
        }
        return BackboneCheckpoint(backbone: name, tensors: tensors, optimizer: optimizer, steps: batches)
    }

    public func restore(_ c: BackboneCheckpoint) throws {
        guard c.backbone == name else { throw BackboneCheckpointError.wrongBackbone(expected: name, found: c.backbone) }
        func tensor(_ k: String, count: Int? = nil) throws -> [Float] {
            guard let t = c.tensors[k] else { throw BackboneCheckpointError.missingTensor(k) }
            if let n = count, t.values.count != n {
                throw BackboneCheckpointError.shapeMismatch(name: k, expected: "\(n) values", found: "\(t.values.count)")
            }
            return t.values
        }
        func adam(_ k: String, count: Int) throws -> AdamState {
            guard let a = c.optimizer[k] else { throw BackboneCheckpointError.missingTensor(k) }
            guard a.m.count == count else {
                throw BackboneCheckpointError.shapeMismatch(name: k, expected: "\(count) values", found: "\(a.m.count)")
            }
            return a
        }
        var ic = BackboneCheckpoint(backbone: inner.name, tensors: [:], optimizer: [:],
                                    steps: Int(try tensor("esapn/innerSteps", count: 1)[0]))
        for (k, v) in c.tensors where k.hasPrefix(Self.innerPrefix) { ic.tensors[String(k.dropFirst(Self.innerPrefix.count))] = v }
        for (k, v) in c.optimizer where k.hasPrefix(Self.innerPrefix) { ic.optimizer[String(k.dropFirst(Self.innerPrefix.count))] = v }
        var t2 = tables
        for t in 0..<t2.tableCount {
            for g in 0..<2 {
                let n = t2.stacks[t][g].parameters.count
                t2.stacks[t][g].parameters = try tensor(stackKey(t, g), count: n)
                t2.optimizers[t][g] = try adam(stackKey(t, g), count: n)
            }
        }
        let N = userCount + itemCount, T = configuration.historyLength
        let lv = try tensor("esapn/levels", count: N).map { UInt8($0) }
        guard lv.allSatisfy({ Int($0) <= configuration.topLevel }) else {
            throw BackboneCheckpointError.shapeMismatch(name: "esapn/levels", expected: "levels ≤ \(configuration.topLevel)", found: "larger")
        }
        let hv = try tensor("esapn/historyValues", count: N * T)
        let hc = try tensor("esapn/historyCounts", count: N).map { UInt8($0) }
        var up = userPolicy, ip = itemPolicy
        up.parameters = try tensor("esapn/policy/users", count: up.parameters.count)
        up.optimizer = try adam("esapn/policy/users", count: up.parameters.count)
        ip.parameters = try tensor("esapn/policy/items", count: ip.parameters.count)
        ip.optimizer = try adam("esapn/policy/items", count: ip.parameters.count)
        let rng = try JSONDecoder().decode(RandomStream.self, from: Self.bytesOfFloats(try tensor("esapn/actionRandom")))
        var previous: BPRBatch? = nil
        if let p = c.tensors["esapn/previousBatch"] {
            let ids = p.values.map { Int32($0) }, B = p.cols
            previous = BPRBatch(users: Array(ids[0..<B]), positives: Array(ids[B..<(2 * B)]), negatives: Array(ids[(2 * B)...]))
        }
        try inner.restore(ic)
        tables = t2; levels = lv; historyValues = hv; historyCounts = hc
        userPolicy = up; itemPolicy = ip; actionRandom = rng; previousBatch = previous; batches = c.steps
    }

    static func floatsOfBytes(_ d: Data) -> [Float] { d.map { Float($0) } }
    static func bytesOfFloats(_ f: [Float]) -> Data { Data(f.map { UInt8($0) }) }
}
