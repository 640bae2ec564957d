import Foundation
import XCTest
@testable import Harness

/// The plan → arrays layout, the selection of stages, and the sbatch calls (fake runner).
final class SlurmSubmissionTests: XCTestCase {
    func layout() throws -> (ExperimentPlan, ResultLayout) {
        (try PlanFixtures.plan(), ResultLayout(resultsDirectory: try PlanFixtures.temporaryDirectory(), profile: "tiny"))
    }

    func select(_ plan: ExperimentPlan, _ layout: ResultLayout, latest: [String: SlurmTaskRef] = [:],
                queue: SlurmQueue = SlurmQueue(states: [:], notes: []), mode: SlurmSelection.Mode = .pending) -> SlurmSelection {
        SlurmSelection(report: StatusReport(plan: plan, layout: layout), latestTask: latest, queue: queue, mode: mode)
    }

    func testEveryCellWaitsForItsOwnSearchTask() throws {
        let (plan, layout) = try layout()
        let sub = SlurmSubmission(select(plan, layout))
        XCTAssertEqual(sub.tasks.count, plan.searches.count + plan.cells.count)
        XCTAssertEqual(sub.arrays[0].name, "search")
        XCTAssertEqual(sub.arrays[0].range, 0...(plan.searches.count - 1))
        XCTAssertNil(sub.arrays[0].dependency)
        var covered = 0
        for a in sub.arrays.dropFirst() {
            XCTAssertEqual(a.kind, .retrain)
            guard case .searchTask(let k)? = a.dependency else { return XCTFail("\(a.name) has no search dependency") }
            for i in a.range {
                guard case .cell(let c) = sub.tasks[i] else { return XCTFail("task \(i) of \(a.name) is not a cell") }
                XCTAssertEqual(StageID.search(c.search), sub.tasks[k], "task \(i) waits for the wrong search")
                covered += 1
            }
        }
        XCTAssertEqual(covered, plan.cells.count)
        // Contiguous, non-overlapping ranges over the whole task list.
        XCTAssertEqual(sub.arrays.map(\.range.lowerBound).dropFirst(), sub.arrays.map { $0.range.upperBound + 1 }.dropLast())
        XCTAssertEqual(sub.taskList.split(separator: "\n").count, sub.tasks.count)
    }

    func testFinishedStagesAreSkippedAndReadyCellsHaveNoDependency() throws {
        let (plan, layout) = try layout()
        let es = plan.searches.first { $0.method == "es" }!
        try SlurmFixtures.finish(es, layout)
        let esCells = plan.cells.filter { $0.search == es }
        try SlurmFixtures.finish(esCells[0], plan, layout)
        let selection = select(plan, layout)
        XCTAssertFalse(selection.searches.contains(es))
        XCTAssertFalse(selection.cells.contains(esCells[0]))
        XCTAssertEqual(selection.skipped[SlurmSelection.finished], 2)
        let sub = SlurmSubmission(selection)
        let ready = try XCTUnwrap(sub.arrays.first { $0.name == "retrain" })
        XCTAssertNil(ready.dependency)
        XCTAssertEqual(Set(ready.range.map { sub.tasks[$0] }), Set(esCells.dropFirst().map(StageID.cell)))
    }

    func testOnlyFailedTakesFailedStagesAndTheCellsOfAFailedSearch() throws {
        let (plan, layout) = try layout()
        let es = plan.searches.first { $0.method == "es" }!
        let mr = plan.searches.first { $0.method == "mr" }!
        try SlurmFixtures.finish(es, layout)
        let failedCell = plan.cells.first { $0.search == es }!
        let cancelledCell = plan.cells.last { $0.search == es }!
        try CellRunner.recordFailure(.cell(failedCell), layout: layout, exitStatus: 143, log: nil)
        try CellRunner.recordFailure(.search(mr), layout: layout, exitStatus: 1, log: nil)
        // A task Slurm cancelled without a failed.json (killed before its trap ran).
        let latest = [cancelledCell.description: SlurmTaskRef(job: "7", index: 3)]
        let selection = select(plan, layout, latest: latest, queue: SlurmFixtures.queue(["7_3": "CANCELLED"]), mode: .onlyFailed)
        XCTAssertEqual(selection.searches, [mr])
        XCTAssertEqual(Set(selection.cells), Set([failedCell, cancelledCell] + plan.cells.filter { $0.search == mr }))
        XCTAssertGreaterThan(selection.skipped[SlurmSelection.notFailed] ?? 0, 0)
    }

    func testOnlyFailedWithNothingFailedIsEmpty() throws {
        let (plan, layout) = try layout()
        XCTAssertTrue(select(plan, layout, mode: .onlyFailed).isEmpty)
    }

    func testQueuedStagesAreNotSentTwiceAndCellsWaitForAQueuedSearch() throws {
        let (plan, layout) = try layout()
        let es = plan.searches.first { $0.method == "es" }!
        let cell = plan.cells.first { $0.search == es }!
        let latest = [es.description: SlurmTaskRef(job: "50", index: 2), cell.description: SlurmTaskRef(job: "51", index: 9)]
        let selection = select(plan, layout, latest: latest, queue: SlurmFixtures.queue(["50_2": "RUNNING", "51_9": "PENDING"]))
        XCTAssertFalse(selection.searches.contains(es))
        XCTAssertFalse(selection.cells.contains(cell))
        XCTAssertEqual(selection.skipped[SlurmSelection.active], 2)
        XCTAssertEqual(selection.activeSearches[es], SlurmTaskRef(job: "50", index: 2))
        let sub = SlurmSubmission(selection)
        let waiting = try XCTUnwrap(sub.arrays.first { $0.dependency == .task(SlurmTaskRef(job: "50", index: 2)) })
        XCTAssertEqual(waiting.name, "retrain-after-50_2")
        XCTAssertEqual(SlurmSubmission.dependency(waiting.dependency, searchJob: "99"), "afterok:50_2")
    }

    func testSubmitRunsSbatchWithDependenciesResourcesAndPassthrough() throws {
        let (plan, layout) = try layout()
        let sub = SlurmSubmission(select(plan, layout))
        let ctx = SlurmFixtures.context(layout.root.deletingLastPathComponent())
        var resources = SlurmProfileResources.defaults(threadsPerCell: 1)
        resources.search = SlurmResources(cpus: 2, memory: "6G", time: "03:00:00")
        let submitter = SlurmSubmitter(submission: sub, context: ctx, resources: resources,
                                       passthrough: SbatchPassthrough(partition: "gpu", account: "proj1", extra: ["--qos=long"]))
        let fake = SlurmFixtures.FakeRunner()
        let record = try submitter.submit(runner: fake, submissionID: "20260101T000000Z-abcd")
        let calls = fake.sbatchCalls
        XCTAssertEqual(calls.count, sub.arrays.count + 1)
        XCTAssertEqual(calls[0], ["--parsable", "--job-name=ciess-tiny-search", "--array=0-\(plan.searches.count - 1)",
                                  "--partition=gpu", "--account=proj1", "--qos=long", "\(ctx.submissionDirectory)/search.sbatch"])
        XCTAssertTrue(calls[1].contains("--dependency=afterok:100_0"), "\(calls[1])")
        XCTAssertTrue(calls[1].last!.hasSuffix("/retrain.sbatch"))
        let jobs = (100..<(100 + sub.arrays.count)).map(String.init)
        XCTAssertTrue(calls.last!.contains("--dependency=afterany:" + jobs.joined(separator: ":")))
        XCTAssertEqual(record.aggregateJobID, String(100 + sub.arrays.count))
        XCTAssertEqual(record.arrays.map(\.jobID), jobs)

        let dir = URL(fileURLWithPath: ctx.submissionDirectory)
        XCTAssertEqual(try String(contentsOf: dir.appendingPathComponent("tasks.txt"), encoding: .utf8), sub.taskList)
        let search = try String(contentsOf: dir.appendingPathComponent("search.sbatch"), encoding: .utf8)
        XCTAssertTrue(search.contains("#SBATCH --cpus-per-task=2\n#SBATCH --mem=6G\n#SBATCH --time=03:00:00\n"))
        let retrain = try String(contentsOf: dir.appendingPathComponent("retrain.sbatch"), encoding: .utf8)
        XCTAssertTrue(retrain.contains("#SBATCH --time=12:00:00\n"))
        XCTAssertTrue(FileManager.default.fileExists(atPath: dir.appendingPathComponent("out").path))

        // The record maps every task back to its stage: the history of the profile.
        let history = SlurmHistory(layout: layout)
        XCTAssertEqual(history.records, [record])
        XCTAssertEqual(history.latestTask[plan.searches[0].description], SlurmTaskRef(job: "100", index: 0))
        XCTAssertEqual(history.latestTask.count, sub.tasks.count)
    }

    func testAFailedSbatchKeepsTheJobsAlreadyAccepted() throws {
        let (plan, layout) = try layout()
        let sub = SlurmSubmission(select(plan, layout))
        let ctx = SlurmFixtures.context(layout.root.deletingLastPathComponent())
        let fake = SlurmFixtures.FakeRunner()
        fake.failSbatchAt = 2
        let submitter = SlurmSubmitter(submission: sub, context: ctx, resources: .defaults(threadsPerCell: 1), passthrough: .init())
        XCTAssertThrowsError(try submitter.submit(runner: fake, submissionID: "x")) { e in
            XCTAssertEqual("\(e)", "sbatch for the \(sub.arrays[1].name) array exited with status 1: sbatch: error: invalid partition")
        }
        let history = SlurmHistory(layout: layout)
        XCTAssertEqual(history.records.first?.arrays.compactMap(\.jobID), ["100"])

        // Rejected at once: no record at all.
        let first = SlurmFixtures.FakeRunner()
        first.failSbatchAt = 1
        let other = SlurmFixtures.context(layout.root.deletingLastPathComponent(), profile: "other")
        let s2 = SlurmSubmitter(submission: sub, context: other, resources: .defaults(threadsPerCell: 1), passthrough: .init())
        XCTAssertThrowsError(try s2.submit(runner: first, submissionID: "y"))
        XCTAssertFalse(FileManager.default.fileExists(atPath: other.submissionDirectory))
    }

    func testUnparsableSbatchOutputIsAnError() throws {
        final class Garbage: SlurmCommandRunner {
            func run(_ c: String, _ a: [String]) throws -> SlurmCommandOutput { SlurmCommandOutput(status: 0, stdout: "Submitted batch job\n", stderr: "") }
        }
        XCTAssertThrowsError(try SlurmSubmitter.sbatch([], what: "x", runner: Garbage())) { e in
            XCTAssertEqual(e as? SlurmError, .unparsableJobID("Submitted batch job"))
        }
        final class Cluster: SlurmCommandRunner {
            func run(_ c: String, _ a: [String]) throws -> SlurmCommandOutput { SlurmCommandOutput(status: 0, stdout: "4242;cluster2\n", stderr: "") }
        }
        XCTAssertEqual(try SlurmSubmitter.sbatch([], what: "x", runner: Cluster()), "4242")
        final class NoSlurm: SlurmCommandRunner {
            func run(_ c: String, _ a: [String]) throws -> SlurmCommandOutput {
                SlurmCommandOutput(status: 127, stdout: "", stderr: "/usr/bin/env: 'sbatch': No such file or directory\n")
            }
        }
        XCTAssertThrowsError(try SlurmSubmitter.sbatch([], what: "x", runner: NoSlurm())) { XCTAssertEqual($0 as? SlurmError, .sbatchMissing) }
    }

    func testDryRunShowsEveryCommandWithJobVariables() throws {
        let (plan, layout) = try layout()
        let sub = SlurmSubmission(select(plan, layout))
        let submitter = SlurmSubmitter(submission: sub, context: SlurmFixtures.context(layout.root), resources: .defaults(threadsPerCell: 1),
                                       passthrough: SbatchPassthrough(partition: "short"))
        let lines = submitter.dryRunCommands()
        XCTAssertEqual(lines.count, sub.arrays.count + 1)
        XCTAssertTrue(lines[0].hasPrefix("JOB_search=$(sbatch --parsable --job-name=ciess-tiny-search --array=0-"))
        XCTAssertTrue(lines[1].contains("\"--dependency=afterok:${JOB_search}_0\""))
        XCTAssertTrue(lines.allSatisfy { $0.contains("--partition=short") })
        XCTAssertTrue(lines.last!.contains("afterany:${JOB_search}:${JOB_retrain_after_0}"))
        XCTAssertFalse(FileManager.default.fileExists(atPath: SlurmFixtures.context(layout.root).submissionDirectory))
    }

    func testSbatchEnvironmentIsListed() {
        let env = ["SBATCH_PARTITION": "long", "PATH": "/bin", "SBATCH_TIMELIMIT": "10", "SLURM_CONF": "/x"]
        XCTAssertEqual(SbatchPassthrough.environmentOverrides(env), ["SBATCH_PARTITION=long", "SBATCH_TIMELIMIT=10"])
    }
}
