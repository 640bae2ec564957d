import Foundation

/// Pairs benchmark lines of the two implementations by (dataset, workload, batch, threads) and
/// states the speed ratio `torch median / ciess median` (> 1 means ciess-swift is faster).
public struct BenchComparison: Sendable {
    public struct Row: Sendable, Equatable {
        public var dataset: String
        public var workload: String
        public var batch: Int?
        public var threads: Int
        public var ciessMedian: Double?
        public var torchMedian: Double?
        public var graphMatches: Bool
        public var ratio: Double? {
            guard let c = ciessMedian, let t = torchMedian, c > 0 else { return nil }
            return t / c
        }
    }

    public var rows: [Row]

    /// Reads JSON lines (either implementation; lines without `implementation` are the reference's).
    public init(jsonLines text: String) throws {
        struct Key: Hashable { var dataset: String; var workload: String; var batch: Int?; var threads: Int }
        var order: [Key] = []
        var found: [Key: (c: Double?, t: Double?, cg: String?, tg: String?)] = [:]
        for (n, line) in text.split(separator: "\n").enumerated() where !line.trimmingCharacters(in: .whitespaces).isEmpty {
            guard let obj = (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any],
                  let workload = obj["workload"] as? String, let median = obj["median_s"] as? Double else {
                throw BenchComparisonError.malformed(line: n + 1)
            }
            let dataset = obj["dataset"] as? String ?? "?"
            let key = Key(dataset: dataset, workload: workload, batch: obj["batch"] as? Int,
                          threads: obj["threads"] as? Int ?? 0)
            if found[key] == nil { order.append(key); found[key] = (nil, nil, nil, nil) }
            let graph = obj["graph_sha256"] as? String
            if (obj["implementation"] as? String) == "ciess-swift" {
                found[key]!.c = median; found[key]!.cg = graph
            } else {
                found[key]!.t = median; found[key]!.tg = graph
            }
        }
        rows = order.map { k in
            let f = found[k]!
            return Row(dataset: k.dataset, workload: k.workload, batch: k.batch, threads: k.threads,
                       ciessMedian: f.c, torchMedian: f.t,
                       graphMatches: f.cg == nil || f.tg == nil || f.cg == f.tg)
        }
    }

    /// A fixed-width table for the terminal.
    public func table() -> String {
        func fmt(_ v: Double?) -> String { v.map { String(format: "%.4f", $0) } ?? "-" }
        func pad(_ s: String, _ w: Int) -> String { s.count >= w ? s : s + String(repeating: " ", count: w - s.count) }
        var out = pad("dataset", 10) + " " + pad("workload", 18) + " " + pad("batch", 6) + " " + pad("thr", 4)
            + " " + pad("ciess_s", 9) + " " + pad("torch_s", 9) + " speed-up\n"
        for r in rows {
            let ratio = r.ratio.map { String(format: "%.2fx", $0) } ?? "-"
            let warn = r.graphMatches ? "" : "  (graph_sha256 differs!)"
            out += pad(r.dataset, 10) + " " + pad(r.workload, 18) + " " + pad(r.batch.map(String.init) ?? "-", 6) + " "
                + pad(String(r.threads), 4) + " " + pad(fmt(r.ciessMedian), 9) + " " + pad(fmt(r.torchMedian), 9)
                + " " + ratio + warn + "\n"
        }
        return out
    }
}

public enum BenchComparisonError: Error, CustomStringConvertible {
    case malformed(line: Int)
    public var description: String {
        switch self {
        case .malformed(let line): return "line \(line): expected a JSON object with 'workload' and 'median_s'"
        }
    }
}
