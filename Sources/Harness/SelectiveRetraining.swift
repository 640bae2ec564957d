import Crypto
import Foundation
import Linalg
import RecData
import Recommenders
import SizeSearch

/// The retrain stage (docs/method.md §1.11, §4.5): every candidate mask of one target c is trained from a
/// fresh initialisation under a final protocol; the chosen model is the best by the protocol's
/// selection split (P-clean: VAL AVG; P-code: TEST AVG, labelled test-selected), and its TEST
/// metrics and exact sparsity are reported.
///
/// Each candidate's training is cached under `retrain/<mask-hash>-<protocol>-s<seed>.json`, so a
/// mask that is a candidate for several c trains once and a killed stage resumes; a training
/// killed part-way continues from its last chunk (`…-s<seed>-<fingerprint>.checkpoint.plist` beside the cache).
public enum SelectiveRetraining {
    public struct Result: Sendable, Codable, Equatable {
        /// nil for an uncontrolled method (ESAPN, OptEmbed): its single result is retrained.
        public var targetSparsity: Double?
        public var finalProtocol: FinalProtocol
        public var protocolLabel: String
        /// nil when the target was not reached during the search.
        public var chosen: TrainingOutcome?
        public var chosenCandidate: CIESSCandidates.Candidate?
        public var candidates: [CIESSCandidates.Candidate]
        public var candidateOutcomes: [TrainingOutcome]
        public var audit: Budget.Audit?
        /// P-code with K*: TEST after exactly K* chunks of the top-ranked candidate (ranked by the
        /// search alone), so neither the chunk nor the candidate is chosen on TEST.
        public var fixedChunkTest: FixedChunkTest?
    }

    /// `candidatesFile` names the candidate lists inside the search directory (default
    /// `candidates.json`; Figure 5's interval pools use `candidates-i<k>.json`). With
    /// `useCache: false` every candidate is trained afresh and nothing is written to the cache
    /// (`make verify`). A cached training is reused only if it was made with the same CONVERGE
    /// settings and batch size.
    public static func run(searchDirectory dir: URL, dataset d: SplitDataset, backbone: BackboneKind,
                           targetSparsity c: Double?, finalProtocol: FinalProtocol, seed: UInt64,
                           converge: ConvergeConfig = ConvergeConfig(), batchSize: Int = 10_000,
                           candidatesFile: String = CIESSCandidates.fileName, useCache: Bool = true,
                           fixedChunk: Int? = nil, progress: ProgressReporter? = nil) throws -> Result {
        let selections = try CIESSCandidates.read(file: dir.appendingPathComponent(candidatesFile))
        guard let sel = c.map({ c in selections.first(where: { abs($0.targetSparsity - c) < 1e-9 }) })
                ?? (selections.count == 1 ? selections.first : nil) else {
            throw RetrainError.targetNotSearched(file: "\(dir.path)/\(candidatesFile)", target: c,
                                                 searched: selections.map(\.targetSparsity))
        }
        let label = c.map { "c=\($0)" } ?? "the uncontrolled result"
        let control: Budget.Control = c == nil ? .uncontrolled : .controlled
        var outcomes: [TrainingOutcome] = []
        let fixedChunk = finalProtocol == .code ? fixedChunk : nil
        for (k, cand) in sel.candidates.enumerated() {
            let file = dir.appendingPathComponent(cand.sizesFile)
            let hash = String(SHA256.hex([UInt8](try Data(contentsOf: file))).prefix(16))
            let cache = dir.appendingPathComponent("retrain/\(hash)-\(finalProtocol.rawValue)-s\(seed).json")
            if useCache, let data = FileManager.default.contents(atPath: cache.path),
               let cached = try? JSONOutput.decoder.decode(TrainingOutcome.self, from: data),
               cached.request.converge == converge, cached.request.batchSize == batchSize,
               cached.request.fixedChunk == fixedChunk {
                outcomes.append(cached)
                continue
            }
            progress?.log("retraining candidate \(k + 1)/\(sel.candidates.count) for \(label) (episode \(cand.episode), iteration \(cand.iteration), ρ=\(String(format: "%.4f", cand.density)))")
            let request = TrainingRequest(dataset: d.name, backbone: backbone, sizes: .file(file.path),
                                          finalProtocol: finalProtocol, seed: seed, batchSize: batchSize, converge: converge,
                                          fixedChunk: fixedChunk)
            // The request's fingerprint in the name: other CONVERGE settings never meet this file.
            let partial = try useCache ? dir.appendingPathComponent(
                "retrain/\(hash)-\(finalProtocol.rawValue)-s\(seed)-\(TrainingRun.fingerprint(request, dataset: d).prefix(12)).checkpoint.plist") : nil
            let outcome = try TrainingRun.run(request, dataset: d, checkpoint: partial, progress: progress)
            if let partial {
                try FileManager.default.createDirectory(at: cache.deletingLastPathComponent(), withIntermediateDirectories: true)
                try AtomicFile.write(Data(try JSONOutput.encodeRaw(outcome)), to: cache)
                // A parallel cell training the same mask (a candidate for two c) may have removed it already.
                try? FileManager.default.removeItem(at: partial)
            }
            outcomes.append(outcome)
        }
        let best = outcomes.indices.max { a, b in
            let sa = selectionScore(outcomes[a], finalProtocol), sb = selectionScore(outcomes[b], finalProtocol)
            return sa != sb ? sa < sb : a > b      // ties: the earlier (better-ranked) candidate
        }
        let audit = try best.map { i -> Budget.Audit in
            let spec = SizesSpec.file(dir.appendingPathComponent(sel.candidates[i].sizesFile).path)
            let request = TrainingRequest(dataset: d.name, backbone: backbone, sizes: spec, finalProtocol: finalProtocol, seed: seed)
            if let mask = try TrainingRun.elementMask(request, dataset: d) {
                return Budget.audit(mask, targetSparsity: c, control: control)
            }
            return Budget.audit(try spec.resolve(userCount: d.userCount, itemCount: d.itemCount), targetSparsity: c, control: control)
        }
        return Result(targetSparsity: c, finalProtocol: finalProtocol, protocolLabel: finalProtocol.label,
                      chosen: best.map { outcomes[$0] }, chosenCandidate: best.map { sel.candidates[$0] },
                      candidates: sel.candidates, candidateOutcomes: outcomes, audit: audit,
                      fixedChunkTest: outcomes.first?.fixedChunkTest)
    }

    /// P-clean selects on VAL AVG; P-code on TEST AVG (its monitor).
    static func selectionScore(_ o: TrainingOutcome, _ p: FinalProtocol) -> Double {
        switch p {
        case .clean: return o.valid?.avg ?? -Double.infinity
        case .code: return o.test.avg
        }
    }
}

/// A retraining that cannot start from the search's candidate lists.
public enum RetrainError: Error, Equatable, CustomStringConvertible {
    case targetNotSearched(file: String, target: Double?, searched: [Double])

    public var description: String {
        switch self {
        case let .targetNotSearched(file, target, searched):
            let list = searched.map { String(format: "%.2f", $0) }.joined(separator: ", ")
            guard let target else {
                return "\(file) holds candidate lists for several targets (\(list)); name one with --sparsity"
            }
            return "\(file) has no candidate list for target \(String(format: "%.2f", target)); the search made lists for "
                + "\(list.isEmpty ? "no target" : list). Pass one of those with --sparsity, or search with this target"
        }
    }
}
