import XCTest
import Linalg
@testable import Recommenders

/// The element mask's accounting and its file format, including malformed files.
final class ElementMaskFileTests: XCTestCase {
    func sample() -> ElementMask {
        var m = ElementMask(tableNames: ["gmf", "mlp"], userCount: 2, itemCount: 3, dMax: 70)
        m[0, 0, 0] = true; m[0, 0, 69] = true; m[0, 4, 63] = true; m[0, 4, 64] = true
        m[1, 2, 5] = true
        return m
    }

    func testCountsDensityAndPrefix() {
        let m = sample()
        XCTAssertEqual(m.nonzeroCount(table: 0), 4)
        XCTAssertEqual(m.nonzeroCount, 5)
        XCTAssertEqual(m.rowCount(table: 0, row: 4), 2)
        XCTAssertEqual(m.density, 5.0 / (2 * 5 * 70))
        let sizes = EmbeddingSizes(users: [1, 128], items: [3, 7, 128], dMax: 128)
        let p = ElementMask.prefix(sizes, tableNames: ["embedding"])
        XCTAssertEqual(p.nonzeroCount, sizes.usedEntries)
        XCTAssertEqual(p.sparsity, sizes.sparsity, accuracy: 1e-15)
        XCTAssertTrue(p[0, 1, 127]); XCTAssertFalse(p[0, 0, 1]); XCTAssertTrue(p[0, 0, 0])
        let x = Matrix(rows: 5, cols: 128, storage: [Float](repeating: 2, count: 5 * 128))
        XCTAssertEqual(p.apply(x, table: 0).storage.filter { $0 != 0 }.count, sizes.usedEntries)
        XCTAssertEqual(ElementMask.nonzeros(of: [p.apply(x, table: 0)], tableNames: ["embedding"], userCount: 2), p)
    }

    func testRoundTripAndAtomicWrite() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("emf-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("masks/m.mask")
        try ElementMaskFile.write(sample(), to: url)
        XCTAssertEqual(try ElementMaskFile.read(url), sample())
        let names = try FileManager.default.contentsOfDirectory(atPath: url.deletingLastPathComponent().path)
        XCTAssertEqual(names, ["m.mask"], "no temporary file may remain")
    }

    func testMalformedFilesAreRefusedWithAReason() {
        let good = [UInt8](ElementMaskFile.encode(sample()))
        func refuses(_ bytes: [UInt8], _ fragment: String, line: UInt = #line) {
            XCTAssertThrowsError(try ElementMaskFile.decode(bytes, path: "x.mask"), line: line) { e in
                XCTAssertTrue("\(e)".contains("x.mask"), "\(e)", line: line)
                XCTAssertTrue("\(e)".contains(fragment), "\(e) should mention '\(fragment)'", line: line)
            }
        }
        refuses([], "magic")
        refuses(Array("CIESSZ1\0".utf8) + good.dropFirst(8), "magic")
        refuses(Array(good.dropLast()), "bytes")
        refuses(good + [0], "bytes")
        var zeroTables = good; zeroTables[20] = 0
        refuses(zeroTables, "table count")
        var bigD = good; bigD[9] = 1            // dMax 70 + 256
        refuses(bigD, "dMax")
        var badName = good; badName[24] = 200   // first name length
        refuses(badName, "name")
        // Set bit 70 of row 0 of table 0 (column ≥ dMax): byte 0 of the row's second word, bit 6.
        var highBit = good
        let payload = good.count - 2 * 5 * 2 * 8
        highBit[payload + 8] |= 1 << 6
        refuses(highBit, "beyond column")
        XCTAssertNoThrow(try ElementMaskFile.decode(good, path: "x.mask"))
    }
}
