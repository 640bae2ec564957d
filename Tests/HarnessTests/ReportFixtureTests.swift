import XCTest
import Evaluation
import Foundation
import RecData
import SizeSearch
@testable import Harness

/// Builders of tiny result directories for the Report tests (CellResult files, failures, search
/// histories), plus one opt-in test that writes a larger fixture for developing the figures:
/// `REPORT_FIXTURE_OUT=/tmp/reporting-fixture/results/smoke swift test --filter ReportFixtureTests`.
enum ReportFixture {
    static func metrics(_ r20: Double, _ n20: Double) -> MetricSummary {
        MetricSummary(recall5: r20 * 0.4, recall10: r20 * 0.7, recall20: r20, ndcg5: n20 * 1.1, ndcg10: n20 * 1.05,
                      ndcg20: n20, avg: r20)
    }

    static func result(dataset: String = "ml-1m", backbone: String = "lightgcn", method: String = "ciess",
                       variant: String = "g-rw", target: Double? = 0.8, lambda: Double? = 0.4, seed: UInt64 = 1,
                       protocol p: String = "clean", status: CellResult.Status = .ok, r20: Double = 0.2, n20: Double = 0.3,
                       sparsity: Double? = nil, split: String = "split-1", commit: String = "abc123",
                       kstar: Int? = nil) -> CellResult {
        let c = CellCoordinates(dataset: dataset, backbone: backbone, method: method, variant: variant,
                                target: CSVNumber.target(target), seed: seed, finalProtocol: p)
        let ok = status != .notReached
        return CellResult(cell: c.id, profile: "smoke", dataset: dataset, backbone: backbone, method: method, variant: variant,
                          targetSparsity: target, lambda: method == "ciess" ? lambda : nil, seed: seed, finalProtocol: p,
                          protocolLabel: p == "code" ? "P-code (test-selected)" : "P-clean",
                          status: status, achievedSparsity: ok ? (sparsity ?? (target ?? 0.7) + 0.001) : nil,
                          valid: ok ? metrics(r20, n20) : nil, test: ok ? metrics(r20, n20) : nil,
                          bestChunk: ok ? 2 : nil, chunksRun: ok ? 4 : nil,
                          fixedChunkTest: kstar.map { FixedChunkTest(chunk: $0, test: metrics(r20 - 0.01, n20 - 0.01)) }, audit: nil,
                          searchDirectory: "search/\(dataset)/\(backbone)/\(method)/\(variant)/seed\(seed)", configHash: "cfg\(seed)",
                          rawDigest: "raw-\(dataset)", splitDigest: split,
                          provenance: Provenance(gitCommit: commit, gitDirty: false, commitSource: "build", toolchain: "swift 6.3",
                                                 machine: "box", cpu: "cpu x2", threads: 1),
                          wallSeconds: Double(seed) * 13.7)
    }

    static func write(_ r: CellResult, in profile: URL) throws {
        let url = profile.appendingPathComponent("cells/\(r.cell)/result.json")
        try AtomicFile.write(JSONOutput.encodeRaw(r), to: url)
    }

    static func writeFailure(_ id: String, in profile: URL, root: String = "cells") throws {
        let f = CellFailure(cell: id, stage: root == "cells" ? "retrain" : "search", exitStatus: 3,
                            logTail: ["training…", "fatal: out of memory"], time: "2026-01-01T00:00:00Z")
        try AtomicFile.write(JSONOutput.encodeRaw(f), to: profile.appendingPathComponent("\(root)/\(id)/failed.json"))
    }

    /// One history line in the plain (camelCase) encoding `CIESSSearch.readHistory` reads.
    static func historyLine(episode: Int, iteration: Int, reward: Double, action: Double) -> String {
        let spread = #"{"mean":0.5,"min":0.1,"max":0.9}"#
        return """
            {"episode":\(episode),"iteration":\(iteration),"noise":"gaussian","epsilon":0.1,"protoUsers":\(spread),\
            "protoItems":\(spread),"actionMeanUsers":\(action + 1),"actionMeanItems":\(action - 1),"actionMean":\(action),\
            "density":\(action / 128),"evalMeanUsers":0.2,"evalMeanItems":0.2,"qMeanUsers":0.5,"qMeanItems":0.5,\
            "rewardMeanUsers":\(reward),"rewardMeanItems":\(reward),"avgReward":\(reward),"validAVG":0.3,"recall5":0.1,\
            "recall10":0.15,"recall20":0.2,"ndcg5":0.3,"ndcg10":0.3,"ndcg20":0.3,"trainLoss":0.5,"criticLossUsers":null,\
            "criticLossItems":null,"actorLossUsers":null,"actorLossItems":null,"trainSeconds":1.5,"evalSeconds":0.5,\
            "sizesFile":"sizes/e\(episode)-i\(iteration).bin"}
            """
    }

    /// A finished search with `episodes` × `iterations` records.
    static func writeSearch(dataset: String, variant: String, seed: UInt64, episodes: Int, iterations: Int,
                            in profile: URL, done: Bool = true, slope: Double = 1) throws {
        let dir = profile.appendingPathComponent("search/\(dataset)/lightgcn/ciess/\(variant)/seed\(seed)")
        var lines: [String] = []
        for e in 0..<episodes {
            for i in 0..<iterations {
                let t = Double(e * iterations + i)
                lines.append(historyLine(episode: e, iteration: i, reward: 0.1 + 0.01 * t * slope + 0.001 * Double(seed),
                                         action: 100 - t * slope - Double(seed)))
            }
        }
        try AtomicFile.write(Data((lines.joined(separator: "\n") + "\n").utf8), to: dir.appendingPathComponent("history.jsonl"))
        if done { try AtomicFile.write(Data("{}".utf8), to: dir.appendingPathComponent("search.json")) }
    }

    /// The paper's numbers (`experiments/reported`) of this repository.
    static var reported: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../experiments/reported").standardized
    }

    /// Every aggregated CSV of `profile`, against the repository's paper numbers.
    @discardableResult
    static func aggregate(_ profile: URL) throws -> [(name: String, rows: Int)] {
        try ResultAggregator.run(profileDirectory: profile, reportedDirectory: reported)
    }

    /// A fresh `<tmp>/report-tests-<uuid>/smoke`, removed when `test` ends.
    static func temporaryProfile(_ test: XCTestCase) throws -> URL {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("report-tests-\(UUID().uuidString)")
        let url = base.appendingPathComponent("smoke")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        test.addTeardownBlock { try? FileManager.default.removeItem(at: base) }
        return url
    }

    /// A deterministic value in [0, 1) from a string (to vary the fixture's numbers).
    static func jitter(_ s: String) -> Double {
        var h: UInt64 = 1469598103934665603
        for b in s.utf8 { h = (h ^ UInt64(b)) &* 1099511628211 }
        return Double(h % 10_000) / 10_000
    }

    /// A grid resembling a small profile: every table and figure gets rows.
    static func writeLargeGrid(in profile: URL) throws {
        let targets = [0.8, 0.9, 0.95]
        for (ds, scale) in [("ml-1m", 1.0), ("yelp2018", 0.33)] {
            for bb in ["lightgcn", "ngcf", "neumf"] {
                for c in targets {
                    for seed: UInt64 in 1...3 {
                        for p in ["clean", "code"] {
                            for (m, v, base) in [("ciess", "g-rw", 0.24), ("pep", "default", 0.21), ("es", "default", 0.22),
                                                 ("mr", "default", 0.20)] {
                                let j = jitter("\(ds)\(bb)\(c)\(seed)\(p)\(m)")
                                let r20 = scale * (base - (c - 0.8) * 0.3 + 0.01 * j + (p == "code" ? 0.01 : 0))
                                try write(result(dataset: ds, backbone: bb, method: m, variant: v, target: c, seed: seed,
                                                 protocol: p, r20: r20, n20: r20 * 1.7,
                                                 sparsity: m == "mr" ? c + 0.01 * j : c + 0.004), in: profile)
                            }
                        }
                    }
                }
            }
            // The uncontrolled methods: one cell per seed and protocol, at the sparsity they reach.
            for seed: UInt64 in 1...3 {
                for p in ["clean", "code"] {
                    for (m, base, reached) in [("esapn", 0.235, 0.74), ("optembed", 0.225, 0.81)] {
                        for bb in ["lightgcn", "ngcf", "neumf"] {
                            let j = jitter("\(ds)\(bb)\(seed)\(p)\(m)")
                            let r20 = scale * (base + 0.01 * j + (p == "code" ? 0.01 : 0))
                            try write(result(dataset: ds, backbone: bb, method: m, variant: "default", target: nil, seed: seed,
                                             protocol: p, r20: r20, n20: r20 * 1.7, sparsity: reached + 0.02 * j), in: profile)
                        }
                    }
                }
            }
            for seed: UInt64 in 1...2 {
                for v in ["ou-rw", "u-rw", "g-norw"] {
                    for c in targets {
                        let r20 = scale * (0.23 - (c - 0.8) * 0.3 + 0.01 * jitter("\(ds)\(v)\(c)\(seed)"))
                        try write(result(dataset: ds, variant: v, target: c, seed: seed, r20: r20, n20: r20 * 1.7), in: profile)
                    }
                }
                for l in (ds == "ml-1m" ? [0.2, 0.6, 0.8] : [0.1, 0.3]) {
                    for c in targets {
                        let r20 = scale * (0.22 - (c - 0.8) * 0.3 + 0.01 * jitter("\(ds)\(l)\(c)\(seed)"))
                        try write(result(dataset: ds, variant: "g-rw-l\(CSVNumber.lambda(l))", target: c, lambda: l, seed: seed,
                                         r20: r20, n20: r20 * 1.7), in: profile)
                    }
                }
                for k in 1...5 {
                    for c in targets {
                        let reached = !(c == 0.95 && k < 3)
                        let r20 = scale * (0.2 + 0.005 * Double(k) - (c - 0.8) * 0.3)
                        try write(result(dataset: ds, variant: "g-rw-i\(k)", target: c, seed: seed,
                                         status: reached ? .ok : .notReached, r20: r20, n20: r20 * 1.7), in: profile)
                    }
                }
                for v in ["g-rw", "g-norw"] {
                    try writeSearch(dataset: ds, variant: v, seed: seed, episodes: 30, iterations: 3, in: profile,
                                    slope: v == "g-rw" ? 1 : 0.5)
                }
            }
        }
        try writeFailure("yelp2018/ngcf/es/default/c0.95/seed4/clean", in: profile)
        try write(result(dataset: "ml-1m", backbone: "ngcf", method: "mr", variant: "default", target: 0.95, seed: 9,
                         protocol: "clean", status: .overBudget, sparsity: 0.94), in: profile)
    }
}

final class ReportFixtureTests: XCTestCase {
    /// Opt-in: writes the large fixture grid and its CSVs where REPORT_FIXTURE_OUT points.
    func testWriteLargeFixtureWhenAsked() throws {
        guard let out = ProcessInfo.processInfo.environment["REPORT_FIXTURE_OUT"], !out.isEmpty else {
            throw XCTSkip("set REPORT_FIXTURE_OUT to write the development fixture")
        }
        let dir = URL(fileURLWithPath: out)
        try? FileManager.default.removeItem(at: dir)
        try ReportFixture.writeLargeGrid(in: dir)
        try ReportFixture.aggregate(dir)
    }
}
