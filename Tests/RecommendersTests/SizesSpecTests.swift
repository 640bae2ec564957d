import XCTest
@testable import Recommenders

final class SizesSpecTests: XCTestCase {
    func testParsesTheThreeForms() throws {
        XCTAssertEqual(try SizesSpec(parsing: "full"), .full)
        XCTAssertEqual(try SizesSpec(parsing: "equal:25"), .equal(25))
        XCTAssertEqual(try SizesSpec(parsing: "file:/tmp/x.json"), .file("/tmp/x.json"))
        let sizes = try SizesSpec.equal(6).resolve(userCount: 3, itemCount: 2)
        XCTAssertEqual(sizes.users, [6, 6, 6])
        XCTAssertEqual(sizes.sparsity, 1 - 6.0 / 128, accuracy: 1e-12)
    }

    func testRejectsMalformedSpecsWithAUsefulSentence() {
        for bad in ["", "half", "equal:", "equal:0", "equal:129", "equal:x", "file:", "Full"] {
            XCTAssertThrowsError(try SizesSpec(parsing: bad), bad) { e in
                XCTAssertTrue("\(e)".contains("expected full, equal:D") || "\(e)".contains("needs an integer D in 1...128"), "\(e)")
            }
        }
    }

    func testRoundTripsThroughJSONAsItsCommandLineForm() throws {
        let data = try JSONEncoder().encode([SizesSpec.equal(12), .full])
        XCTAssertEqual(String(decoding: data, as: UTF8.self), #"["equal:12","full"]"#)
        XCTAssertEqual(try JSONDecoder().decode([SizesSpec].self, from: data), [.equal(12), .full])
    }

    func testSizesFilesAreValidatedAgainstTheDataset() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("sizes-\(UUID())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        func write(_ text: String) throws -> SizesSpec {
            let url = dir.appendingPathComponent("s\(UUID()).json")
            try text.write(to: url, atomically: true, encoding: .utf8)
            return .file(url.path)
        }
        let good = try write(#"{"dMax": 128, "users": [1, 128], "items": [64]}"#)
        XCTAssertEqual(try good.resolve(userCount: 2, itemCount: 1).items, [64])
        let cases: [(String, String)] = [
            (#"{"users": [1], "items": [64]}"#, "has 1 user and 1 item sizes, the dataset has 2 users and 1 items"),
            (#"{"users": [0, 5], "items": [64]}"#, "size 0 is outside 1...128"),
            (#"{"users": [1, 129], "items": [64]}"#, "size 129 is outside 1...128"),
            (#"{"dMax": 64, "users": [1, 2], "items": [3]}"#, "dMax is 64, this run uses 128"),
            (#"{"users": [1, 1.5], "items": [64]}"#, "users[1] is 1.5, not a whole number"),
            (#"[1, 2, 3]"#, "expected a JSON object"),
            ("not json", "expected a JSON object"),
        ]
        for (text, message) in cases {
            XCTAssertThrowsError(try write(text).resolve(userCount: 2, itemCount: 1)) { e in
                XCTAssertTrue("\(e)".contains(message), "\(e) should say \(message)")
            }
        }
        XCTAssertThrowsError(try SizesSpec.file(dir.appendingPathComponent("missing.json").path).resolve(userCount: 2, itemCount: 1)) { e in
            XCTAssertTrue("\(e)".contains("cannot read the sizes file"))
        }
    }
}
