import XCTest
@testable import RecData

final class ParserTests: XCTestCase {
    func ml(_ s: String) throws -> RawInteractions { try MovieLensParser.parse(Data(s.utf8), fileName: "r.dat") }
    func adj(_ s: String) throws -> RawInteractions { try AdjacencyListParser.parse(Data(s.utf8), fileName: "t.txt") }

    func assertParseError(_ body: @autoclosure () throws -> RawInteractions, line: Int, contains: String,
                          file: StaticString = #filePath, sourceLine: UInt = #line) {
        XCTAssertThrowsError(try body(), file: file, line: sourceLine) { error in
            guard let e = error as? ParseError else { return XCTFail("not a ParseError: \(error)", file: file, line: sourceLine) }
            XCTAssertEqual(e.line, line, "\(e)", file: file, line: sourceLine)
            XCTAssertTrue(e.description.contains(contains), "\(e)", file: file, line: sourceLine)
            XCTAssertTrue(e.description.hasPrefix("\(e.file):\(line): expected"), "\(e)", file: file, line: sourceLine)
        }
    }

    // MARK: MovieLens

    func testMovieLensRatingsAndPairsKeepFileOrder() throws {
        let r = try ml("1::1193::5::978300760\n1::661::3::978302109\n2::1357::5::978298709\n")
        XCTAssertEqual(r.users, [1, 1, 2])
        XCTAssertEqual(r.items, [1193, 661, 1357])
        let p = try ml("3::10\n1::20\n3::5")   // no final newline is fine too
        XCTAssertEqual(p.users, [3, 1, 3])
        XCTAssertEqual(p.items, [10, 20, 5])
    }

    func testMovieLensTrailingBlankLinesAndCRLF() throws {
        XCTAssertEqual(try ml("1::2\n3::4\n\n\n").count, 2)
        let crlf = try ml("1::2::5::9\r\n3::4::1::8\r\n")
        XCTAssertEqual(crlf.users, [1, 3])
        XCTAssertEqual(crlf.items, [2, 4])
    }

    func testMovieLensMalformed() {
        assertParseError(try ml(""), line: 0, contains: "empty file")
        assertParseError(try ml("\n\n"), line: 0, contains: "empty file")
        assertParseError(try ml("1::2::3\n"), line: 1, contains: "got '1::2::3'")
        assertParseError(try ml("1::2::3::4::5\n"), line: 1, contains: "got '1::2::3::4::5'")
        assertParseError(try ml("1\n"), line: 1, contains: "got '1'")
        assertParseError(try ml("1::2\n3::x\n"), line: 2, contains: "got '3::x'")
        assertParseError(try ml("1::2\n-3::4\n"), line: 2, contains: "got '-3::4'")
        assertParseError(try ml("1::2\n3::4.5\n"), line: 2, contains: "with integer ids")
        assertParseError(try ml("1::2\n3:4\n"), line: 2, contains: "got '3:4'")
        assertParseError(try ml("1::2\n3:::4\n"), line: 2, contains: "got '3:::4'")
        assertParseError(try ml("1::2\n 3::4\n"), line: 2, contains: "got ' 3::4'")
        assertParseError(try ml("1::2\n3::4 \n"), line: 2, contains: "got '3::4 '")
        assertParseError(try ml("1::2\n3::\n"), line: 2, contains: "got '3::'")
        assertParseError(try ml("1::2\n\n3::4\n"), line: 2, contains: "got ''")
        assertParseError(try ml("1\t2\n"), line: 1, contains: "UserID::MovieID")
        assertParseError(try ml("UserID::MovieID::Rating::Timestamp\n1::2::3::4\n"), line: 1, contains: "got 'UserID")
        // the first line fixes the field count
        assertParseError(try ml("1::2\n3::4::5::6\n"), line: 2, contains: "2 fields like line 1")
        assertParseError(try ml("1::2::5::6\n3::4\n"), line: 2, contains: "4 fields like line 1")
        // 19 digits could overflow Int64 arithmetic: rejected
        assertParseError(try ml("1234567890123456789::2\n"), line: 1, contains: "got '1234567890123456789::2'")
    }

    func testMovieLensVeryLongLineIsRejectedWithShortExcerpt() {
        let long = String(repeating: "1", count: 100_000) + "::2\n"
        XCTAssertThrowsError(try ml(long)) { e in
            let d = "\(e)"
            XCTAssertTrue(d.hasPrefix("r.dat:1: expected"))
            XCTAssertLessThan(d.count, 300, "the excerpt must be truncated")
        }
    }

    // MARK: LightGCN adjacency lists

    func testAdjacencyLines() throws {
        let r = try adj("0 5 3 9\n1 2\n2\n3 7 7\n")
        XCTAssertEqual(r.users, [0, 0, 0, 1, 3, 3])
        XCTAssertEqual(r.items, [5, 3, 9, 2, 7, 7], "items keep file order; duplicates are the preprocessing's job")
        XCTAssertEqual(try adj("4 1\r\n5 2\r\n\n").items, [1, 2])
    }

    func testAdjacencyMalformed() {
        assertParseError(try adj(""), line: 0, contains: "empty file")
        assertParseError(try adj("0 1 2\n1  2\n"), line: 2, contains: "got '1  2'")
        assertParseError(try adj("0 1 2 \n"), line: 1, contains: "got '0 1 2 '")
        assertParseError(try adj(" 0 1\n"), line: 1, contains: "got ' 0 1'")
        assertParseError(try adj("0 1\n1 -2\n"), line: 2, contains: "got '1 -2'")
        assertParseError(try adj("0 1\n1 a\n"), line: 2, contains: "got '1 a'")
        assertParseError(try adj("0\t1\n"), line: 1, contains: "single spaces")
        assertParseError(try adj("0 1\n\n1 2\n"), line: 2, contains: "got ''")
        assertParseError(try adj("0 1.5\n"), line: 1, contains: "non-negative integer ids")
    }

    func testAdjacencyLongLineParses() throws {
        let items = (0..<50_000).map(String.init).joined(separator: " ")
        let r = try adj("7 " + items + "\n")
        XCTAssertEqual(r.count, 50_000)
        XCTAssertEqual(r.items.last, 49_999)
        XCTAssertTrue(r.users.allSatisfy { $0 == 7 })
    }

    func testParseErrorDescriptionFormat() {
        XCTAssertEqual(ParseError(file: "a/b.txt", line: 12, message: "expected x, got 'y'").description,
                       "a/b.txt:12: expected x, got 'y'")
    }
}
