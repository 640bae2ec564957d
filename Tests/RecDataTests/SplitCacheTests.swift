import XCTest
@testable import RecData

final class SplitCacheTests: XCTestCase {
    func sample() throws -> SplitDataset {
        StratifiedSplit().split(try MovieLensParser.parse(Data(StratifiedSplitTests.fixture.utf8), fileName: "f"),
                                name: "fixture", rawDigest: "abc+def")
    }

    func testRoundTrip() throws {
        let d = try sample()
        XCTAssertEqual(try SplitCache.decode(SplitCache.encode(d)), d)
    }

    func testEveryTruncationAndManyBitFlipsAreRejected() throws {
        let data = SplitCache.encode(try sample())
        for cut in stride(from: 0, to: data.count, by: 7) {
            XCTAssertThrowsError(try SplitCache.decode(data.prefix(cut)), "truncated at \(cut)")
        }
        for k in stride(from: 0, to: data.count, by: 13) {
            var d = data
            d[k] ^= 0x10
            XCTAssertThrowsError(try SplitCache.decode(d), "bit flip at \(k)")
        }
    }

    func testLoadDeletesInvalidFile() throws {
        let w = try TinyWorld()
        let url = w.root.appendingPathComponent("processed/x/split-0.bin")
        try SplitCache.save(try sample(), to: url)
        XCTAssertNotNil(SplitCache.load(from: url))
        var data = try Data(contentsOf: url)
        data[20] ^= 1
        try data.write(to: url)
        var problem = ""
        XCTAssertNil(SplitCache.load(from: url, problem: { problem = $0 }))
        XCTAssertFalse(FileManager.default.fileExists(atPath: url.path))
        XCTAssertTrue(problem.contains("checksum"), problem)
    }

    func testExportTSVSortedWithRawIds() throws {
        let w = try TinyWorld()
        let d = try sample()
        let files = try SplitExport.writeTSV(d, to: w.root.appendingPathComponent("out"))
        XCTAssertEqual(files.map(\.lastPathComponent), ["train.tsv", "valid.tsv", "test.tsv"])
        var all: [(Int64, Int64, String)] = []
        for (url, role) in zip(files, ["train", "valid", "test"]) {
            let lines = try String(contentsOf: url, encoding: .utf8).split(separator: "\n")
            let pairs = lines.map { $0.split(separator: "\t").map { Int64($0)! } }
            XCTAssertEqual(pairs, pairs.sorted { ($0[0], $0[1]) < ($1[0], $1[1]) }, role)
            all += pairs.map { ($0[0], $0[1], role) }
        }
        let expected = StratifiedSplitTests.expectedRows.sorted { ($0.0, $0.1) < ($1.0, $1.1) }
        XCTAssertEqual(all.sorted { ($0.0, $0.1) < ($1.0, $1.1) }.map { "\($0)" }, expected.map { "\($0)" })
    }
}
