import ArgumentParser
import Foundation
import Harness
import Linalg
import RecData
import Recommenders

/// `ciess train`: one final training with fixed sizes; progress on stderr, one JSON object on stdout.
struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train a backbone with fixed embedding sizes under a final protocol and report VAL/TEST metrics as JSON.")

    @Option(help: "Dataset: ml-1m or yelp2018.")
    var dataset: String = "ml-1m"

    @Option(help: "Backbone: \(BackboneKind.allCases.map(\.rawValue).joined(separator: ", ")).")
    var backbone: String = "lightgcn"

    @Option(help: "Embedding sizes: full, equal:D (1…128) or file:PATH (JSON with users/items arrays).")
    var sizes: String = "full"

    @Option(name: .customLong("protocol"), help: "Final protocol: clean (train on TRAIN, select on VAL) or code (train on TRAIN∪VAL, select on TEST).")
    var finalProtocol: String = "clean"

    @Option(parsing: .unconditional, help: "Seed of initialisation and sampling (a non-negative integer).")
    var seed: UInt64 = 1

    @Option(help: "Worker threads.")
    var threads: Int = Threads.defaultCount()

    @Option(help: "Batches per CONVERGE chunk.")
    var chunkBatches: Int = 3000

    @Option(help: "Consecutive non-improving chunks before stopping.")
    var patience: Int = 2

    @Option(help: "Largest number of chunks.")
    var maxChunks: Int = 30

    @Option(help: "BPR triples per batch.")
    var batchSize: Int = 10_000

    @Option(help: "K*: with --protocol code, also record TEST after exactly this many chunks (training past the CONVERGE stop if needed, never selecting there): the fixed-budget, selection-free number.")
    var fixedChunk: Int?

    @Option(help: "Also write the JSON result to this file (atomically).")
    var out: String?

    @Option(help: "Make the training resumable: save its state to this file after every chunk, continue from it when it exists, and delete it once the result is written.")
    var checkpoint: String?

    func validate() throws {
        guard ["ml-1m", "yelp2018"].contains(dataset) else {
            throw ValidationError("--dataset must be ml-1m or yelp2018, got '\(dataset)'.")
        }
        guard BackboneKind(rawValue: backbone) != nil else {
            throw ValidationError("--backbone must be one of \(BackboneKind.allCases.map(\.rawValue).joined(separator: ", ")), got '\(backbone)'.")
        }
        guard FinalProtocol(rawValue: finalProtocol) != nil else {
            throw ValidationError("--protocol must be clean or code, got '\(finalProtocol)'.")
        }
        do { _ = try SizesSpec(parsing: sizes) } catch { throw ValidationError("--sizes \(error).") }
        guard threads >= 1 else { throw ValidationError("--threads must be at least 1, got \(threads).") }
        guard chunkBatches >= 1, patience >= 1, maxChunks >= 1 else {
            throw ValidationError("--chunk-batches, --patience and --max-chunks must each be at least 1.")
        }
        guard batchSize >= 1 else { throw ValidationError("--batch-size must be at least 1, got \(batchSize).") }
        if let fixedChunk {
            guard fixedChunk >= 1 else { throw ValidationError("--fixed-chunk must be at least 1, got \(fixedChunk).") }
            guard finalProtocol == "code" else {
                throw ValidationError("--fixed-chunk needs --protocol code (under P-clean TEST is never read during training).")
            }
        }
        if let checkpoint, let problem = OutputLocation.problem(file: checkpoint) {
            throw ValidationError("--checkpoint: \(problem).")
        }
        if let out, let problem = OutputLocation.problem(file: out) { throw ValidationError("--out: \(problem).") }
    }

    func run() throws {
        Threads.set(threads)
        let progress = ProgressReporter(label: "train[\(dataset)/\(backbone)/\(sizes)/\(finalProtocol)/seed\(seed)]")
        let data = try DatasetRegistry.load(dataset, progress: { progress.log($0) })
        let request = TrainingRequest(dataset: dataset, backbone: BackboneKind(rawValue: backbone)!,
                                      sizes: try SizesSpec(parsing: sizes),
                                      finalProtocol: FinalProtocol(rawValue: finalProtocol)!, seed: seed,
                                      batchSize: batchSize,
                                      converge: ConvergeConfig(chunkBatches: chunkBatches, patience: patience,
                                                               maxChunks: maxChunks),
                                      fixedChunk: fixedChunk)
        let checkpointURL = checkpoint.map { URL(fileURLWithPath: $0) }
        let outcome = try TrainingRun.run(request, dataset: data, checkpoint: checkpointURL, progress: progress, waitForLock: false)
        let json = try JSONOutput.encode(outcome)
        if let out { try AtomicFile.write(Data((json + "\n").utf8), to: URL(fileURLWithPath: out)) }
        print(json)
        if let checkpointURL, FileManager.default.fileExists(atPath: checkpointURL.path) {
            try FileManager.default.removeItem(at: checkpointURL)
        }
    }
}
