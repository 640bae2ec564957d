import Foundation
import RecData

/// The candidates stage (docs/method.md §1.11): from a finished search's history, the top-`limit`
/// iterations by VAL AVG among those with ρ ≤ 1 − c, per target c; written to `candidates.json`.
public enum CIESSCandidates {
    public struct Candidate: Sendable, Codable, Equatable {
        public var episode: Int
        public var iteration: Int
        public var density: Double
        public var validAVG: Double
        /// Relative to the search directory.
        public var sizesFile: String
    }

    public struct Selection: Sendable, Codable, Equatable {
        public var targetSparsity: Double
        /// Empty when the target was never reached ("not reached": c is never relaxed).
        public var candidates: [Candidate]
    }

    public static let fileName = "candidates.json"

    public static func select(history: [SearchIterationRecord], targets: [Double], limit: Int = 3,
                              episodes: ClosedRange<Int>? = nil) -> [Selection] {
        let entries = history.map {
            CandidatePool.Entry(episode: $0.episode, iteration: $0.iteration, density: $0.density, validAVG: $0.validAVG)
        }
        let files = Dictionary(uniqueKeysWithValues: history.map { ("\($0.episode)/\($0.iteration)", $0.sizesFile) })
        return targets.map { c in
            let top = CandidatePool.select(entries, targetSparsity: c, limit: limit, episodes: episodes)
            return Selection(targetSparsity: c, candidates: top.map {
                Candidate(episode: $0.episode, iteration: $0.iteration, density: $0.density, validAVG: $0.validAVG,
                          sizesFile: files["\($0.episode)/\($0.iteration)"]!)
            })
        }
    }

    /// Reads the search's history (the search must be finished) and writes `candidates.json`.
    @discardableResult
    public static func write(searchDirectory dir: URL, targets: [Double], limit: Int = 3) throws -> [Selection] {
        let search = dir.appendingPathComponent("search.json")
        guard FileManager.default.fileExists(atPath: search.path) else { throw SearchStageError.missing(search.path) }
        let history = try CIESSSearch.readHistory(dir.appendingPathComponent("history.jsonl"))
        let selections = select(history: history, targets: targets, limit: limit)
        try save(selections, to: dir.appendingPathComponent(fileName))
        return selections
    }

    /// Writes candidate lists (pretty JSON, sorted keys) atomically, with their checksum sidecar
    /// (`StateChecksum`): every search method's candidates file goes through here.
    public static func save(_ selections: [Selection], to url: URL) throws {
        try StateChecksum.writeWithSidecar(try SearchHistoryFile.encoder(pretty: true).encode(selections), to: url)
    }

    public static func read(searchDirectory dir: URL) throws -> [Selection] {
        try read(file: dir.appendingPathComponent(fileName))
    }

    /// The candidate lists of one file (`candidates.json`, or an interval pool's file for Figure 5).
    /// Checked on read: the checksum sidecar (when present), the JSON, and that every `sizesFile` is a
    /// relative path inside the search directory (no absolute path, no "..") and every density in (0, 1].
    public static func read(file url: URL) throws -> [Selection] {
        guard let data = FileManager.default.contents(atPath: url.path) else { throw SearchStageError.missing(url.path) }
        do { try StateChecksum.verifySidecar(data, of: url) } catch {
            throw SearchStageError.corrupt(url.path, "its content does not match its checksum (damaged)")
        }
        let selections: [Selection]
        do { selections = try SearchHistoryFile.decoder().decode([Selection].self, from: data) } catch {
            throw SearchStageError.corrupt(url.path, "expected the candidate lists of `ciess search`")
        }
        for s in selections {
            for c in s.candidates {
                let parts = c.sizesFile.split(separator: "/")
                guard !c.sizesFile.isEmpty, !c.sizesFile.hasPrefix("/"), !parts.contains(".."), !parts.contains(".") else {
                    throw SearchStageError.corrupt(url.path, "sizesFile '\(c.sizesFile)' leaves the search directory; "
                                                   + "only relative paths inside it are read")
                }
                guard c.density > 0, c.density <= 1 else {
                    throw SearchStageError.corrupt(url.path, "candidate density \(c.density) outside (0, 1]")
                }
            }
        }
        return selections
    }
}
