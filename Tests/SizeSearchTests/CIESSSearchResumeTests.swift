import XCTest
import Linalg
import RecData
import Recommenders
@testable import SizeSearch

final class CIESSSearchResumeTests: XCTestCase {
    /// A small random dataset: 40 users, 30 items, 8–14 interactions per user, split 50/25/25.
    static func tinyDataset() -> SplitDataset {
        var rng = RandomStream(seed: 11, purpose: "tiny-dataset")
        var train = [[Int32]](), valid = [[Int32]](), test = [[Int32]]()
        for _ in 0..<40 {
            var items = Array(0..<30).map(Int32.init)
            for k in stride(from: items.count - 1, to: 0, by: -1) { items.swapAt(k, rng.below(k + 1)) }
            let n = 8 + rng.below(7)
            let a = n / 2, b = (3 * n) / 4
            train.append(Array(items[0..<a])); valid.append(Array(items[a..<b])); test.append(Array(items[b..<n]))
        }
        func lists(_ l: [[Int32]]) -> UserItemLists { UserItemLists(userCount: 40, itemCount: 30, lists: l) }
        return SplitDataset(name: "tiny", userRawIds: (0..<40).map(Int64.init), itemRawIds: (0..<30).map(Int64.init),
                            train: lists(train), valid: lists(valid), test: lists(test), rawDigest: "tiny", splitDigest: "tiny")
    }

    static func config() -> CIESSConfig {
        CIESSConfig(dataset: "tiny", backbone: .lightgcn, lambda: 0.4, episodes: 3, iterations: 2,
                    batchesPerIteration: 3, batchSize: 64, seed: 5,
                    pretrain: ConvergeConfig(chunkBatches: 4, patience: 1, maxChunks: 2), td3: smallAgents)
    }

    /// Small networks and TD3 batches keep the debug-build test fast; the loop logic is the same.
    static var smallAgents: TD3Configuration {
        var t = TD3Configuration()
        t.hidden = [16, 16]
        t.batchSize = 32
        return t
    }

    /// The history without wall-clock fields, which legitimately differ between runs.
    static func comparable(_ dir: URL) throws -> [SearchIterationRecord] {
        try CIESSSearch.readHistory(dir.appendingPathComponent("history.jsonl")).map {
            var r = $0
            r.trainSeconds = 0
            r.evalSeconds = 0
            return r
        }
    }

    func testInterruptedSearchResumesToTheSameHistoryAndSizes() throws {
        let d = Self.tinyDataset()
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("ciess-resume-\(UUID())")
        defer { try? FileManager.default.removeItem(at: root) }
        let straight = root.appendingPathComponent("straight"), resumed = root.appendingPathComponent("resumed")

        try CIESSSearch(configuration: Self.config(), directory: straight).run(dataset: d)
        // Stop after the first episode's checkpoint, then leave a half-written line behind, as a kill would.
        let first = try CIESSSearch(configuration: Self.config(), directory: resumed).run(dataset: d, stopAfterEpisode: 0)
        XCTAssertNil(first)
        let h = try FileHandle(forWritingTo: resumed.appendingPathComponent("history.jsonl"))
        try h.seekToEnd()
        h.write(Data("{\"episode\": 1, \"trunc".utf8))
        try h.close()
        try CIESSSearch(configuration: Self.config(), directory: resumed).run(dataset: d)

        let a = try Self.comparable(straight), b = try Self.comparable(resumed)
        XCTAssertEqual(a.count, 6)
        XCTAssertEqual(a, b)
        for r in a {
            let sa = try SizeVectorFile.read(straight.appendingPathComponent(r.sizesFile))
            let sb = try SizeVectorFile.read(resumed.appendingPathComponent(r.sizesFile))
            XCTAssertEqual(sa, sb)
        }
    }

    func testADirectoryIsNeverContinuedWithOtherSettings() throws {
        let d = Self.tinyDataset()
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ciess-config-\(UUID())")
        defer { try? FileManager.default.removeItem(at: dir) }
        try CIESSSearch(configuration: Self.config(), directory: dir).run(dataset: d, stopAfterEpisode: 0)
        var other = Self.config()
        other.lambda = 0.8
        XCTAssertThrowsError(try CIESSSearch(configuration: other, directory: dir).run(dataset: d)) { e in
            XCTAssertTrue("\(e)".contains("belongs to a search with other settings"), "\(e)")
        }
    }

    func testCandidatesComeFromTheFinishedHistory() throws {
        let d = Self.tinyDataset()
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ciess-cands-\(UUID())")
        defer { try? FileManager.default.removeItem(at: dir) }
        XCTAssertThrowsError(try CIESSCandidates.write(searchDirectory: dir, targets: [0.5]))   // no search yet
        try CIESSSearch(configuration: Self.config(), directory: dir).run(dataset: d)
        let history = try CIESSSearch.readHistory(dir.appendingPathComponent("history.jsonl"))
        let selections = try CIESSCandidates.write(searchDirectory: dir, targets: [0.0001, 0.999])
        XCTAssertEqual(selections[0].candidates.count, 3)                  // every mask is ≥ 0.01 % sparse
        XCTAssertEqual(selections[0].candidates[0].validAVG, history.map(\.validAVG).max())
        XCTAssertTrue(selections[1].candidates.isEmpty)                    // 99.9 % is out of reach
        XCTAssertEqual(try CIESSCandidates.read(searchDirectory: dir), selections)
    }
}
