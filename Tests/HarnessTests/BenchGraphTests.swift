import XCTest
import RecData
@testable import Harness

final class BenchGraphTests: XCTestCase {
    /// The digest of a tiny graph, computed once with the reference's `Graph.digest()` (NumPy):
    /// U=3, I=4, train {(0,1),(0,3),(2,0)}, held-out {(1,2)}.
    func testDigestMatchesTheReferenceDefinition() throws {
        let train = UserItemLists(userCount: 3, itemCount: 4, lists: [[3, 1], [], [0]])
        let held = UserItemLists(userCount: 3, itemCount: 4, lists: [[], [2], []])
        XCTAssertEqual(BenchGraph.digest(train: train, heldOut: held), Self.referenceDigest)
    }

    func testLoadRefusesAGraphWhoseDigestDiffers() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("bench-graph-\(UUID())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try "0 1 3\n2 0\n".write(to: dir.appendingPathComponent("train.txt"), atomically: true, encoding: .utf8)
        try "1 2\n".write(to: dir.appendingPathComponent("test.txt"), atomically: true, encoding: .utf8)
        let good = #"{"users": 3, "items": 4, "graph_sha256": "\#(Self.referenceDigest)"}"#
        try good.write(to: dir.appendingPathComponent("graph.json"), atomically: true, encoding: .utf8)
        XCTAssertEqual(try BenchGraph(directory: dir).train.interactionCount, 3)
        let bad = #"{"users": 3, "items": 4, "graph_sha256": "0000000000000000"}"#
        try bad.write(to: dir.appendingPathComponent("graph.json"), atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try BenchGraph(directory: dir)) { e in
            XCTAssertTrue("\(e)".contains("graph_sha256 is \(Self.referenceDigest) but graph.json says 0000000000000000"))
        }
    }

    static let referenceDigest = "f4849f09f78eeaaf"
}
