import Foundation
import XCTest
@testable import Harness
import RecData

/// The sbatch script text and the per-profile resources.
final class SlurmScriptTests: XCTestCase {
    func testStageScriptReadsItsStageFromTheTaskListAndRecordsFailures() throws {
        let ctx = SlurmFixtures.context(URL(fileURLWithPath: "/shared/results"))
        let text = SlurmScript.stage(.retrain, resources: SlurmResources(cpus: 1, memory: "4G", time: "30"), context: ctx)
        XCTAssertTrue(text.hasPrefix("#!/bin/bash\n"))
        for needle in ["#SBATCH --cpus-per-task=1", "#SBATCH --mem=4G", "#SBATCH --time=30", "#SBATCH --chdir=/repo",
                       "#SBATCH --kill-on-invalid-dep=yes", "tasks=\(ctx.submissionDirectory)/tasks.txt",
                       "line=$(( SLURM_ARRAY_TASK_ID + 1 ))", "--cell \"$id\" --wait-for-lock", "--record-failure \"$1\" --log \"$log\"",
                       "log=/shared/results/tiny/logs/$name.log", "--results /shared/results", "trap "] {
            XCTAssertTrue(text.contains(needle), "missing: \(needle)")
        }
        try assertBashSyntax(text)
    }

    func testAggregateScriptRunsAggregateReportAndStatus() throws {
        let ctx = SlurmFixtures.context(URL(fileURLWithPath: "/shared/my results"))
        let text = SlurmScript.aggregate(resources: SlurmResources(cpus: 1, memory: "2G", time: "01:00:00"), context: ctx)
        XCTAssertTrue(text.contains("aggregate --profiles /repo/experiments/profiles.json --profile tiny --results '/shared/my results'"))
        XCTAssertTrue(text.contains("status --profiles /repo/experiments/profiles.json --profile tiny"))
        XCTAssertTrue(text.contains("%x-%j.out"))
        try assertBashSyntax(text)
    }

    func testQuote() {
        XCTAssertEqual(SlurmScript.quote("/a/b-c_1.txt"), "/a/b-c_1.txt")
        XCTAssertEqual(SlurmScript.quote("a b"), "'a b'")
        XCTAssertEqual(SlurmScript.quote("it's"), "'it'\\''s'")
        XCTAssertEqual(SlurmScript.quote(""), "''")
    }

    func testResourcesDefaultsAndProfileOverrides() throws {
        let d = SlurmProfileResources.defaults(threadsPerCell: 3)
        XCTAssertEqual(d.search.cpus, 3)
        XCTAssertEqual(d.retrain.cpus, 3)
        XCTAssertEqual(d.aggregate.cpus, 1)
        var profile = PlanFixtures.profileObject()
        profile["slurm"] = ["retrain": ["cpus": 2, "memory": "8G", "time": "2-00:00:00"]]
        let data = try PlanFixtures.data(profile)
        let r = try SlurmProfileResources.load(profilesData: data, profile: "tiny", threadsPerCell: 1, source: "f")
        XCTAssertEqual(r.retrain, SlurmResources(cpus: 2, memory: "8G", time: "2-00:00:00"))
        XCTAssertEqual(r.search, SlurmProfileResources.defaults(threadsPerCell: 1).search)
        XCTAssertEqual(try SlurmProfileResources.load(profilesData: try PlanFixtures.data(PlanFixtures.profileObject()), profile: "tiny",
                                                      threadsPerCell: 1, source: "f"), .defaults(threadsPerCell: 1))
    }

    func testMalformedResourcesAreRejectedWithTheField() throws {
        func load(_ slurm: Any) throws -> SlurmProfileResources {
            var p = PlanFixtures.profileObject()
            p["slurm"] = slurm
            return try SlurmProfileResources.load(profilesData: try PlanFixtures.data(p), profile: "tiny", threadsPerCell: 1, source: "f.json")
        }
        XCTAssertThrowsError(try load(["search": ["cpus": 1, "memory": "4 GB", "time": "1:00:00"]])) {
            XCTAssertEqual("\($0)", "f.json: profiles.tiny.slurm.search.memory must be a Slurm size such as 4G, 500M or 8000 (got '4 GB')")
        }
        XCTAssertThrowsError(try load(["retrain": ["cpus": 0, "memory": "4G", "time": "1:00:00"]])) {
            XCTAssertEqual("\($0)", "f.json: profiles.tiny.slurm.retrain.cpus must be at least 1 (got 0)")
        }
        XCTAssertThrowsError(try load(["aggregate": ["cpus": 1, "memory": "4G", "time": "1h"]])) {
            XCTAssertTrue("\($0)".hasPrefix("f.json: profiles.tiny.slurm.aggregate.time must be a Slurm time limit"))
        }
        XCTAssertThrowsError(try load(["search": ["cpus": 1]])) { XCTAssertTrue("\($0)".contains("is malformed")) }
        XCTAssertThrowsError(try load("fast")) { XCTAssertTrue("\($0)".contains("is malformed")) }
        XCTAssertThrowsError(try SlurmProfileResources.load(profilesData: Data("[]".utf8), profile: "tiny", threadsPerCell: 1, source: "f"))
    }

    func testTimeAndMemoryFormats() {
        for ok in ["30", "30:00", "02:00:00", "1-00", "1-12:00", "2-00:00:00", "1440"] { XCTAssertTrue(SlurmResources.isTimeLimit(ok), ok) }
        for bad in ["", "1h", "1:2:3:4", "-1", "1-", "a-00:00", "1-2-3", "00:60a"] { XCTAssertFalse(SlurmResources.isTimeLimit(bad), bad) }
        for ok in ["4G", "500M", "8000", "1T"] { XCTAssertTrue(SlurmResources.isMemory(ok), ok) }
        for bad in ["", "G", "4GB", "4 G", "-4G"] { XCTAssertFalse(SlurmResources.isMemory(bad), bad) }
    }

    /// `bash -n` on the script text.
    func assertBashSyntax(_ text: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let url = try PlanFixtures.temporaryDirectory().appendingPathComponent("script.sh")
        try Data(text.utf8).write(to: url)
        let r = try ExternalTool.launch("bash", ["-n", url.path])
        XCTAssertEqual(r.status, 0, "bash -n rejects the script: \(String(decoding: r.stderr, as: UTF8.self))",
                       file: file, line: line)
    }
}
