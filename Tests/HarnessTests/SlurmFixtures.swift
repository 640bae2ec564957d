import Foundation
@testable import Harness

/// Fakes and helpers for the Slurm* tests (tiny plan: PlanFixtures).
enum SlurmFixtures {
    /// Answers sbatch with consecutive job ids from 100 and squeue/sacct with fixed text; records every call.
    final class FakeRunner: SlurmCommandRunner {
        var calls: [(String, [String])] = []
        var nextJob = 100
        var failSbatchAt: Int?
        var outputs: [String: SlurmCommandOutput] = [:]

        func run(_ command: String, _ arguments: [String]) throws -> SlurmCommandOutput {
            calls.append((command, arguments))
            if command == "sbatch" {
                let n = calls.filter { $0.0 == "sbatch" }.count
                if n == failSbatchAt { return SlurmCommandOutput(status: 1, stdout: "", stderr: "sbatch: error: invalid partition\n") }
                defer { nextJob += 1 }
                return SlurmCommandOutput(status: 0, stdout: "\(nextJob)\n", stderr: "")
            }
            return outputs[command] ?? SlurmCommandOutput(status: 1, stdout: "", stderr: "\(command): not configured\n")
        }

        var sbatchCalls: [[String]] { calls.filter { $0.0 == "sbatch" }.map(\.1) }
    }

    static func context(_ dir: URL, profile: String = "tiny") -> SlurmScriptContext {
        SlurmScriptContext(profile: profile, profiles: "/repo/experiments/profiles.json", results: dir.path, workingDirectory: "/repo",
                           ciess: "/repo/.build-release/release/ciess",
                           submissionDirectory: dir.appendingPathComponent("\(profile)/slurm/20260101T000000Z-abcd").path,
                           threadsPerCell: 1)
    }

    /// Marks a search finished (search.json and candidates.json).
    static func finish(_ s: SearchID, _ layout: ResultLayout) throws {
        let dir = layout.directory(s)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try Data("{}".utf8).write(to: dir.appendingPathComponent("search.json"))
        try Data("[]".utf8).write(to: dir.appendingPathComponent("candidates.json"))
    }

    /// Writes a valid result.json for a cell (as CellRunner would).
    static func finish(_ c: CellID, _ plan: ExperimentPlan, _ layout: ResultLayout) throws {
        let r = CellResult(
            cell: c.description, profile: plan.profileName, dataset: c.dataset, backbone: c.backbone, method: c.method,
            variant: c.variant, targetSparsity: c.target, lambda: nil, seed: c.seed, finalProtocol: c.finalProtocol,
            protocolLabel: c.finalProtocol, status: .notReached, achievedSparsity: nil, valid: nil, test: nil, bestChunk: nil,
            chunksRun: nil, audit: nil, searchDirectory: ResultLayout.relativeSearchPath(c.search),
            configHash: plan.settings(c).configHash, rawDigest: "r", splitDigest: "s",
            provenance: .current(threads: 1), wallSeconds: 0)
        try CellRunner.writeJSON(r, to: layout.doneFile(.cell(c)))
    }

    static func queue(_ states: [String: String]) -> SlurmQueue {
        var q: [SlurmTaskRef: SlurmTaskState] = [:]
        for (id, s) in states { q[SlurmStateParser.expand(jobID: id)![0]] = SlurmTaskState(state: s, detail: "") }
        return SlurmQueue(states: q, notes: [])
    }
}
