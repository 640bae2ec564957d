import Foundation
import Linalg
import RecData

/// The resumable state of one CONVERGE training (`ConvergedTraining`), one binary property list
/// sealed with a content checksum (`StateChecksum`; files without one, written before checksums
/// existed, are still read) and written atomically after every chunk:
///
///     { format: 1, fingerprint, converge: ConvergeTrainer.State, sampler: BPRSampler.State,
///       model: PackedBackboneCheckpoint, best: PackedBackboneCheckpoint?, elapsedSeconds }
///
/// `model` is the state after the last finished chunk (parameters, Adam moments and step count);
/// `best` is the best chunk's model, omitted when that is the last chunk itself (saves one copy of
/// the tables on every improving chunk). `fingerprint` names what the run was started with (the
/// caller's request and data digests): a file with another fingerprint is refused, never resumed.
public struct TrainingCheckpointFile: Sendable {
    public static let format = 1

    public var url: URL
    public var fingerprint: String

    public init(url: URL, fingerprint: String) {
        self.url = url
        self.fingerprint = fingerprint
    }

    struct Stored: Codable {
        var format: Int
        var fingerprint: String
        var converge: ConvergeTrainer.State
        var sampler: BPRSampler.State
        var model: PackedBackboneCheckpoint
        var best: PackedBackboneCheckpoint?
        var elapsedSeconds: Double
    }

    /// The stored state, nil when there is no file; throws `TrainingCheckpointError` for a file that
    /// cannot be decoded or was made by another run.
    func read() throws -> Stored? {
        guard FileManager.default.fileExists(atPath: url.path) else { return nil }
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw TrainingCheckpointError.unreadable(url.path, "cannot read the file")
        }
        let payload: Data
        do { payload = try StateChecksum.open(data, path: url.path).payload } catch {
            throw TrainingCheckpointError.unreadable(url.path, "its content does not match its checksum (the file is damaged)")
        }
        let stored: Stored
        do { stored = try PropertyListDecoder().decode(Stored.self, from: payload) } catch {
            throw TrainingCheckpointError.unreadable(url.path, "not a training checkpoint (\(error))")
        }
        guard stored.format == Self.format else {
            throw TrainingCheckpointError.unreadable(url.path, "format \(stored.format), this build reads \(Self.format)")
        }
        guard stored.fingerprint == fingerprint else { throw TrainingCheckpointError.otherRun(url.path) }
        return stored
    }

    /// Puts `stored` into a freshly built model and sampler; `best` receives the best chunk's model.
    func restore(_ stored: Stored, model: any Backbone, sampler: inout BPRSampler, best: inout BackboneCheckpoint?) throws {
        let c = stored.converge
        guard c.bestChunk >= 0, c.bestChunk <= c.history.count, (c.bestChunk == 0) == (c.best == -.infinity),
              (stored.best == nil) == (c.bestChunk == 0 || c.bestChunk == c.history.count) else {
            throw TrainingCheckpointError.unreadable(url.path, "inconsistent best chunk \(c.bestChunk) after \(c.history.count) chunks")
        }
        do {
            let current = try stored.model.unpacked()
            for (name, values) in current.allValues + (try stored.best?.unpacked().allValues ?? []) {
                if let bad = values.first(where: { !$0.isFinite }) {
                    throw TrainingCheckpointError.unreadable(url.path, "\(name) holds a non-finite value (\(bad)); the file is damaged or the run diverged")
                }
            }
            try model.restore(current)
            if let b = stored.best {
                best = try b.unpacked()
                try model.restore(best!)      // validates the best model's shapes too
                try model.restore(current)
            } else {
                best = c.bestChunk == 0 ? nil : current
            }
            try sampler.restore(stored.sampler)
        } catch let e as TrainingCheckpointError {
            throw e
        } catch {
            throw TrainingCheckpointError.unreadable(url.path, "\(error)")
        }
    }

    func write(converge: ConvergeTrainer.State, model: any Backbone, sampler: BPRSampler.State,
               best: BackboneCheckpoint?, elapsedSeconds: Double) throws {
        let bestIsCurrent = converge.bestChunk == converge.history.count
        let stored = Stored(format: Self.format, fingerprint: fingerprint, converge: converge, sampler: sampler,
                            model: PackedBackboneCheckpoint(model.checkpoint()),
                            best: bestIsCurrent ? nil : best.map(PackedBackboneCheckpoint.init),
                            elapsedSeconds: elapsedSeconds)
        let e = PropertyListEncoder()
        e.outputFormat = .binary
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try AtomicFile.write(StateChecksum.seal(try e.encode(stored)), to: url)
    }

    /// Deletes the file (after the caller has stored its result); a missing file is fine.
    public func remove() throws {
        if FileManager.default.fileExists(atPath: url.path) { try FileManager.default.removeItem(at: url) }
    }
}

/// Why a training checkpoint was not resumed. Nothing is deleted: the message names the file.
public enum TrainingCheckpointError: Error, Equatable, CustomStringConvertible {
    case unreadable(String, String)
    case otherRun(String)

    public var description: String {
        switch self {
        case let .unreadable(path, why):
            return "\(path): cannot resume training from this checkpoint: \(why). Delete it to start the training afresh."
        case let .otherRun(path):
            return "\(path): this training checkpoint belongs to a run with other settings or data; delete it to start afresh, or rerun with the settings it was made with."
        }
    }
}
