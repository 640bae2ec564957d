import ArgumentParser
import Foundation
import Harness
import Linalg
import RecData
import Recommenders
import SizeSearch

/// `ciess search`: the search stage of a size-search method; writes sizes and candidates to --out.
struct SearchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "search",
        abstract: "Run a size-search method (ciess, pep, es, mr, esapn, optembed) and write its candidate masks to --out.",
        discussion: """
        CIESS: pretraining (cached), then M episodes × T iterations of TD3 with random-walk exploration; \
        checkpoints after every episode and resumes when run again with the same settings. \
        Afterwards `candidates.json` lists the top-3 iterations per target sparsity (ρ ≤ 1 − c, ranked by VAL AVG). \
        ES and MR write one size vector per target. PEP prunes until each target's budget is first reached \
        (one element mask per target); ESAPN and OptEmbed are uncontrolled and write one result each; all three \
        checkpoint per chunk (OptEmbed also per generation) and resume. Their length: --chunk-batches, \
        --max-chunks, --patience (ESAPN 2, OptEmbed's supernet 1 by default), OptEmbed's --population and \
        --generations.
        """)

    @Option(help: "Method: ciess, pep, es, mr, esapn or optembed.") var method: String = "ciess"
    @Option(help: "Dataset: ml-1m or yelp2018.") var dataset: String = "ml-1m"
    @Option(help: "Backbone: \(BackboneKind.allCases.map(\.rawValue).joined(separator: ", ")).") var backbone: String = "lightgcn"
    @Option(help: "λ of the reward r = min(q,1) − λ(a/128)² (default: ml-1m 0.4, yelp2018 0.2).") var lambda: Double?
    @Option(help: "Exploration noise: gaussian, ou or uniform.") var noise: String = "gaussian"
    @Option(help: "Random-walk exploration: on or off.") var randomWalk: String = "on"
    @Option(help: "Episodes M.") var episodes: Int = 30
    @Option(help: "Iterations per episode T.") var iterations: Int = 10
    @Option(help: "Training batches per iteration (default per backbone and dataset, docs/method.md §2.4).") var batchesPerIteration: Int?
    @Option(help: "BPR triples per batch.") var batchSize: Int = 10_000
    @Option(help: "Pretraining CONVERGE chunk length in batches.") var pretrainChunkBatches: Int = 3000
    @Option(help: "Pretraining CONVERGE patience.") var pretrainPatience: Int = 2
    @Option(help: "Pretraining CONVERGE chunk cap.") var pretrainMaxChunks: Int = 30
    @Option(help: "PEP/ESAPN/OptEmbed: batches per chunk.") var chunkBatches: Int = 3000
    @Option(help: "PEP/ESAPN/OptEmbed: chunk cap.") var maxChunks: Int = 30
    @Option(help: "ESAPN/OptEmbed: CONVERGE patience (default ESAPN 2, OptEmbed supernet 1).") var patience: Int?
    @Option(help: "PEP: Adam learning rate of the thresholds.") var thresholdLr: Float = PEPConfig.defaultThresholdLR
    @Flag(inversion: .prefixedNo,
          help: "PEP: train V and the network with the thresholds' Adam (lr --threshold-lr, L2 1e-5, clip 100) as PEP's own code does; --no-pep-own-optimizer uses the backbone's schedule, under which pruning stalls on LightGCN/NGCF (density 0.72 on ML-1M/LightGCN).")
    var pepOwnOptimizer = PEPConfig.defaultUseOwnOptimizer
    @Option(help: "OptEmbed: initial population of the evolutionary search.") var population: Int = 20
    @Option(help: "OptEmbed: generations of the evolutionary search.") var generations: Int = 30
    @Option(help: "Comma-separated target sparsities for the candidates.") var targets: String = "0.80,0.90,0.95"
    @Option(parsing: .unconditional, help: "Seed (a non-negative integer).") var seed: UInt64 = 1
    @Option(help: "Worker threads.") var threads: Int = Threads.defaultCount()
    @Option(help: "Output directory of the search stage.") var out: String

    var targetList: [Double] { targets.split(separator: ",").compactMap { Double($0.trimmingCharacters(in: .whitespaces)) } }

    func validate() throws {
        guard Self.methods.contains(method) else {
            throw ValidationError("--method must be one of \(Self.methods.joined(separator: ", ")), got '\(method)'.")
        }
        guard chunkBatches >= 1, maxChunks >= 1, patience.map({ $0 >= 1 }) ?? true else {
            throw ValidationError("--chunk-batches, --max-chunks and --patience must each be at least 1.")
        }
        guard thresholdLr > 0 && thresholdLr.isFinite else { throw ValidationError("--threshold-lr must be a finite number > 0, got \(thresholdLr).") }
        guard population >= 2, generations >= 1 else {
            throw ValidationError("--population must be at least 2 and --generations at least 1.")
        }
        guard ["ml-1m", "yelp2018"].contains(dataset) else { throw ValidationError("--dataset must be ml-1m or yelp2018, got '\(dataset)'.") }
        guard BackboneKind(rawValue: backbone) != nil else {
            throw ValidationError("--backbone must be one of \(BackboneKind.allCases.map(\.rawValue).joined(separator: ", ")), got '\(backbone)'.")
        }
        guard CIESSConfig.Noise(rawValue: noise) != nil else { throw ValidationError("--noise must be gaussian, ou or uniform, got '\(noise)'.") }
        guard ["on", "off"].contains(randomWalk) else { throw ValidationError("--random-walk must be on or off, got '\(randomWalk)'.") }
        if let l = lambda, !(l >= 0 && l.isFinite) { throw ValidationError("--lambda must be a finite number ≥ 0, got \(l).") }
        guard episodes >= 1, iterations >= 1 else { throw ValidationError("--episodes and --iterations must each be at least 1.") }
        if let b = batchesPerIteration, b < 1 { throw ValidationError("--batches-per-iteration must be at least 1, got \(b).") }
        guard batchSize >= 1 else { throw ValidationError("--batch-size must be at least 1, got \(batchSize).") }
        guard pretrainChunkBatches >= 1, pretrainPatience >= 1, pretrainMaxChunks >= 1 else {
            throw ValidationError("--pretrain-chunk-batches, --pretrain-patience and --pretrain-max-chunks must each be at least 1.")
        }
        let parts = targets.split(separator: ",")
        guard !parts.isEmpty, targetList.count == parts.count, targetList.allSatisfy({ $0 > 0 && $0 < 1 }) else {
            throw ValidationError("--targets must be comma-separated sparsities strictly between 0 and 1, e.g. 0.80,0.90,0.95; got '\(targets)'.")
        }
        guard threads >= 1 else { throw ValidationError("--threads must be at least 1, got \(threads).") }
        if let problem = OutputLocation.problem(directory: out) { throw ValidationError("--out: \(problem).") }
        let existing = (try? FileManager.default.contentsOfDirectory(atPath: out))?.filter { !$0.hasPrefix(".") } ?? []
        if !existing.isEmpty && !existing.contains("descriptor.json") {
            throw ValidationError("--out: \(out) is not empty and holds no search (no descriptor.json); choose a new or empty directory, or the directory of the search to resume.")
        }
    }

    func run() throws {
        Threads.set(threads)
        let progress = ProgressReporter(label: "search[\(method)/\(dataset)/\(backbone)/seed\(seed)]")
        let dir = URL(fileURLWithPath: out)
        let lock = try FileLock.acquire(FileLock.lockFile(for: dir), wait: false)   // one writer per search directory
        defer { lock.release() }
        AtomicFile.removeLeftoverTemporaries(in: dir)
        let data = try DatasetRegistry.load(dataset, progress: { progress.log($0) })
        let kind = BackboneKind(rawValue: backbone)!
        if ["pep", "esapn", "optembed"].contains(method) {
            try SearchDescriptor(method: method, dataset: dataset, backbone: kind, seed: seed).write(to: dir)
            try runBaseline(kind: kind, data: data, directory: dir, progress: progress)
            for s in try CIESSCandidates.read(searchDirectory: dir) {
                let what = s.candidates.first.map { String(format: "sparsity %.4f", 1 - $0.density) } ?? "not reached"
                progress.log(method == "pep" ? String(format: "c=%.2f: %@", s.targetSparsity, what) : "result: \(what)")
            }
            return
        }
        if method != "ciess" {
            let selections = try FixedSizeSearch.run(method: method, dataset: data, backbone: kind, targets: targetList,
                                                     seed: seed, directory: dir)
            for s in selections { progress.log(String(format: "c=%.2f: sparsity %.4f", s.targetSparsity, 1 - s.candidates[0].density)) }
            return
        }
        try SearchDescriptor(method: method, dataset: dataset, backbone: kind, seed: seed).write(to: dir)
        let config = CIESSConfig(dataset: dataset, backbone: kind, lambda: lambda, noise: CIESSConfig.Noise(rawValue: noise)!,
                                 randomWalk: randomWalk == "on", episodes: episodes, iterations: iterations,
                                 batchesPerIteration: batchesPerIteration, batchSize: batchSize, seed: seed,
                                 pretrain: ConvergeConfig(chunkBatches: pretrainChunkBatches, patience: pretrainPatience,
                                                          maxChunks: pretrainMaxChunks))
        let summary = try CIESSSearch(configuration: config, directory: dir).run(dataset: data, progress: progress)
        let selections = try CIESSCandidates.write(searchDirectory: dir, targets: targetList)
        for s in selections {
            let best = s.candidates.first.map { String(format: "best VAL AVG %.4f at sparsity %.4f", $0.validAVG, 1 - $0.density) } ?? "not reached"
            progress.log(String(format: "c=%.2f: %d candidate(s), %@", s.targetSparsity, s.candidates.count, best))
        }
        if let s = summary { progress.log(String(format: "search done: %d iterations in %.0f s", s.iterations, s.wallSeconds)) }
    }
}

extension SearchCommand {
    static let methods = ["ciess", "pep", "es", "mr", "esapn", "optembed"]

    func runBaseline(kind: BackboneKind, data: SplitDataset, directory dir: URL, progress: ProgressReporter) throws {
        switch method {
        case "pep":
            let config = PEPConfig(dataset: dataset, backbone: kind, seed: seed, batchSize: batchSize,
                                   chunkBatches: chunkBatches, maxChunks: maxChunks, thresholdLR: thresholdLr,
                                   useOwnOptimizer: pepOwnOptimizer)
            _ = try PEPSearch(configuration: config, directory: dir).run(dataset: data, targets: targetList, progress: progress)
        case "esapn":
            let config = ESAPNConfig(dataset: dataset, backbone: kind, seed: seed, batchSize: batchSize,
                                     converge: ConvergeConfig(chunkBatches: chunkBatches, patience: patience ?? 2, maxChunks: maxChunks))
            _ = try ESAPNSearch(configuration: config, directory: dir).run(dataset: data, progress: progress)
        default:
            let evolution = OptEmbedEvolutionConfig(initialPopulation: population, mutationParents: min(10, population),
                                                    crossoverParents: min(11, population), generations: generations)
            let config = OptEmbedConfig(dataset: dataset, backbone: kind, seed: seed, batchSize: batchSize,
                                        supernet: ConvergeConfig(chunkBatches: chunkBatches, patience: patience ?? 1, maxChunks: maxChunks),
                                        evolution: evolution)
            _ = try OptEmbedSearch(configuration: config, directory: dir).run(dataset: data, progress: progress)
        }
    }
}

/// `ciess retrain`: the shared retrain stage for one target sparsity under a final protocol.
struct RetrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "retrain",
        abstract: "Retrain a search's candidates for one target sparsity and report the chosen model's TEST metrics (JSON).")

    @Option(help: "The search directory (ciess search --out).") var candidates: String
    @Option(help: "Target sparsity c, e.g. 0.9 (omit for ESAPN and OptEmbed, whose single result is retrained).") var sparsity: Double?
    @Option(name: .customLong("protocol"), help: "Final protocol: clean or code.") var finalProtocol: String = "clean"
    @Option(help: "CONVERGE chunk length in batches.") var chunkBatches: Int = 3000
    @Option(help: "CONVERGE patience.") var patience: Int = 2
    @Option(help: "CONVERGE chunk cap.") var maxChunks: Int = 30
    @Option(help: "BPR triples per batch.") var batchSize: Int = 10_000
    @Option(parsing: .unconditional, help: "Seed of the retraining, a non-negative integer (default: the search's seed).") var seed: UInt64?
    @Option(help: "Worker threads.") var threads: Int = Threads.defaultCount()
    @Option(help: "Also write the JSON result to this file (atomically).") var out: String?

    func validate() throws {
        if let c = sparsity, !(c > 0 && c < 1) { throw ValidationError("--sparsity must lie strictly between 0 and 1, got \(c).") }
        guard FinalProtocol(rawValue: finalProtocol) != nil else { throw ValidationError("--protocol must be clean or code, got '\(finalProtocol)'.") }
        guard chunkBatches >= 1, patience >= 1, maxChunks >= 1, batchSize >= 1 else {
            throw ValidationError("--chunk-batches, --patience, --max-chunks and --batch-size must each be at least 1.")
        }
        guard threads >= 1 else { throw ValidationError("--threads must be at least 1, got \(threads).") }
        if let out, let problem = OutputLocation.problem(file: out) { throw ValidationError("--out: \(problem).") }
    }

    func run() throws {
        Threads.set(threads)
        let dir = URL(fileURLWithPath: candidates)
        let descriptor = try SearchDescriptor.read(dir)
        let progress = ProgressReporter(label: "retrain[\(descriptor.method)/\(descriptor.dataset)/\(descriptor.backbone.rawValue)/c\(sparsity.map { "\($0)" } ?? "none")/\(finalProtocol)]")
        let data = try DatasetRegistry.load(descriptor.dataset, progress: { progress.log($0) })
        let result = try SelectiveRetraining.run(
            searchDirectory: dir, dataset: data, backbone: descriptor.backbone, targetSparsity: sparsity,
            finalProtocol: FinalProtocol(rawValue: finalProtocol)!, seed: seed ?? descriptor.seed,
            converge: ConvergeConfig(chunkBatches: chunkBatches, patience: patience, maxChunks: maxChunks),
            batchSize: batchSize, progress: progress)
        let json = try JSONOutput.encode(result)
        if let out { try AtomicFile.write(Data((json + "\n").utf8), to: URL(fileURLWithPath: out)) }
        print(json)
        if result.chosen == nil {
            let target = sparsity.map { String(format: "%.2f", $0) } ?? "its result"
            FileHandle.standardError.write(Data("retrain: the search reached no candidate for c = \(target) (no iteration with ρ ≤ 1 − c); nothing was retrained\n".utf8))
            throw ExitCode(3)
        }
    }
}
