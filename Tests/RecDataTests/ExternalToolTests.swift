import Foundation
import XCTest
@testable import RecData

/// The one process launcher: output, status, environment, and pipes that fill up.
final class ExternalToolTests: XCTestCase {
    func testCapturesStdoutStderrAndStatus() throws {
        let r = try ExternalTool.launch("sh", ["-c", "printf 'out\\n'; printf 'err\\n' >&2; exit 3"])
        XCTAssertEqual(r, ToolResult(status: 3, stdout: Data("out\n".utf8), stderr: Data("err\n".utf8)))
    }

    func testInheritsTheEnvironmentWithOverridesAndRunsInADirectory() throws {
        setenv("CIESS_TOOL_TEST_INHERITED", "kept", 1)
        defer { unsetenv("CIESS_TOOL_TEST_INHERITED") }
        let dir = FileManager.default.temporaryDirectory.resolvingSymlinksInPath()
        let r = try ExternalTool.launch("sh", ["-c", "printf '%s %s %s' \"$CIESS_TOOL_TEST_INHERITED\" \"$CIESS_TOOL_TEST_SET\" \"$(pwd -P)\""],
                                        environment: ["CIESS_TOOL_TEST_SET": "set"], currentDirectory: dir)
        XCTAssertEqual(String(decoding: r.stdout, as: UTF8.self), "kept set \(dir.path)")
    }

    func testStandardInputIsEmpty() throws {
        XCTAssertEqual(try ExternalTool.launch("wc", ["-c"]).stdout, Data("0\n".utf8))
    }

    func testMissingToolExits127() throws {
        XCTAssertEqual(try ExternalTool.launch("ciess-no-such-tool", []).status, 127)
    }

    /// 1 MiB on each pipe at once: neither may block the other.
    func testLargeOutputOnBothPipes() throws {
        let r = try ExternalTool.launch("sh", ["-c", "head -c 1048576 /dev/zero >&2; head -c 1048576 /dev/zero"])
        XCTAssertEqual(r.status, 0)
        XCTAssertEqual(r.stdout.count, 1 << 20)
        XCTAssertEqual(r.stderr.count, 1 << 20)
    }

    func testRunThrowsWithCommandStatusAndStderrTail() throws {
        XCTAssertEqual(try ExternalTool.run("sh", ["-c", "printf ok"]), Data("ok".utf8))
        XCTAssertThrowsError(try ExternalTool.run("sh", ["-c", "echo broken >&2; exit 2"])) { e in
            guard case DataError.tool(let command, let status, let stderr) = e else { return XCTFail("\(e)") }
            XCTAssertEqual(command, "sh -c echo broken >&2; exit 2")
            XCTAssertEqual(status, 2)
            XCTAssertEqual(stderr, "broken\n")
        }
    }
}
