import Foundation
import XCTest
import RecData
@testable import Harness

/// One writer per stage: `ciess run` on a stage another process writes is refused with the holder, before any work.
final class StageLockTests: XCTestCase {
    func testASecondRunOfOneStageIsRefused() throws {
        let plan = try PlanFixtures.plan()
        let root = try PlanFixtures.temporaryDirectory()
        let layout = ResultLayout(resultsDirectory: root, profile: "tiny")
        let runner = CellRunner(plan: plan, layout: layout)
        for id in [StageID.search(plan.searches[0]), .cell(plan.cells[0])] {
            let held = try FileLock.acquire(FileLock.lockFile(for: layout.directory(id)), wait: false)
            XCTAssertThrowsError(try runner.run(id, load: { _ in XCTFail("no work may start"); throw CancellationError() }, progress: nil)) { e in
                XCTAssertTrue(e is FileLockError, "\(e)")
                XCTAssertTrue("\(e)".contains("pid \(getpid())"), "\(e)")
            }
            held.release()
        }
    }

    /// --restart moves the stage's directory aside (nothing deleted) before running.
    func testRestartMovesTheStateAside() throws {
        let plan = try PlanFixtures.plan()
        let root = try PlanFixtures.temporaryDirectory()
        let layout = ResultLayout(resultsDirectory: root, profile: "tiny")
        let runner = CellRunner(plan: plan, layout: layout)
        let search = plan.searches.first { $0.method == "es" }!
        let dir = layout.directory(search)
        try AtomicFile.write(Data("garbled\n".utf8), to: dir.appendingPathComponent("history.jsonl"))
        let moved = try XCTUnwrap(try runner.setAside(dir))
        XCTAssertTrue(moved.lastPathComponent.hasPrefix("seed1.set-aside-"), moved.path)
        XCTAssertEqual(try String(contentsOf: moved.appendingPathComponent("history.jsonl"), encoding: .utf8), "garbled\n")
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir.path))
        XCTAssertNil(try runner.setAside(dir))
    }
}
