import Foundation
import XCTest
import RecData
import Recommenders
@testable import SizeSearch

/// A finished search's files are checked when read back: a damaged history line, a record deleted from
/// the middle, a damaged candidates file or one pointing outside the search directory, a damaged checkpoint.
final class SearchStateIntegrityTests: XCTestCase {
    static let finished: URL = {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("integrity-\(UUID())")
        _ = try! CIESSSearch(configuration: CIESSSearchResumeTests.config(), directory: dir).run(dataset: CIESSSearchResumeTests.tinyDataset())
        try! CIESSCandidates.write(searchDirectory: dir, targets: [0.2, 0.5])
        return dir
    }()

    func copy() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("integrity-copy-\(UUID())")
        try FileManager.default.copyItem(at: Self.finished, to: dir)
        addTeardownBlock { try? FileManager.default.removeItem(at: dir) }
        return dir
    }

    func testHistoryLinesCarryChecksumsAndADamagedLineIsRefused() throws {
        let dir = try copy()
        let url = dir.appendingPathComponent("history.jsonl")
        var lines = try String(contentsOf: url, encoding: .utf8).split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.count, 6)
        XCTAssertTrue(lines.allSatisfy { $0.contains("\"line_sha256\":\"") })
        XCTAssertEqual(try CIESSSearch.readHistory(url).count, 6)
        // A digit changed inside line 3: valid JSON, wrong content.
        let i = lines[2].firstIndex(where: { $0.isNumber })!
        lines[2].replaceSubrange(i...i, with: lines[2][i] == "1" ? "2" : "1")
        try (lines.joined(separator: "\n") + "\n").write(to: url, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try CIESSSearch.readHistory(url)) { e in
            XCTAssertTrue("\(e)".contains("history.jsonl:3"), "\(e)")
            XCTAssertTrue("\(e)".contains("does not match its checksum"), "\(e)")
        }
    }

    func testARecordDeletedFromTheMiddleIsRefused() throws {
        let dir = try copy()
        let url = dir.appendingPathComponent("history.jsonl")
        for drop in [1, 2, 3] {   // the last of episode 0, the first of episode 1, the last of episode 1
            var lines = try String(contentsOf: Self.finished.appendingPathComponent("history.jsonl"), encoding: .utf8)
                .split(separator: "\n").map(String.init)
            lines.remove(at: drop)
            try (lines.joined(separator: "\n") + "\n").write(to: url, atomically: true, encoding: .utf8)
            XCTAssertThrowsError(try CIESSSearch.readHistory(url), "line \(drop + 1) deleted") { e in
                XCTAssertTrue("\(e)".contains("a record is missing or out of order"), "\(e)")
            }
        }
    }

    func testCandidatesAreCheckedOnRead() throws {
        let dir = try copy()
        let url = dir.appendingPathComponent(CIESSCandidates.fileName)
        XCTAssertFalse(try CIESSCandidates.read(file: url).isEmpty)
        let good = try Data(contentsOf: url)
        // Damaged (checksum sidecar no longer matches).
        try Data(String(decoding: good, as: UTF8.self).replacingOccurrences(of: "\"episode\" : 0", with: "\"episode\" : 1").utf8).write(to: url)
        XCTAssertThrowsError(try CIESSCandidates.read(file: url)) { XCTAssertTrue("\($0)".contains("checksum"), "\($0)") }
        // A path outside the search directory, even with a matching checksum, is never followed.
        for evil in ["../../../../etc/passwd", "/etc/passwd", "sizes/../../x.bin"] {
            var selections = try SearchHistoryFile.decoder().decode([CIESSCandidates.Selection].self, from: good)
            selections[0].candidates[0].sizesFile = evil
            try CIESSCandidates.save(selections, to: url)
            XCTAssertThrowsError(try CIESSCandidates.read(file: url), evil) {
                XCTAssertTrue("\($0)".contains("leaves the search directory"), "\($0)")
            }
        }
    }

    func testADamagedSearchCheckpointIsRefused() throws {
        let dir = try copy()
        let url = dir.appendingPathComponent("checkpoint.plist")
        guard FileManager.default.fileExists(atPath: url.path) else { throw XCTSkip("no checkpoint kept after the search") }
        var bytes = try Data(contentsOf: url)
        bytes[bytes.count / 3] ^= 0x04
        try bytes.write(to: url)
        XCTAssertThrowsError(try SearchCheckpoint.read(url)) { XCTAssertTrue("\($0)".contains("checksum"), "\($0)") }
    }
}
