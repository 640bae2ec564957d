import Crypto
import XCTest
@testable import RecData

final class DatasetFetcherTests: XCTestCase {
    func testMirrorThenCache() throws {
        let w = try TinyWorld()
        let d = w.dataset(w.source())
        let first = try DatasetFetcher(dataRoot: w.dataRoot, mirror: w.mirror, allowDownload: false).fetch(d)
        XCTAssertEqual(first.map(\.origin), ["mirror"])
        XCTAssertEqual(first[0].sha256, SHA256.hex(w.content))
        XCTAssertEqual(w.rawFiles(), ["pairs.dat"], "the verified copy is in the cache, no temp file left")
        XCTAssertEqual(try Data(contentsOf: w.rawDir.appendingPathComponent("pairs.dat")), w.content)
        // The mirror is gone now: the cache serves.
        try FileManager.default.removeItem(at: w.mirror)
        let second = try DatasetFetcher(dataRoot: w.dataRoot, mirror: nil, allowDownload: false).fetch(d)
        XCTAssertEqual(second.map(\.origin), ["cache"])
        XCTAssertEqual(second[0].sha256, first[0].sha256)
    }

    func testCorruptedMirrorIsRefusedAndNothingKept() throws {
        let w = try TinyWorld()
        var bad = w.content
        bad[3] ^= 0x01   // same size, different digest
        let mirrorFile = w.mirror.appendingPathComponent("tiny/pairs.dat")
        try bad.write(to: mirrorFile)
        let d = w.dataset(w.source())
        XCTAssertThrowsError(try DatasetFetcher(dataRoot: w.dataRoot, mirror: w.mirror, allowDownload: false).fetch(d)) { e in
            guard case let DataError.integrity(file, check, expected, actual) = e else { return XCTFail("\(e)") }
            XCTAssertEqual(file, mirrorFile.path)
            XCTAssertEqual(check, "SHA-256")
            XCTAssertEqual(expected, SHA256.hex(w.content))
            XCTAssertEqual(actual, SHA256.hex(bad))
            let text = "\(e)"
            XCTAssertTrue(text.contains(mirrorFile.path) && text.contains(expected) && text.contains(actual), text)
        }
        XCTAssertEqual(w.rawFiles(), [], "nothing is kept after a failed verification")
    }

    func testWrongSizeIsRefused() throws {
        let w = try TinyWorld()
        let d = w.dataset(w.source(bytes: w.content.count + 1))
        XCTAssertThrowsError(try DatasetFetcher(dataRoot: w.dataRoot, mirror: w.mirror, allowDownload: false).fetch(d)) { e in
            XCTAssertTrue("\(e)".contains("size mismatch"), "\(e)")
        }
        XCTAssertEqual(w.rawFiles(), [])
    }

    func testCorruptedCacheIsDeletedAndFetchedAgain() throws {
        let w = try TinyWorld()
        let d = w.dataset(w.source())
        try FileManager.default.createDirectory(at: w.rawDir, withIntermediateDirectories: true)
        try Data("garbage".utf8).write(to: w.rawDir.appendingPathComponent("pairs.dat"))
        var messages: [String] = []
        let got = try DatasetFetcher(dataRoot: w.dataRoot, mirror: w.mirror, allowDownload: false)
            .fetch(d, progress: { messages.append($0) })
        XCTAssertEqual(got.map(\.origin), ["mirror"])
        XCTAssertTrue(messages.contains { $0.contains("failed verification") }, "\(messages)")
        XCTAssertEqual(try Data(contentsOf: w.rawDir.appendingPathComponent("pairs.dat")), w.content)
    }

    func testUnavailableNamesWhatWasTried() throws {
        let w = try TinyWorld()
        let d = w.dataset(w.source(url: "https://example.invalid/pairs.dat"))
        XCTAssertThrowsError(try DatasetFetcher(dataRoot: w.dataRoot, mirror: nil, allowDownload: false).fetch(d)) { e in
            guard case DataError.unavailable = e else { return XCTFail("\(e)") }
            XCTAssertTrue("\(e)".contains("DATA_MIRROR not set"), "\(e)")
            XCTAssertTrue("\(e)".contains("disabled"), "\(e)")
        }
    }

    /// The download path, offline: curl fetches a file:// URL into a temp name, then verifies.
    func testDownloadViaCurlVerifiesBeforeUse() throws {
        let w = try TinyWorld()
        let remote = w.root.appendingPathComponent("remote.dat")
        try w.content.write(to: remote)
        let ok = w.dataset(w.source(url: remote.absoluteString, mirrorPath: nil))
        let got = try DatasetFetcher(dataRoot: w.dataRoot, mirror: nil, allowDownload: true).fetch(ok)
        XCTAssertEqual(got.map(\.origin), ["download"])
        XCTAssertEqual(w.rawFiles(), ["pairs.dat"])

        let w2 = try TinyWorld()
        try Data("not the file\n".utf8).write(to: remote)
        let d2 = w2.dataset(w2.source(url: remote.absoluteString, mirrorPath: nil))
        XCTAssertThrowsError(try DatasetFetcher(dataRoot: w2.dataRoot, mirror: nil, allowDownload: true).fetch(d2)) { e in
            XCTAssertTrue("\(e)".contains(remote.absoluteString), "\(e)")
        }
        XCTAssertEqual(w2.rawFiles(), [], "the failed download is deleted")
    }
}
