import Foundation
import Linalg
import RecData

/// `make determinism`: recompute the final training of stored cells from raw data without the
/// retrain cache (the search stages' masks are reused; the searches' own thread independence is
/// covered by unit tests) — once at the thread count they were made with, once at another — and record, per cell and thread count, whether
/// the metrics, sparsity, status and chunks are bit-identical and otherwise by how much they differ.
///
/// Cells: per method, the first stored ML-1M cell of the first backbone that has one (one per
/// method keeps the check to a few minutes on the smoke profile). The record goes to
/// `determinism.json` and `determinism.md` in the profile directory; `REPORT.md` links the latter.
public struct DeterminismCheck {
    public struct Entry: Sendable, Codable, Equatable {
        public var cell: String
        public var storedThreads: Int
        public var freshThreads: Int
        public var identical: Bool
        /// max |stored − fresh| over the TEST and VAL metrics (0 when identical).
        public var maxMetricDifference: Double
        public var differences: [String]
        /// The environment the recomputation ran under when it was not this process's (the BLAS pin check).
        public var environment: String? = nil
    }

    /// The BLAS kernel a different CPU would pick, requested from outside for the pin check.
    public static let otherKernel = "Sandybridge"

    /// Recomputes `cell` in a child `ciess run --verify` whose environment asks OpenBLAS for another kernel
    /// (`OPENBLAS_CORETYPE=Sandybridge`, as a different processor would get): the child pins its kernel
    /// (`BLASKernel`), so the result must stay bit-identical. `binary` is this ciess executable.
    public func kernelPinCheck(_ cell: CellID, stored: CellResult, binary: String, profilesPath: String) throws -> Entry {
        let setting = "OPENBLAS_CORETYPE=\(Self.otherKernel)"
        let r = try ExternalTool.launch(binary, ["run", "--profiles", profilesPath, "--profile", plan.profileName,
                                                 "--results", layout.root.deletingLastPathComponent().path,
                                                 "--cell", cell.description, "--verify"],
                                        environment: ["OPENBLAS_CORETYPE": Self.otherKernel, "CIESS_BLAS_PINNED": ""])
        let lines = String(decoding: r.stdout, as: UTF8.self).split(separator: "\n").map(String.init)
        let differences = lines.filter { $0.hasPrefix("verify: ") && !$0.hasPrefix("verify: identical") }
            .map { String($0.dropFirst("verify: ".count)) }
        guard r.status == 0 || !differences.isEmpty else {
            throw DataError.io(file: binary, problem: "the kernel-pin recomputation failed (exit \(r.status)): "
                               + String(decoding: r.stderr, as: UTF8.self).split(separator: "\n").suffix(3).joined(separator: " "))
        }
        return Entry(cell: cell.description, storedThreads: stored.provenance.threads, freshThreads: plan.profile.threadsPerCell,
                     identical: r.status == 0, maxMetricDifference: r.status == 0 ? 0 : .nan, differences: differences,
                     environment: setting)
    }

    /// The cell of the pin check: one whose backbone multiplies dense matrices (NGCF, NeuMF) when one is stored.
    public func kernelPinCell() -> (CellID, CellResult)? {
        let all = cells()
        return all.first { ["ngcf", "neumf"].contains($0.0.backbone) } ?? all.first
    }

    public let plan: ExperimentPlan
    public let layout: ResultLayout

    public init(plan: ExperimentPlan, layout: ResultLayout) {
        self.plan = plan
        self.layout = layout
    }

    /// One stored cell per method, ML-1M first.
    public func cells() -> [(CellID, CellResult)] {
        let runner = CellRunner(plan: plan, layout: layout)
        var chosen: [String: (CellID, CellResult)] = [:]
        let ordered = plan.cells.filter { $0.dataset == "ml-1m" } + plan.cells.filter { $0.dataset != "ml-1m" }
        for c in ordered where chosen[c.method] == nil {
            if let r = runner.cachedResult(c), r.status == .ok { chosen[c.method] = (c, r) }
        }
        return chosen.keys.sorted().map { chosen[$0]! }
    }

    /// The thread counts to recompute at: the stored one and `alternative` (if different).
    public static func threadCounts(stored: Int, alternative: Int) -> [Int] {
        stored == alternative ? [stored] : [stored, alternative]
    }

    public func run(alternativeThreads: Int, load: (String) throws -> SplitDataset,
                    progress: ProgressReporter?) throws -> [Entry] {
        let runner = CellRunner(plan: plan, layout: layout)
        var entries: [Entry] = []
        let saved = Threads.count
        defer { Threads.set(saved) }
        for (c, stored) in cells() {
            let d = try load(c.dataset)
            for t in Self.threadCounts(stored: stored.provenance.threads, alternative: alternativeThreads) {
                progress?.log("recomputing \(c) at \(t) thread(s)")
                Threads.set(t)
                let fresh = try runner.retrain(c, dataset: d, useCache: false, progress: nil)
                let diffs = VerifyComparison.differences(stored: stored, fresh: fresh)
                entries.append(Entry(cell: c.description, storedThreads: stored.provenance.threads, freshThreads: t,
                                     identical: diffs.isEmpty,
                                     maxMetricDifference: VerifyComparison.maxMetricDifference(stored: stored, fresh: fresh),
                                     differences: diffs))
            }
        }
        return entries
    }

    /// Writes determinism.json and determinism.md (atomically); returns the markdown's URL.
    @discardableResult
    public func write(_ entries: [Entry]) throws -> URL {
        try AtomicFile.write(Data((try JSONOutput.encode(entries) + "\n").utf8),
                             to: layout.root.appendingPathComponent("determinism.json"))
        let url = layout.root.appendingPathComponent("determinism.md")
        try AtomicFile.write(Data(Self.markdown(entries, profile: plan.profileName).utf8), to: url)
        return url
    }

    public static func markdown(_ entries: [Entry], profile: String) -> String {
        let same = entries.filter(\.identical).count
        var md = "# Determinism — profile `\(profile)`\n\n"
        md += "Each cell's final training was recomputed from the raw data without the retrain cache (its search "
        md += "stage's masks are reused) and compared with its stored `result.json` (metrics at k = 5, 10, 20 on TEST "
        md += "and VAL, achieved sparsity, status, best chunk, chunks run): once at the thread count it was made with "
        md += "and once at another. "
        md += "**\(same) of \(entries.count) recomputations are bit-identical.**\n\n"
        md += "A recomputation with an environment ran as a separate `ciess run --verify` under it: "
        md += "`OPENBLAS_CORETYPE=\(otherKernel)` asks OpenBLAS for the kernels another processor would get, and the "
        md += "result must not change because every ciess process pins its kernel family (`CIESS_BLAS_CORETYPE`, default "
        md += "\(BLASKernel.pinnedDefault)).\n\n"
        md += "| cell | stored threads | fresh threads | environment | verdict | max metric difference | differences |\n"
        md += "|---|---|---|---|---|---|---|\n"
        for e in entries {
            let verdict = e.identical ? "bit-identical" : "differs"
            let diff = e.identical ? "0" : String(format: "%.3g", e.maxMetricDifference)
            let list = e.differences.isEmpty ? "—" : e.differences.joined(separator: "; ")
            md += "| `\(e.cell)` | \(e.storedThreads) | \(e.freshThreads) | \(e.environment.map { "`\($0)`" } ?? "—") | \(verdict) | \(diff) | \(list) |\n"
        }
        return md
    }
}
