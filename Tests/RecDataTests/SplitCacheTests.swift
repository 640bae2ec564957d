import Crypto
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

/// Pins the bytes that name data on disk and in results (split digest, cache file and its
/// checksum, cache key, file checks) to the values the hand-written hashes produced, so that a
/// change of hash implementation cannot silently change any of them.
final class DigestStabilityTests: XCTestCase {
    func testSplitDigestCacheBytesAndKeyAreUnchanged() throws {
        let d = StratifiedSplit().split(try MovieLensParser.parse(Data(StratifiedSplitTests.fixture.utf8), fileName: "f"),
                                        name: "fixture", rawDigest: "abc+def")
        XCTAssertEqual(d.splitDigest, "323872cf5f65450ef043b046a659b0634fa392e9802b077492191405f8d3bdfb")
        let file = SplitCache.encode(d)
        XCTAssertEqual(file.count, 896)
        XCTAssertEqual(SHA256.hex(file), "f7dabcf1db547ea203c419468980fe8f533569a5a29551b7ebb93c710eb7f226")
        XCTAssertEqual(Hex.encode(file.suffix(32)), "c4c164e7bd0d41d0ac3e685265a3f8467029a52ae4f96ee7ed2031699c57f7d3",
                       "the trailing checksum")
        let w = try TinyWorld()
        XCTAssertEqual(SplitCache.key(dataset: w.dataset(w.source()), rawDigest: d.rawDigest, sourceOrder: d.sourceOrder),
                       "fbe80778cc7b14d3")
    }

    /// A source without SHA-256, so the MD5 and the git blob id are checked too; the expected
    /// values come from Python's hashlib and `git hash-object` on the same 248 bytes.
    func testFileVerificationDigestsAreUnchanged() throws {
        let w = try TinyWorld()
        var s = w.source()
        s.sha256 = nil
        s.md5 = "12ec3f37fa76057012e1d22a2b3d7353"
        s.gitBlob = "25501a7fed5a6af16c453abb17cbc647d66161d3"
        let v = try FileVerification.verify(w.mirror.appendingPathComponent("tiny/pairs.dat"), against: s, displayName: "pairs.dat")
        XCTAssertEqual(v, FileVerification(bytes: 248, sha256: "62b6e348f6a8d439faef77065cda8e2d97ce9e9b569080bb77c1ff467d58bf18"))
    }
}
