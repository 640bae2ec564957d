import Foundation
import XCTest
@testable import Harness

/// squeue/sacct parsing (incl. malformed lines), the merged queue, and the status lines.
final class SlurmStateTests: XCTestCase {
    func ref(_ s: String) -> SlurmTaskRef { SlurmStateParser.expand(jobID: s)![0] }

    func testSqueueLines() {
        let p = SlurmStateParser.parse("123_4|RUNNING|None\n125|PENDING|Dependency\n\n 123_5 | PENDING | Resources \n")
        XCTAssertEqual(p.states[ref("123_4")], SlurmTaskState(state: "RUNNING", detail: "None"))
        XCTAssertEqual(p.states[SlurmTaskRef(job: "125", index: nil)]?.detail, "Dependency")
        XCTAssertEqual(p.states[SlurmTaskRef(job: "123", index: 5)]?.state, "PENDING")
        XCTAssertEqual(p.malformed, [])
    }

    func testSacctLinesWithCompressedArraysAndQualifiedStates() {
        let p = SlurmStateParser.parse("200_[1-3,7%2]|PENDING|0:0\n201_0|FAILED|1:0\n202|CANCELLED by 0|0:15\n203_9|OUT_OF_MEMORY|0:125\n")
        XCTAssertEqual(Set(p.states.keys.filter { $0.job == "200" }.compactMap(\.index)), [1, 2, 3, 7])
        XCTAssertEqual(p.states[SlurmTaskRef(job: "202", index: nil)], SlurmTaskState(state: "CANCELLED", detail: "0:15"))
        XCTAssertTrue(p.states[ref("201_0")]!.isFailed)
        XCTAssertTrue(p.states[ref("203_9")]!.isFailed)
        XCTAssertTrue(p.states[ref("200_7")]!.isActive)
        XCTAssertFalse(SlurmTaskState(state: "COMPLETED", detail: "").isFailed)
        XCTAssertFalse(SlurmTaskState(state: "COMPLETED", detail: "").isActive)
    }

    func testMalformedLinesAreSkippedAndCounted() {
        let bad = ["garbage", "1_2|RUNNING", "1_2|RUNNING|x|y", "abc_1|RUNNING|None", "1_x|RUNNING|None", "1_[3-1]|PENDING|x",
                   "1_[2-|PENDING|x", "1_2.batch|COMPLETED|0:0", "1_2|running|None", "1_2||None", "_2|RUNNING|None",
                   "1_[0-999999]|PENDING|x", "1_-3|RUNNING|None"]
        let p = SlurmStateParser.parse((bad + ["9_1|COMPLETED|0:0"]).joined(separator: "\n"))
        XCTAssertEqual(p.malformed, bad)
        XCTAssertEqual(p.states.count, 1)
    }

    func testQueueOverlaysSqueueOnSacctAndKeepsOnlyOurJobs() {
        let fake = SlurmFixtures.FakeRunner()
        fake.outputs["sacct"] = SlurmCommandOutput(status: 0, stdout: "10_0|COMPLETED|0:0\n10_1|FAILED|2:0\n11_0|RUNNING|0:0\nbroken\n", stderr: "")
        fake.outputs["squeue"] = SlurmCommandOutput(status: 0, stdout: "11_0|COMPLETING|None\n99_0|RUNNING|None\n", stderr: "")
        let q = SlurmQueue.query(jobIDs: ["10", "11"], runner: fake)
        XCTAssertEqual(q.state(ref("10_1"))?.state, "FAILED")
        XCTAssertEqual(q.state(ref("11_0"))?.state, "COMPLETING")
        XCTAssertNil(q.state(ref("99_0")))
        XCTAssertEqual(q.notes, ["sacct: 1 unparsable lines skipped"])
        XCTAssertEqual(fake.calls.first { $0.0 == "sacct" }?.1.last, "10,11")
    }

    func testQueueWithoutAccountingOrWithoutSlurm() {
        let fake = SlurmFixtures.FakeRunner()
        fake.outputs["sacct"] = SlurmCommandOutput(status: 1, stdout: "", stderr: "Slurm accounting storage is disabled\n")
        fake.outputs["squeue"] = SlurmCommandOutput(status: 0, stdout: "5|PENDING|Dependency\n", stderr: "")
        let q = SlurmQueue.query(jobIDs: ["5"], runner: fake)
        XCTAssertEqual(q.notes, ["sacct: Slurm accounting storage is disabled"])
        XCTAssertEqual(q.state(SlurmTaskRef(job: "5", index: 3))?.state, "PENDING", "an array task falls back to its job's line")
        XCTAssertTrue(SlurmQueue.query(jobIDs: [], runner: fake).states.isEmpty)
        XCTAssertEqual(SlurmQueue.query(jobIDs: ["5"], runner: SlurmFixtures.FakeRunner()).notes,
                       ["sacct: sacct: not configured", "squeue: squeue: not configured"])
    }

    func testStatusListsUnfinishedSubmittedStagesAndHistoryToleratesBrokenRecords() throws {
        let plan = try PlanFixtures.plan()
        let layout = ResultLayout(resultsDirectory: try PlanFixtures.temporaryDirectory(), profile: "tiny")
        let es = plan.searches.first { $0.method == "es" }!
        let cell = plan.cells.first { $0.search == es }!
        try SlurmFixtures.finish(es, layout)
        let dir = SlurmHistory.directory(layout).appendingPathComponent("20260101T000000Z-aaaa")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try Data("\(es)\n\(cell)\n".utf8).write(to: dir.appendingPathComponent("tasks.txt"))
        let record = SlurmRecord(submission: "20260101T000000Z-aaaa", profile: "tiny", created: "t", arrays: [
            .init(name: "search", kind: .search, first: 0, last: 0, dependency: "", jobID: "7"),
            .init(name: "retrain-after-0", kind: .retrain, first: 1, last: 1, dependency: "afterok:7_0", jobID: "8"),
        ], aggregateJobID: "9")
        try record.write(to: dir)
        let broken = SlurmHistory.directory(layout).appendingPathComponent("20260102T000000Z-bbbb")
        try FileManager.default.createDirectory(at: broken, withIntermediateDirectories: true)
        try Data("{not json".utf8).write(to: broken.appendingPathComponent("submission.json"))
        let history = SlurmHistory(layout: layout)
        XCTAssertEqual(history.jobIDs, ["7", "8", "9"])
        XCTAssertEqual(history.unreadable, [broken.path])
        let status = SlurmStatus(report: StatusReport(plan: plan, layout: layout), history: history,
                                 queue: SlurmFixtures.queue(["8_1": "CANCELLED"]))
        XCTAssertEqual(status.finished, 1)
        XCTAssertEqual(status.rows, [SlurmStatus.Row(stage: cell.description, task: SlurmTaskRef(job: "8", index: 1), state: "CANCELLED", detail: "")])
        let text = status.render()
        XCTAssertTrue(text.contains("slurm CANCELLED     \(cell)  (task 8_1)"), text)
        XCTAssertTrue(text.contains("slurm: 1 submissions; 1 submitted stages finished, 1 CANCELLED"), text)
        XCTAssertTrue(text.contains("unreadable submission record"), text)
    }
}

/// The real runner, on a stand-in command: exit status, both outputs, and the inherited environment
/// (how `SLURM_CONF` and `SBATCH_*` reach sbatch).
final class ProcessSlurmCommandRunnerTests: XCTestCase {
    func testRunsOnPathWithTheEnvironment() throws {
        setenv("SBATCH_CIESS_TEST", "from-env", 1)
        defer { unsetenv("SBATCH_CIESS_TEST") }
        let out = try ProcessSlurmCommandRunner().run("sh", ["-c", "printf '%s' \"$SBATCH_CIESS_TEST\"; echo no >&2; exit 4"])
        XCTAssertEqual(out, SlurmCommandOutput(status: 4, stdout: "from-env", stderr: "no\n"))
        XCTAssertEqual(try ProcessSlurmCommandRunner().run("ciess-no-such-sbatch", []).status, 127)
    }
}
