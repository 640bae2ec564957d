import Evaluation
import Foundation

/// `make verify`: what differs between a stored cell result and a fresh recomputation (metrics,
/// sparsity, status, chunks; provenance and wall time are expected to differ and are ignored).
public enum VerifyComparison {
    public static func differences(stored a: CellResult, fresh b: CellResult) -> [String] {
        var out: [String] = []
        func cmp<T: Equatable>(_ name: String, _ x: T?, _ y: T?) {
            if x != y { out.append("\(name): stored \(x.map { "\($0)" } ?? "nil"), fresh \(y.map { "\($0)" } ?? "nil")") }
        }
        cmp("status", a.status.rawValue, b.status.rawValue)
        cmp("achieved_sparsity", a.achievedSparsity, b.achievedSparsity)
        cmp("best_chunk", a.bestChunk, b.bestChunk)
        cmp("chunks_run", a.chunksRun, b.chunksRun)
        cmp("config_hash", a.configHash, b.configHash)
        for (name, x, y) in [("test", a.test, b.test), ("valid", a.valid, b.valid)] {
            let fields: [(String, (MetricSummary) -> Double)] = [
                ("recall5", \.recall5), ("recall10", \.recall10), ("recall20", \.recall20),
                ("ndcg5", \.ndcg5), ("ndcg10", \.ndcg10), ("ndcg20", \.ndcg20), ("avg", \.avg)]
            for (f, get) in fields { cmp("\(name).\(f)", x.map(get), y.map(get)) }
        }
        return out
    }

    /// max |stored − fresh| over every TEST and VAL metric both results have (0 if none).
    public static func maxMetricDifference(stored a: CellResult, fresh b: CellResult) -> Double {
        var worst = 0.0
        for (x, y) in [(a.test, b.test), (a.valid, b.valid)] {
            guard let x, let y else { continue }
            for get in [\MetricSummary.recall5, \.recall10, \.recall20, \.ndcg5, \.ndcg10, \.ndcg20, \.avg] {
                worst = max(worst, abs(x[keyPath: get] - y[keyPath: get]))
            }
        }
        return worst
    }
}
