import XCTest
@testable import Harness
import RecData

final class BuildInfoTests: XCTestCase {
    func testReadsTheRecordMakeBuildWrites() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("build-info-\(UUID()).json")
        defer { try? FileManager.default.removeItem(at: url) }
        try #"{"git_commit": "0123abc", "git_dirty": false, "toolchain": "Swift version 6.3.1"}"#
            .write(to: url, atomically: true, encoding: .utf8)
        XCTAssertEqual(BuildInfo.read(url), BuildInfo(gitCommit: "0123abc", gitDirty: false, toolchain: "Swift version 6.3.1"))
        try "not json".write(to: url, atomically: true, encoding: .utf8)
        XCTAssertNil(BuildInfo.read(url))
        XCTAssertNil(BuildInfo.read(url.appendingPathExtension("missing")))
    }
}

/// `Provenance.run`: a command's stdout when it succeeds, nil when it fails or is missing.
final class ProvenanceCommandTests: XCTestCase {
    func testRunGivesStdoutOfASuccessOnly() throws {
        let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().path
        guard let head = Provenance.run("git", ["-C", repo, "rev-parse", "HEAD"]) else { throw XCTSkip("not a git checkout") }
        XCTAssertTrue(Hex.isLowercaseHex(head.trimmingCharacters(in: .whitespacesAndNewlines), length: 40), head)
        XCTAssertNil(Provenance.run("git", ["-C", repo, "no-such-subcommand"]))
        XCTAssertNil(Provenance.run("ciess-no-such-tool", []))
    }
}
