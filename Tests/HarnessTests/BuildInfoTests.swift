import XCTest
@testable import Harness

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
