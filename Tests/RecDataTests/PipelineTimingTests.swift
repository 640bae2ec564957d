import Crypto
import XCTest
@testable import RecData

/// Prints how long each stage takes on the real mirror files. Opt-in (it costs ~10 s in a debug
/// build): runs only when both `DATA_MIRROR` and `RECDATA_TIMING=1` are set, e.g.
/// `RECDATA_TIMING=1 DATA_MIRROR=… swift test -c release -Xswiftc -enable-testing --filter PipelineTimingTests`.
/// It asserts the results (digests, counts), not the times, since the machine is shared.
final class PipelineTimingTests: XCTestCase {
    func time<T>(_ label: String, _ body: () throws -> T) rethrows -> T {
        let start = Date()
        let r = try body()
        print(String(format: "timing %@: %.3f s", label, Date().timeIntervalSince(start)))
        return r
    }

    func testStageTimesOnMirror() throws {
        guard let mirror = DatasetRegistry.defaultMirror(),
              ProcessInfo.processInfo.environment["RECDATA_TIMING"] == "1" else {
            throw XCTSkip("set DATA_MIRROR and RECDATA_TIMING=1 to time the pipeline stages")
        }
        let file = mirror.appendingPathComponent("ml-1m/interactions.dat")
        let data = try Data(contentsOf: file)
        let sha = time("sha256 10.5 MB") { SHA256.hex(data) }
        XCTAssertEqual(sha, "6997c574c6353ae717ee344ca6daf758aca5d5966786e5fb7c3ebb96738b07d5")
        let blob = time("git blob sha1 10.5 MB") { Insecure.SHA1.gitBlobId(of: data) }
        XCTAssertEqual(blob, "18b8424bf3286576e8be4494d744dd3b87e72659")
        _ = time("md5 10.5 MB") { Insecure.MD5.hex(data) }
        let raw = try time("parse ml-1m pairs") { try MovieLensParser.parse(data, fileName: file.path) }
        XCTAssertEqual(raw.count, 1_000_209)
        let (clean, _) = time("preprocess") { InteractionPreprocessing(excludedPairs: [(1, 1193)]).apply(raw) }
        let rows = time("split rows") { StratifiedSplit().rows(clean) }
        XCTAssertEqual(rows.count, 1_000_208)
        let d = time("split + reindex + digest") { StratifiedSplit().split(clean, name: "ml-1m", rawDigest: sha) }
        _ = time("statistics") { DatasetStatistics(d) }
        let enc = time("cache encode") { SplitCache.encode(d) }
        let dec = try time("cache decode") { try SplitCache.decode(enc) }
        XCTAssertEqual(dec, d)
        let yelp = try Data(contentsOf: mirror.appendingPathComponent("yelp2018/train.txt"))
        let y = try time("parse yelp train adjacency") { try AdjacencyListParser.parse(yelp, fileName: "train.txt") }
        XCTAssertEqual(y.count, 1_237_259)
    }
}
