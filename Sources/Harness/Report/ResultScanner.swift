import Evaluation
import Foundation

/// One finished retrain cell found on disk.
public struct ScannedCell: Sendable, Equatable {
    /// The cell id (path below `cells/`).
    public var id: String
    public var result: CellResult
}

/// One `failed.json` found on disk.
public struct ScannedFailure: Sendable, Equatable {
    /// The stage's directory relative to the profile directory, e.g. `cells/ml-1m/…/clean` or `search/…/seed1`.
    public var location: String
    public var failure: CellFailure
    /// The grid coordinates when the failure is a retrain cell under `cells/`.
    public var coordinates: CellCoordinates?
}

/// Everything a profile's result directory holds, in path order.
public struct ScannedResults: Sendable, Equatable {
    public var cells: [ScannedCell]
    public var failures: [ScannedFailure]
    /// Results made with settings the profile no longer gives their cell (another config hash, or a cell the
    /// profile does not plan): never in a table; the report lists them.
    public var stale: [ScannedCell] = []
}

extension ExperimentPlan {
    /// Every planned cell's current config hash, by cell id: what a result must carry to count.
    public var currentConfigHashes: [String: String] {
        Dictionary(uniqueKeysWithValues: cells.map { ($0.description, settings($0).configHash) })
    }
}

/// Reads `results/<P>/cells/**/result.json` (a `CellResult` in the snake_case result encoding) and
/// every `failed.json` under `cells/` and `search/` (a `CellFailure`). A file that does not decode is
/// an error naming it and what was expected; a result whose coordinates disagree with its path is
/// an error too, since every table is keyed by them. When a stage has both its done file
/// (result.json, or search.json for a search) and a failed.json, the done file wins (the stage was
/// retried successfully).
public enum ResultScanner {
    /// With `currentHashes` (`ExperimentPlan.currentConfigHashes`), results whose config hash differs, or whose
    /// cell is not planned, go to `stale` instead of `cells`.
    public static func scan(profileDirectory: URL, currentHashes: [String: String]? = nil) throws -> ScannedResults {
        var cells: [ScannedCell] = []
        var stale: [ScannedCell] = []
        var failures: [ScannedFailure] = []
        let cellsRoot = profileDirectory.appendingPathComponent("cells")
        let resultDirs = Set(files(named: "result.json", under: cellsRoot).map { ($0 as NSString).deletingLastPathComponent })
        for rel in files(named: "result.json", under: cellsRoot) {
            let id = (rel as NSString).deletingLastPathComponent
            let cell = ScannedCell(id: id, result: try readResult(cellsRoot.appendingPathComponent(rel), id: id))
            if let current = currentHashes, current[id] != cell.result.configHash { stale.append(cell) } else { cells.append(cell) }
        }
        for root in ["cells", "search"] {
            let base = profileDirectory.appendingPathComponent(root)
            for rel in files(named: "failed.json", under: base) {
                let dir = (rel as NSString).deletingLastPathComponent
                if root == "cells" && resultDirs.contains(dir) { continue }
                if root == "search" && FileManager.default.fileExists(atPath: base.appendingPathComponent("\(dir)/search.json").path) {
                    continue
                }
                let failure = try readFailure(base.appendingPathComponent(rel))
                failures.append(ScannedFailure(location: "\(root)/\(dir)", failure: failure,
                                               coordinates: root == "cells" ? CellCoordinates(id: dir) : nil))
            }
        }
        return ScannedResults(cells: cells, failures: failures, stale: stale)
    }

    /// Decodes one result.json and checks it describes the cell at `id`.
    public static func readResult(_ url: URL, id: String) throws -> CellResult {
        let data = try read(url)
        let r: CellResult
        do { r = try JSONOutput.decoder.decode(CellResult.self, from: data) } catch {
            throw ReportError.malformed(file: url.path, expected: "a CellResult JSON object (\(describe(error)))")
        }
        guard let where_ = CellCoordinates(id: id) else {
            throw ReportError.malformed(file: url.path, expected:
                "to lie at cells/<dataset>/<backbone>/<method>/<variant>/c<c>|cnone/seed<N>/<protocol>/result.json")
        }
        let stated = CellCoordinates(r)
        guard stated == where_ else {
            throw ReportError.malformed(file: url.path, expected: "coordinates matching its path \(id), found \(stated.id)")
        }
        if r.status == .ok && (r.test == nil || r.achievedSparsity == nil) {
            throw ReportError.malformed(file: url.path, expected: "TEST metrics and the achieved sparsity in a result with status ok")
        }
        if let problem = implausibility(r) { throw ReportError.malformed(file: url.path, expected: problem) }
        return r
    }

    /// Values no run can produce: a metric outside [0, 1] or not finite, a sparsity outside [0, 1), or a
    /// controlled result with status ok whose achieved sparsity is below its target (the audit would have
    /// said over budget). nil when the result is plausible.
    static func implausibility(_ r: CellResult) -> String? {
        let metrics: [(String, MetricSummary?)] = [("test", r.test), ("valid", r.valid), ("fixed_chunk_test", r.fixedChunkTest?.test)]
        for (part, m) in metrics {
            guard let m else { continue }
            for (name, v) in [("recall5", m.recall5), ("recall10", m.recall10), ("recall20", m.recall20), ("ndcg5", m.ndcg5),
                              ("ndcg10", m.ndcg10), ("ndcg20", m.ndcg20), ("avg", m.avg)] where !(v >= 0 && v <= 1) {
                return "\(part).\(name) in [0, 1], found \(v)"
            }
        }
        if let s = r.achievedSparsity {
            guard s >= 0 && s < 1 else { return "achieved_sparsity in [0, 1), found \(s)" }
            if r.status == .ok, let c = r.targetSparsity, s < c - 1e-9 {
                return "achieved_sparsity ≥ its target \(c) in a result with status ok, found \(s) (such a cell is over_budget)"
            }
        }
        return nil
    }

    public static func readFailure(_ url: URL) throws -> CellFailure {
        let data = try read(url)
        do { return try JSONOutput.decoder.decode(CellFailure.self, from: data) } catch {
            throw ReportError.malformed(file: url.path, expected: "a CellFailure JSON object (\(describe(error)))")
        }
    }

    /// Relative paths of every file called `name` below `root`, sorted; empty if `root` is absent.
    static func files(named name: String, under root: URL) -> [String] {
        guard let all = try? FileManager.default.subpathsOfDirectory(atPath: root.path) else { return [] }
        return all.filter { ($0 as NSString).lastPathComponent == name }.sorted()
    }

    private static func read(_ url: URL) throws -> Data {
        guard let d = FileManager.default.contents(atPath: url.path) else {
            throw ReportError.missing(file: url.path, what: "could not be read")
        }
        return d
    }

    /// A short reason from a decoding error: the missing key or the path of the bad value.
    static func describe(_ error: Error) -> String {
        switch error as? DecodingError {
        case .keyNotFound(let k, let ctx)?:
            return "missing key '\(path(ctx.codingPath + [k]))'"
        case .typeMismatch(_, let ctx)?, .valueNotFound(_, let ctx)?:
            return "bad value at '\(path(ctx.codingPath))': \(ctx.debugDescription)"
        case .dataCorrupted(let ctx)?:
            return ctx.codingPath.isEmpty ? "not valid JSON" : "bad value at '\(path(ctx.codingPath))': \(ctx.debugDescription)"
        default:
            return "\(error)"
        }
    }

    private static func path(_ keys: [CodingKey]) -> String {
        keys.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
    }
}
