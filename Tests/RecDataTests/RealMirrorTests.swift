import XCTest
@testable import RecData

/// Acceptance test on the real offline mirror: runs when `DATA_MIRROR` is set, skips otherwise.
/// Uses the repository manifest and a fresh temporary data root, so it exercises the whole
/// fetch → verify → parse → preprocess → split → gate path and then the cache hit.
final class RealMirrorTests: XCTestCase {
    func testExactCountsOnTheMirror() throws {
        guard let mirror = DatasetRegistry.defaultMirror() else { throw XCTSkip("DATA_MIRROR is not set") }
        let manifest = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("datasets/manifest.json")
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("recdata-real-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let expected: [String: (Int, Int, Int)] = ["ml-1m": (1_000_208, 6040, 3706), "yelp2018": (1_561_406, 31668, 38048)]
        for (name, (n, u, i)) in expected.sorted(by: { $0.key < $1.key }) {
            let p = try DatasetRegistry.prepare(name, dataRoot: root, mirror: mirror, manifest: manifest, allowDownload: false)
            XCTAssertFalse(p.cacheHit)
            XCTAssertEqual(p.rawFiles.map(\.origin), Array(repeating: "mirror", count: p.rawFiles.count))
            XCTAssertEqual(p.statistics.all.interactions, n, name)
            XCTAssertEqual(p.statistics.all.users, u, name)
            XCTAssertEqual(p.statistics.all.items, i, name)
            XCTAssertEqual(p.dataset.userCount, u)
            XCTAssertEqual(p.dataset.itemCount, i)
            // Every user keeps ≥ 2 VAL and ≥ 2 TEST items (docs/method.md §4.1 minimum degrees).
            XCTAssertGreaterThanOrEqual(p.statistics.valid.minUserDegree, 2, name)
            XCTAssertGreaterThanOrEqual(p.statistics.test.minUserDegree, 2, name)
            XCTAssertEqual(p.statistics.valid.users, u)
            XCTAssertEqual(p.statistics.test.users, u)
            let again = try DatasetRegistry.prepare(name, dataRoot: root, mirror: nil, manifest: manifest, allowDownload: false)
            XCTAssertTrue(again.cacheHit)
            XCTAssertEqual(again.rawFiles.map(\.origin), Array(repeating: "cache", count: p.rawFiles.count))
            XCTAssertEqual(again.dataset.splitDigest, p.dataset.splitDigest)
        }
    }
}
