import Evaluation
import Foundation
import Linalg
import RecData
import Recommenders

/// The CIESS search loop (docs/method.md §1.1, §1.10) as a resumable stage on disk.
///
/// Directory layout (`directory`):
/// - `config.json` — the settings; a directory is only ever continued with the same settings;
/// - `pretrain.json` — peaks and K* of the full-size pretraining (its own cached stage);
/// - `history.jsonl` — one `SearchIterationRecord` per iteration;
/// - `sizes/eEEE-iII.bin` — the executed size vector of every iteration (the candidate masks);
/// - `checkpoint.plist` — written after every episode; a killed search resumes from it;
/// - `search.json` — written last: the search is done.
///
/// Per iteration: one noise scalar ε shared by both agents; SELECT for users and items; a fresh
/// backbone trained `batchesPerIteration` batches and evaluated on VAL; q = eval/peak,
/// r = min(q, 1) − λ(a/128)²; the transitions go to the replay buffers; one TD3 update per agent.
public struct CIESSSearch {
    public let configuration: CIESSConfig
    public let directory: URL

    public init(configuration: CIESSConfig, directory: URL) {
        self.configuration = configuration
        self.directory = directory
    }

    public struct Summary: Sendable, Codable, Equatable {
        public var configuration: CIESSConfig
        public var iterations: Int
        public var minDensity: Double
        public var bestValidAVG: Double
        public var wallSeconds: Double
    }

    var configURL: URL { directory.appendingPathComponent("config.json") }
    var pretrainURL: URL { directory.appendingPathComponent("pretrain.json") }
    public var historyURL: URL { directory.appendingPathComponent("history.jsonl") }
    var checkpointURL: URL { directory.appendingPathComponent("checkpoint.plist") }
    public var doneURL: URL { directory.appendingPathComponent("search.json") }
    public static func sizesPath(episode: Int, iteration: Int) -> String {
        String(format: "sizes/e%03d-i%02d.bin", episode, iteration)
    }

    /// Runs (or resumes, or returns the finished) search. `stopAfterEpisode` ends the run early
    /// after that episode's checkpoint (tests use it to simulate an interruption).
    @discardableResult
    public func run(dataset d: SplitDataset, progress: ProgressReporter? = nil,
                    stopAfterEpisode: Int? = nil) throws -> Summary? {
        if let done = try? JSONDecoder().decode(Summary.self, from: Data(contentsOf: doneURL)),
           done.configuration == configuration { return done }
        try prepareDirectory()
        let started = Date()
        let peaks = try pretrained(d, progress: progress)
        let c = configuration
        var state = try resumeOrStart(d)
        try SearchHistoryFile.truncate(historyURL, toLines: state.historyLines)
        let history = try FileHandle(forWritingTo: historyURL)
        defer { try? history.close() }
        try history.seekToEnd()

        var users = AgentState(trainCounts: (0..<d.userCount).map { d.train.count(of: $0) })
        var items = AgentState(trainCounts: d.train.itemDegrees())
        let environment = SearchEnvironment(dataset: d, backbone: c.backbone, batchesPerStep: c.batchesPerIteration,
                                            batchSize: c.batchSize)
        let total = c.episodes * c.iterations
        for e in state.nextEpisode..<c.episodes {
            users.resetEpisode()
            items.resetEpisode()
            state.noise.resetEpisode()
            for i in 0..<c.iterations {
                let record = try iterate(episode: e, iteration: i, state: &state, users: &users, items: &items,
                                         peaks: peaks, environment: environment)
                history.write(Data((try Self.jsonLine(record) + "\n").utf8))
                state.historyLines += 1
                let done = e * c.iterations + i + 1
                progress?.log(String(format: "episode %d/%d iteration %d/%d  reward %.4f  mean size %.1f  sparsity %.4f  VAL AVG %.4f  ETA %@",
                                     e + 1, c.episodes, i + 1, c.iterations, record.avgReward, record.actionMean,
                                     1 - record.density, record.validAVG,
                                     ProgressReporter.eta(elapsed: Date().timeIntervalSince(started),
                                                          done: done - state.nextEpisodeAtStart * c.iterations,
                                                          total: total - state.nextEpisodeAtStart * c.iterations)))
            }
            try history.synchronize()
            state.nextEpisode = e + 1
            try state.checkpoint.write(to: checkpointURL)
            if let stop = stopAfterEpisode, e >= stop, e + 1 < c.episodes { return nil }
        }
        let records = try Self.readHistory(historyURL)
        let summary = Summary(configuration: c, iterations: records.count,
                              minDensity: records.map(\.density).min() ?? 1,
                              bestValidAVG: records.map(\.validAVG).max() ?? 0,
                              wallSeconds: Date().timeIntervalSince(started))
        try AtomicFile.write(Data(try Self.json(summary).utf8), to: doneURL)
        return summary
    }

    // MARK: - One iteration

    func iterate(episode e: Int, iteration i: Int, state: inout LoopState, users: inout AgentState,
                 items: inout AgentState, peaks: PeakQualities, environment: SearchEnvironment) throws -> SearchIterationRecord {
        let c = configuration
        let epsilon = state.noise.next()
        let userStates = users.vectors, itemStates = items.vectors
        // Copies of the networks, so the explorers' mutation never overlaps a read of the checkpoint.
        let (userActor, userCritic) = (state.userAgent.actor, state.userAgent.critic)
        let (itemActor, itemCritic) = (state.itemAgent.actor, state.itemAgent.critic)
        let su = state.checkpoint.userExplorer.select(states: userStates, actor: userActor, critic: userCritic,
                                                      noise: epsilon)
        let si = state.checkpoint.itemExplorer.select(states: itemStates, actor: itemActor, critic: itemCritic,
                                                      noise: epsilon)
        let sizes = EmbeddingSizes(users: su.executed, items: si.executed)
        let sizesPath = Self.sizesPath(episode: e, iteration: i)
        try SizeVectorFile.write(sizes, to: directory.appendingPathComponent(sizesPath))

        var envSeed = RandomStream(seed: c.seed, purpose: "ciess/environment/e\(e)/i\(i)")
        let outcome = environment.step(sizes: sizes, seed: envSeed.next())
        try NonFiniteValueError.check([("the mean training loss of this iteration", outcome.meanLoss),
                                       ("the VAL AVG of this iteration", outcome.valid.avg)])
        let qU = zip(outcome.userEval, peaks.users).map { $0 / $1 }
        let qI = zip(outcome.itemEval, peaks.items).map { $0 / $1 }
        let rU = users.advance(actions: su.executed, qualities: qU, lambda: c.lambda)
        let rI = items.advance(actions: si.executed, qualities: qI, lambda: c.lambda)
        state.checkpoint.userBuffer.append(states: userStates, actions: su.executed, rewards: rU, nextStates: users.vectors)
        state.checkpoint.itemBuffer.append(states: itemStates, actions: si.executed, rewards: rI, nextStates: items.vectors)
        let uu = state.checkpoint.userAgent.update(from: state.checkpoint.userBuffer)
        let ui = state.checkpoint.itemAgent.update(from: state.checkpoint.itemBuffer)

        func mean<T: BinaryFloatingPoint>(_ v: [T]) -> Double { v.isEmpty ? 0 : v.reduce(0.0) { $0 + Double($1) } / Double(v.count) }
        func meanSize(_ v: [UInt8]) -> Double { v.isEmpty ? 0 : Double(v.reduce(0) { $0 + Int($1) }) / Double(v.count) }
        let v = outcome.valid
        let rUm = mean(rU), rIm = mean(rI)
        return SearchIterationRecord(
            episode: e, iteration: i, noise: c.noise.rawValue, epsilon: epsilon,
            protoUsers: .init(su.proposals), protoItems: .init(si.proposals),
            actionMeanUsers: meanSize(su.executed), actionMeanItems: meanSize(si.executed),
            actionMean: sizes.density * Double(sizes.dMax), density: sizes.density,
            evalMeanUsers: mean(outcome.userEval), evalMeanItems: mean(outcome.itemEval),
            qMeanUsers: mean(qU), qMeanItems: mean(qI), rewardMeanUsers: rUm, rewardMeanItems: rIm,
            avgReward: (rUm + rIm) / 2, validAVG: v.avg,
            recall5: v.recall5, recall10: v.recall10, recall20: v.recall20,
            ndcg5: v.ndcg5, ndcg10: v.ndcg10, ndcg20: v.ndcg20, trainLoss: outcome.meanLoss,
            criticLossUsers: uu.criticLoss, criticLossItems: ui.criticLoss,
            actorLossUsers: uu.actorLoss, actorLossItems: ui.actorLoss,
            trainSeconds: outcome.trainSeconds, evalSeconds: outcome.evalSeconds, sizesFile: sizesPath)
    }

    // MARK: - Stage state

    /// The checkpointed state plus where this process started (for the ETA).
    struct LoopState {
        var checkpoint: SearchCheckpoint
        let nextEpisodeAtStart: Int
        var nextEpisode: Int {
            get { checkpoint.nextEpisode }
            set { checkpoint.nextEpisode = newValue }
        }
        var historyLines: Int {
            get { checkpoint.historyLines }
            set { checkpoint.historyLines = newValue }
        }
        var noise: ExplorationNoise {
            get { checkpoint.noise }
            set { checkpoint.noise = newValue }
        }
        var userAgent: TD3Agent { checkpoint.userAgent }
        var itemAgent: TD3Agent { checkpoint.itemAgent }
    }

    func prepareDirectory() throws {
        let fm = FileManager.default
        try fm.createDirectory(at: directory.appendingPathComponent("sizes"), withIntermediateDirectories: true)
        if let data = fm.contents(atPath: configURL.path) {
            guard let old = try? JSONDecoder().decode(CIESSConfig.self, from: data), old == configuration else {
                throw SearchStageError.configurationChanged(directory.path)
            }
        } else {
            try AtomicFile.write(Data(try Self.json(configuration).utf8), to: configURL)
        }
        if !fm.fileExists(atPath: historyURL.path) { fm.createFile(atPath: historyURL.path, contents: nil) }
    }

    func pretrained(_ d: SplitDataset, progress: ProgressReporter?) throws -> PeakQualities {
        if let data = FileManager.default.contents(atPath: pretrainURL.path),
           let peaks = try? JSONDecoder().decode(PeakQualities.self, from: data),
           peaks.users.count == d.userCount, peaks.items.count == d.itemCount {
            return peaks
        }
        progress?.log("pretraining the full-size \(configuration.backbone.rawValue) (CONVERGE on VAL) for the peaks")
        let peaks = PeakQualities.pretrain(dataset: d, backbone: configuration.backbone, seed: configuration.seed,
                                           batchSize: configuration.batchSize, converge: configuration.pretrain,
                                           progress: progress)
        try AtomicFile.write(Data(try Self.json(peaks).utf8), to: pretrainURL)
        return peaks
    }

    func resumeOrStart(_ d: SplitDataset) throws -> LoopState {
        if FileManager.default.fileExists(atPath: checkpointURL.path) {
            let cp = try SearchCheckpoint.read(checkpointURL)
            guard cp.configuration == configuration else { throw SearchStageError.configurationChanged(checkpointURL.path) }
            return LoopState(checkpoint: cp, nextEpisodeAtStart: cp.nextEpisode)
        }
        let c = configuration
        let cp = SearchCheckpoint(
            configuration: c, nextEpisode: 0, historyLines: 0,
            userAgent: TD3Agent(configuration: c.td3, seed: c.seed, purpose: "ciess/td3/users"),
            itemAgent: TD3Agent(configuration: c.td3, seed: c.seed, purpose: "ciess/td3/items"),
            userBuffer: ReplayBuffer(entities: d.userCount), itemBuffer: ReplayBuffer(entities: d.itemCount),
            userExplorer: RandomWalkExplorer(useWalk: c.randomWalk, seed: c.seed, purpose: "ciess/walk/users"),
            itemExplorer: RandomWalkExplorer(useWalk: c.randomWalk, seed: c.seed, purpose: "ciess/walk/items"),
            noise: ExplorationNoise(kind: c.noise.kind, seed: c.seed))
        return LoopState(checkpoint: cp, nextEpisodeAtStart: 0)
    }

    // MARK: - JSON

    static func json<T: Encodable>(_ v: T) throws -> String { try SearchHistoryFile.json(v) }
    static func jsonLine<T: Encodable>(_ v: T) throws -> String { try SearchHistoryFile.jsonLine(v) }

    /// The records, checked to be one unbroken run: (0, 0), then each the next iteration of its episode or
    /// iteration 0 of the next episode, every episode but the last equally long — so a record deleted from
    /// the middle is an error naming its line, not a silently shifted Figure 3.
    public static func readHistory(_ url: URL) throws -> [SearchIterationRecord] {
        let records = try SearchHistoryFile.read(url, as: SearchIterationRecord.self, what: "a search iteration record")
        var length: Int?
        for (k, r) in records.enumerated() {
            let expected: [(Int, Int)]
            if k == 0 { expected = [(0, 0)] } else {
                let p = records[k - 1]
                expected = (length.map { p.iteration + 1 < $0 } ?? true ? [(p.episode, p.iteration + 1)] : [])
                    + (length.map { p.iteration + 1 == $0 } ?? true ? [(p.episode + 1, 0)] : [])
            }
            guard expected.contains(where: { $0 == (r.episode, r.iteration) }) else {
                let list = expected.map { "episode \($0.0) iteration \($0.1)" }.joined(separator: " or ")
                throw SearchStageError.corrupt("\(url.path):\(k + 1)", "expected \(list), found episode \(r.episode) iteration \(r.iteration) (a record is missing or out of order)")
            }
            if k > 0, r.episode == records[k - 1].episode + 1, length == nil { length = records[k - 1].iteration + 1 }
        }
        return records
    }
}
