import Crypto
import XCTest
@testable import RecData

final class DatasetRegistryTests: XCTestCase {
    func testLoadBuildsThenHitsCache() throws {
        let w = try TinyWorld()
        let a = try DatasetRegistry.prepare("tiny", dataRoot: w.dataRoot, mirror: w.mirror, allowDownload: false)
        XCTAssertFalse(a.cacheHit)
        XCTAssertEqual(a.statistics.all.interactions, w.expected.interactions)
        XCTAssertEqual(a.preprocessing?.excludedRows, 1)
        XCTAssertTrue(FileManager.default.fileExists(atPath: a.cacheFile.path))
        XCTAssertTrue(a.cacheFile.lastPathComponent.hasPrefix("split-"))
        XCTAssertEqual(a.dataset.rawDigest, SHA256.hex(w.content))
        let b = try DatasetRegistry.prepare("tiny", dataRoot: w.dataRoot, mirror: nil, allowDownload: false)
        XCTAssertTrue(b.cacheHit)
        XCTAssertEqual(b.dataset, a.dataset)
        // Same as splitting directly.
        let direct = StratifiedSplit().split(
            InteractionPreprocessing(excludedPairs: [(1, 1193)]).apply(try MovieLensParser.parse(w.content, fileName: "x")).0,
            name: "tiny", rawDigest: SHA256.hex(w.content), sourceOrder: "pairs.dat: as distributed")
        XCTAssertEqual(a.dataset, direct)
    }

    func testCorruptCacheIsDeletedAndRebuilt() throws {
        let w = try TinyWorld()
        let a = try DatasetRegistry.prepare("tiny", dataRoot: w.dataRoot, mirror: w.mirror, allowDownload: false)
        for corrupt in [{ (d: inout Data) in d[d.count / 2] ^= 0xff }, { d in d.removeLast(5) }, { d in d[0] = 0x00 }] {
            var data = try Data(contentsOf: a.cacheFile)
            corrupt(&data)
            try data.write(to: a.cacheFile)
            var messages: [String] = []
            let b = try DatasetRegistry.prepare("tiny", dataRoot: w.dataRoot, mirror: nil, allowDownload: false,
                                                progress: { messages.append($0) })
            XCTAssertFalse(b.cacheHit, "a corrupt cache is never trusted")
            XCTAssertTrue(messages.contains { $0.contains("invalid split cache") }, "\(messages)")
            XCTAssertEqual(b.dataset, a.dataset)
            XCTAssertEqual(try Data(contentsOf: a.cacheFile), SplitCache.encode(a.dataset), "rebuilt in place")
        }
    }

    func testStatisticsGateStopsBeforeCaching() throws {
        let w = try TinyWorld()
        var e = w.expected
        e.items += 1
        try w.writeManifest(source: w.source(), expected: e)
        XCTAssertThrowsError(try DatasetRegistry.load("tiny", dataRoot: w.dataRoot, mirror: w.mirror, allowDownload: false)) { err in
            guard case DataError.statistics = err else { return XCTFail("\(err)") }
        }
        let processed = w.dataRoot.appendingPathComponent("processed/tiny")
        XCTAssertEqual((try? FileManager.default.contentsOfDirectory(atPath: processed.path)) ?? [], [])
    }

    func testUnknownDatasetListsValidNames() throws {
        let w = try TinyWorld()
        XCTAssertThrowsError(try DatasetRegistry.load("nope", dataRoot: w.dataRoot, mirror: nil, allowDownload: false)) { e in
            XCTAssertEqual("\(e)", "unknown dataset 'nope'; valid names are: tiny")
        }
    }

    func testCacheKeyChangesWithParameters() throws {
        let w = try TinyWorld()
        let d = w.dataset(w.source())
        var other = d
        other.split.seed = 43
        func key(_ d: DatasetManifest.Dataset, _ raw: String, _ order: String = "o") -> String {
            SplitCache.key(dataset: d, rawDigest: raw, sourceOrder: order)
        }
        XCTAssertNotEqual(key(d, "a"), key(other, "a"))
        XCTAssertNotEqual(key(d, "a"), key(d, "b"))
        XCTAssertNotEqual(key(d, "a", "pairs.dat: as distributed"), key(d, "a", "pairs.dat: within-user order restored, seed 1"))
        XCTAssertNotEqual(key(d, "a", "pairs.dat: within-user order restored, seed 1"),
                          key(d, "a", "pairs.dat: within-user order restored, seed 2"))
        other = d
        other.preprocessing.excludePairs = []
        XCTAssertNotEqual(key(d, "a"), key(other, "a"))
    }

    /// A source declared with a lost within-user order is split after the seeded restoring shuffle: same
    /// interactions and counts, other members, and the order (with its seed) in the digest and `sourceOrder`.
    func testLostRowOrderIsRestoredBeforeTheSplit() throws {
        let w = try TinyWorld()
        let asIs = try DatasetRegistry.load("tiny", dataRoot: w.dataRoot, mirror: w.mirror, allowDownload: false)
        XCTAssertEqual(asIs.sourceOrder, "pairs.dat: as distributed")
        var lost = w.source()
        lost.withinUserOrder = .lost
        lost.orderSeed = 1
        try w.writeManifest(source: lost)
        let restored = try DatasetRegistry.load("tiny", dataRoot: w.dataRoot, mirror: w.mirror, allowDownload: false)
        XCTAssertEqual(restored.sourceOrder, "pairs.dat: within-user order restored, seed 1")
        XCTAssertNotEqual(restored.splitDigest, asIs.splitDigest)
        XCTAssertEqual(restored.interactionCount, asIs.interactionCount)
        func pairs(_ d: SplitDataset, _ parts: [UserItemLists]) -> Set<[Int64]> {
            Set(parts.flatMap { part in
                (0..<d.userCount).flatMap { u in part.items(of: u).map { [d.userRawIds[u], d.itemRawIds[Int($0)]] } }
            })
        }
        XCTAssertEqual(pairs(restored, [restored.train, restored.valid, restored.test]), pairs(asIs, [asIs.train, asIs.valid, asIs.test]))
        XCTAssertNotEqual(pairs(restored, [restored.test]), pairs(asIs, [asIs.test]))
        // A second load hits the cache of the restored form, not the as-distributed one.
        let again = try DatasetRegistry.prepare("tiny", dataRoot: w.dataRoot, mirror: w.mirror, allowDownload: false)
        XCTAssertTrue(again.cacheHit)
        XCTAssertEqual(again.dataset, restored)
    }

    func testZipArchiveMemberIsExtracted() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/zip") else { throw XCTSkip("zip not installed") }
        let w = try TinyWorld()
        let staging = w.root.appendingPathComponent("staging/ml")
        try FileManager.default.createDirectory(at: staging, withIntermediateDirectories: true)
        // ratings.dat form: 4 fields
        let ratings = TinyWorld.pairs.split(separator: "\n").map { "\($0)::4::97830\(0)\n" }.joined()
        try Data(ratings.utf8).write(to: staging.appendingPathComponent("ratings.dat"))
        let zip = w.root.appendingPathComponent("arch.zip")
        let zipped = try ExternalTool.launch("zip", ["-q", "-X", zip.path, "ml/ratings.dat"],
                                             currentDirectory: staging.deletingLastPathComponent())
        XCTAssertEqual(zipped.status, 0)
        let zipData = try Data(contentsOf: zip)
        var s = w.source(sha256: SHA256.hex(zipData), bytes: zipData.count, url: zip.absoluteString, mirrorPath: nil,
                         cacheName: "arch.zip", archiveMember: "ml/ratings.dat")
        s.gitBlob = nil
        try w.writeManifest(source: s)
        let a = try DatasetRegistry.prepare("tiny", dataRoot: w.dataRoot, mirror: nil, allowDownload: true)
        XCTAssertEqual(a.rawFiles.map(\.origin), ["download"])
        XCTAssertEqual(a.statistics.all.interactions, w.expected.interactions)
        // Same pairs in the same order as the pairs file: same split members.
        let b = StratifiedSplit().split(
            InteractionPreprocessing(excludedPairs: [(1, 1193)]).apply(try MovieLensParser.parse(w.content, fileName: "x")).0,
            name: "tiny", rawDigest: "", sourceOrder: "arch.zip: as distributed")
        XCTAssertEqual(a.dataset.splitDigest, b.splitDigest)
    }
}
