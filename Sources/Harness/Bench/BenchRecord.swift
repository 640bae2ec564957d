import Foundation

/// One benchmark figure as a JSON line, with the field names of the PyTorch reference
/// (`workload`, `batch`, `median_s`, `min_s`, `mean_s`, `times_s`, …) plus `implementation`
/// and provenance, so the two outputs can be paired by (dataset, workload, batch).
public struct BenchRecord: Sendable {
    public var workload: String
    public var batch: Int?
    public var dataset: String
    public var users: Int
    public var items: Int
    public var interactions: Int
    public var testInteractions: Int
    public var graphSHA256: String
    public var seed: UInt64
    public var warmup: Int
    public var timing: WorkloadTiming
    public var provenance: Provenance
    public var started: String

    public init(workload: String, batch: Int?, dataset: String, users: Int, items: Int, interactions: Int,
                testInteractions: Int, graphSHA256: String, seed: UInt64, warmup: Int,
                timing: WorkloadTiming, provenance: Provenance, started: String) {
        self.workload = workload
        self.batch = batch
        self.dataset = dataset
        self.users = users
        self.items = items
        self.interactions = interactions
        self.testInteractions = testInteractions
        self.graphSHA256 = graphSHA256
        self.seed = seed
        self.warmup = warmup
        self.timing = timing
        self.provenance = provenance
        self.started = started
    }

    public func jsonLine() -> String {
        let t = timing.times
        var obj: [String: Any] = [
            "implementation": "ciess-swift",
            "workload": workload,
            "batch": batch.map { $0 as Any } ?? NSNull(),
            "dataset": dataset,
            "users": users, "items": items,
            "interactions": interactions, "test_interactions": testInteractions,
            "graph_sha256": graphSHA256,
            "seed": seed,
            "threads": provenance.threads,
            "cpu": provenance.cpu,
            "git_commit": provenance.gitCommit,
            "git_dirty": provenance.gitDirty,
            "toolchain": provenance.toolchain,
            "dtype": "float32", "device": "cpu",
            "started": started,
            "median_s": t.median,
            "min_s": t.min() ?? Double.nan,
            "mean_s": t.isEmpty ? Double.nan : t.reduce(0, +) / Double(t.count),
            "times_s": t.map { ($0 * 1e6).rounded() / 1e6 },
            "warmup": warmup, "repeat": t.count,
        ]
        for (k, v) in timing.extra { obj[k] = v }
        let data = try! JSONSerialization.data(withJSONObject: obj, options: [.sortedKeys])
        return String(decoding: data, as: UTF8.self)
    }
}
