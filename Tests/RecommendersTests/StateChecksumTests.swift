import Foundation
import XCTest
import RecData
@testable import Recommenders

/// Every binary state file carries a content checksum: one flipped bit anywhere is refused with the
/// path (the file kept); a file written before checksums existed is still read.
final class StateChecksumTests: XCTestCase {
    func scratch() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("checksum-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: dir) }
        return dir
    }

    /// Flips one bit at each of several positions (header, body, trailer) and expects `read` to refuse.
    func assertEveryFlipRefused(_ url: URL, file: StaticString = #filePath, line: UInt = #line, read: (URL) throws -> Void) throws {
        let good = try Data(contentsOf: url)
        for at in [0, 9, good.count / 2, good.count - 50, good.count - 1] {
            var bad = good
            bad[at] ^= 0x10
            try bad.write(to: url)
            XCTAssertThrowsError(try read(url), "flip at \(at)", file: file, line: line) { e in
                XCTAssertTrue("\(e)".contains(url.path), "\(e)", file: file, line: line)
            }
            XCTAssertEqual(try Data(contentsOf: url), bad, "the damaged file is kept", file: file, line: line)
        }
        try good.write(to: url)
        XCTAssertNoThrow(try read(url), file: file, line: line)
    }

    func testSizeVectorFiles() throws {
        let url = try scratch().appendingPathComponent("sizes/e000-i00.bin")
        let sizes = EmbeddingSizes(users: [1, 7, 128], items: [3, 64], dMax: 128)
        try SizeVectorFile.write(sizes, to: url)
        XCTAssertEqual(try SizeVectorFile.read(url), sizes)
        try assertEveryFlipRefused(url) { _ = try SizeVectorFile.read($0) }
        // A legacy file (no trailer) still reads.
        let sealed = try Data(contentsOf: url)
        try sealed.prefix(sealed.count - StateChecksum.trailerSize).write(to: url)
        XCTAssertEqual(try SizeVectorFile.read(url), sizes)
    }

    func testElementMaskFiles() throws {
        let url = try scratch().appendingPathComponent("m.mask")
        var mask = ElementMask(tableNames: ["embedding"], userCount: 2, itemCount: 3)
        mask[0, 1, 5] = true
        try ElementMaskFile.write(mask, to: url)
        XCTAssertEqual(try ElementMaskFile.read(url), mask)
        try assertEveryFlipRefused(url) { _ = try ElementMaskFile.read($0) }
    }

    func testTrailerRoundTripAndLegacy() throws {
        let payload = Data("state".utf8)
        let sealed = StateChecksum.seal(payload)
        XCTAssertEqual(sealed.count, payload.count + StateChecksum.trailerSize)
        XCTAssertEqual(try StateChecksum.open(sealed, path: "f").payload, payload)
        XCTAssertEqual(try StateChecksum.open(sealed, path: "f").sealed, true)
        XCTAssertEqual(try StateChecksum.open(payload, path: "f").sealed, false)
        var bad = sealed
        bad[2] ^= 1
        XCTAssertThrowsError(try StateChecksum.open(bad, path: "f")) { XCTAssertEqual($0 as? StateChecksumError, .mismatch("f")) }
    }

    func testSidecars() throws {
        let url = try scratch().appendingPathComponent("candidates.json")
        try StateChecksum.writeWithSidecar(Data("[1]\n".utf8), to: url)
        XCTAssertNoThrow(try StateChecksum.verifySidecar(try Data(contentsOf: url), of: url))
        XCTAssertThrowsError(try StateChecksum.verifySidecar(Data("[2]\n".utf8), of: url)) {
            XCTAssertTrue("\($0)".contains("does not match its checksum"), "\($0)")
        }
        try FileManager.default.removeItem(at: StateChecksum.sidecar(of: url))
        XCTAssertNoThrow(try StateChecksum.verifySidecar(Data("[2]\n".utf8), of: url), "no sidecar: a legacy file")
    }
}
