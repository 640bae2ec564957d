import XCTest
import Foundation
import RecData
@testable import Harness

/// CSV formatting and every input the aggregation and the report read, malformed.
final class ReportInputTests: XCTestCase {
    // MARK: - CSV writing

    func testRenderingQuotesOnlyWhatNeedsIt() {
        let t = TidyCSV(header: ["a", "b", "c"], rows: [["x", "1,2", "say \"hi\""], ["", "multi\nline", "ok"]])
        XCTAssertEqual(t.rendered(), "a,b,c\nx,\"1,2\",\"say \"\"hi\"\"\"\n,\"multi\nline\",ok\n")
    }

    func testRenderedTablesParseBack() throws {
        let t = TidyCSV(header: ["a", "b"], rows: [["1,5", "q\"x"], ["", "NA"]])
        let back = try TidyCSV.parse(t.rendered(), file: "t.csv")
        XCTAssertEqual(back.header, t.header)
        XCTAssertEqual(back.rows, t.rows)
        XCTAssertEqual(back.lines, [2, 3])
    }

    func testFixedNumberFormats() {
        XCTAssertEqual(CSVNumber.metric(0.24356), "0.2436")
        XCTAssertEqual(CSVNumber.metric(nil), "")
        XCTAssertEqual(CSVNumber.sparsity(0.8046875), "0.804688")
        XCTAssertEqual(CSVNumber.metric(-0.00001), "0.0000", "no negative zero")
        XCTAssertEqual(CSVNumber.metric(-0.0001), "-0.0001")
        XCTAssertEqual(CSVNumber.orNA(nil, 4), "NA")
        XCTAssertEqual(CSVNumber.target(0.8), "0.80")
        XCTAssertEqual(CSVNumber.target(nil), "")
        XCTAssertEqual(CSVNumber.lambda(0.6), "0.6")
        XCTAssertEqual(CSVNumber.fixed(.infinity, 4), "inf")
    }

    // MARK: - CSV reading

    func testRaggedRowNamesFileAndLine() {
        XCTAssertThrowsError(try TidyCSV.parse("a,b\n1,2\n3\n", file: "x.csv")) { e in
            XCTAssertEqual(e as? ReportError, .ragged(file: "x.csv", line: 3, expected: 2, found: 1))
            XCTAssertEqual("\(e)", "x.csv:3: expected 2 fields like the header, found 1")
        }
    }

    func testUnclosedQuoteAndEmptyFile() {
        XCTAssertThrowsError(try TidyCSV.parse("a\n\"open\n", file: "q.csv")) { e in
            XCTAssertEqual(e as? ReportError, .malformed(file: "q.csv:2", expected: "a closing quote"))
        }
        XCTAssertThrowsError(try TidyCSV.parse("", file: "e.csv")) { e in
            XCTAssertEqual(e as? ReportError, .malformed(file: "e.csv", expected: "a header row"))
        }
    }

    func testNumbersAreCheckedWithTheirLine() throws {
        let t = try TidyCSV.parse("v,w\n0.5,\nabc,NA\n", file: "n.csv")
        XCTAssertEqual(try t.number(0, "v"), 0.5)
        XCTAssertNil(try t.number(0, "w"))
        XCTAssertNil(try t.number(1, "w"))
        XCTAssertThrowsError(try t.number(1, "v")) { e in
            XCTAssertEqual(e as? ReportError, .badNumber(file: "n.csv", line: 3, column: "v", value: "abc"))
        }
        XCTAssertThrowsError(try t.string(0, "zz")) { e in
            XCTAssertEqual(e as? ReportError, .missingColumn(file: "n.csv", column: "zz"))
        }
    }

    // MARK: - The paper's numbers

    static let table1Header = "dataset,backbone,method,target_sparsity,reported_sparsity,recall@5,recall@20,ndcg@5,ndcg@20,note\n"

    func testReportedTable1KeepsAmbiguousCellsAndNotes() throws {
        let text = Self.table1Header + """
            ml-1m,ncf,pep,0.95,0.95,0.0697,0.1955,,0.3379,ndcg@5 is 0.3864 or 0.3881
            ml-1m,lightgcn,ciess,0.80,0.80,0.0920,0.2436,0.4854,0.4257,
            ml-1m,lightgcn,esapn,,0.72,0.0912,0.2422,0.4771,0.4178,

            """
        let rows = try ReportedNumbers.table1(TidyCSV.parse(text, file: "table1.csv"))
        XCTAssertEqual(rows.count, 3)
        XCTAssertEqual(rows[0].backbone, "neumf")
        XCTAssertEqual(rows[0].variant, "default")
        XCTAssertNil(rows[0].values[2].value)
        XCTAssertEqual(rows[0].values[2].metric, "ndcg@5")
        XCTAssertEqual(rows[0].note, "ndcg@5 is 0.3864 or 0.3881")
        XCTAssertEqual(rows[1].variant, "g-rw")
        XCTAssertEqual(rows[1].target, "0.80")
        XCTAssertEqual(rows[2].target, "")
        XCTAssertEqual(rows[2].reportedSparsity, 0.72)
    }

    func testReportedTable1MissingColumn() {
        let text = "dataset,backbone,method,target_sparsity,reported_sparsity,recall@5,recall@20,ndcg@5,note\nml-1m,ngcf,es,0.8,0.8,0.1,0.2,0.3,\n"
        XCTAssertThrowsError(try ReportedNumbers.table1(TidyCSV.parse(text, file: "table1.csv"))) { e in
            XCTAssertEqual(e as? ReportError, .missingColumn(file: "table1.csv", column: "ndcg@20"))
        }
    }

    func testReportedTable1BadNumber() {
        let text = Self.table1Header + "ml-1m,ngcf,es,0.80,0.80,0.1,0.2x,0.3,0.4,\n"
        XCTAssertThrowsError(try ReportedNumbers.table1(TidyCSV.parse(text, file: "table1.csv"))) { e in
            XCTAssertEqual(e as? ReportError, .badNumber(file: "table1.csv", line: 2, column: "recall@20", value: "0.2x"))
            XCTAssertTrue("\(e)".contains("table1.csv:2: column 'recall@20' must be a number or empty"))
        }
    }

    func testReportedTable2MapsVariantsAndRejectsUnknownOnes() throws {
        let header = "dataset,backbone,target_sparsity,noise,random_walk,recall@20,ndcg@20\n"
        let rows = try ReportedNumbers.table2(TidyCSV.parse(header + "yelp2018,lightgcn,0.90,ou,yes,0.0734,0.0685\nml-1m,lightgcn,0.80,gaussian,no,0.2130,0.3825\n", file: "t2"))
        XCTAssertEqual(rows.map(\.variant), ["ou-rw", "g-norw"])
        XCTAssertThrowsError(try ReportedNumbers.table2(TidyCSV.parse(header + "ml-1m,lightgcn,0.80,uniform,no,0.1,0.2\n", file: "t2"))) { e in
            XCTAssertTrue("\(e)".hasPrefix("t2:2: malformed"), "\(e)")
        }
        XCTAssertThrowsError(try ReportedNumbers.table2(TidyCSV.parse(header + "ml-1m,lightgcn,,gaussian,yes,0.1,0.2\n", file: "t2"))) { e in
            XCTAssertEqual(e as? ReportError, .badNumber(file: "t2", line: 2, column: "target_sparsity", value: ""))
        }
    }

    func testTheRepositorysReportedNumbersParse() throws {
        let dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../experiments/reported")
        guard FileManager.default.fileExists(atPath: dir.appendingPathComponent("table1.csv").path) else {
            throw XCTSkip("experiments/reported not found beside the tests")
        }
        let t1 = try ReportedNumbers.table1(dir.appendingPathComponent("table1.csv"))
        let t2 = try ReportedNumbers.table2(dir.appendingPathComponent("table2.csv"))
        XCTAssertEqual(t1.count, 84)
        XCTAssertEqual(t2.count, 24)
        XCTAssertEqual(t1.filter { $0.values.contains { $0.value == nil } }.count, 2)
    }

    // MARK: - Result files

    func writeRaw(_ text: String, at id: String, in profile: URL, name: String = "result.json") throws {
        try AtomicFile.write(Data(text.utf8), to: profile.appendingPathComponent("cells/\(id)/\(name)"))
    }

    let id = "ml-1m/lightgcn/ciess/g-rw/c0.80/seed1/clean"

    func testResultThatIsNotJSON() throws {
        let p = try ReportFixture.temporaryProfile(self)
        try writeRaw("{ not json", at: id, in: p)
        XCTAssertThrowsError(try ResultScanner.scan(profileDirectory: p)) { e in
            let s = "\(e)"
            XCTAssertTrue(s.contains("\(id)/result.json: malformed (expected a CellResult JSON object (not valid JSON))"), s)
        }
    }

    func testResultMissingAKey() throws {
        let p = try ReportFixture.temporaryProfile(self)
        var json = try JSONSerialization.jsonObject(with: JSONOutput.encodeRaw(ReportFixture.result())) as! [String: Any]
        json.removeValue(forKey: "split_digest")
        try writeRaw(String(decoding: try JSONSerialization.data(withJSONObject: json), as: UTF8.self), at: id, in: p)
        XCTAssertThrowsError(try ResultScanner.scan(profileDirectory: p)) { e in
            XCTAssertTrue("\(e)".contains("missing key 'splitDigest'"), "\(e)")
        }
    }

    /// Syntactically valid results with values no run produces are refused with the file and the field.
    func testImplausibleValuesAreRefused() throws {
        var bigRecall = ReportFixture.result(target: 0.4)
        bigRecall.test!.recall20 = 5.0
        var negative = ReportFixture.result(target: 0.4)
        negative.achievedSparsity = -3
        var underTarget = ReportFixture.result(target: 0.4)
        underTarget.achievedSparsity = 0.1
        let cell = "ml-1m/lightgcn/ciess/g-rw/c0.40/seed1/clean"
        for (r, needle) in [(bigRecall, "test.recall20 in [0, 1], found 5.0"), (negative, "achieved_sparsity in [0, 1), found -3.0"),
                            (underTarget, "achieved_sparsity ≥ its target 0.4 in a result with status ok, found 0.1")] {
            let p = try ReportFixture.temporaryProfile(self)
            try writeRaw(try JSONOutput.encode(r), at: cell, in: p)
            XCTAssertThrowsError(try ResultScanner.scan(profileDirectory: p)) { e in
                XCTAssertTrue("\(e)".contains("\(cell)/result.json"), "\(e)")
                XCTAssertTrue("\(e)".contains(needle), "\(e)")
            }
        }
    }

    func testResultWithABadValue() throws {
        let p = try ReportFixture.temporaryProfile(self)
        let text = try JSONOutput.encode(ReportFixture.result()).replacingOccurrences(of: "\"status\" : \"ok\"", with: "\"status\" : \"done\"")
        try writeRaw(text, at: id, in: p)
        XCTAssertThrowsError(try ResultScanner.scan(profileDirectory: p)) { e in
            XCTAssertTrue("\(e)".contains("bad value at 'status'"), "\(e)")
        }
    }

    func testResultAtTheWrongPath() throws {
        let p = try ReportFixture.temporaryProfile(self)
        let r = ReportFixture.result(seed: 2)
        try writeRaw(try JSONOutput.encode(r), at: id, in: p)
        XCTAssertThrowsError(try ResultScanner.scan(profileDirectory: p)) { e in
            XCTAssertTrue("\(e)".contains("coordinates matching its path \(id), found ml-1m/lightgcn/ciess/g-rw/c0.80/seed2/clean"), "\(e)")
        }
        let q = try ReportFixture.temporaryProfile(self)
        try writeRaw(try JSONOutput.encode(r), at: "ml-1m/lightgcn/ciess/g-rw/seed2/clean", in: q)
        XCTAssertThrowsError(try ResultScanner.scan(profileDirectory: q)) { e in
            XCTAssertTrue("\(e)".contains("expected to lie at cells/"), "\(e)")
        }
    }

    func testOkResultWithoutMetrics() throws {
        let p = try ReportFixture.temporaryProfile(self)
        var r = ReportFixture.result()
        r.test = nil
        try ReportFixture.write(r, in: p)
        XCTAssertThrowsError(try ResultScanner.scan(profileDirectory: p)) { e in
            XCTAssertTrue("\(e)".contains("TEST metrics and the achieved sparsity"), "\(e)")
        }
    }

    func testMalformedFailure() throws {
        let p = try ReportFixture.temporaryProfile(self)
        try writeRaw("{\"cell\": \"x\"}", at: id, in: p, name: "failed.json")
        XCTAssertThrowsError(try ResultScanner.scan(profileDirectory: p)) { e in
            XCTAssertTrue("\(e)".contains("failed.json: malformed (expected a CellFailure JSON object (missing key"), "\(e)")
        }
    }

    func testMalformedHistory() throws {
        let p = try ReportFixture.temporaryProfile(self)
        try ReportFixture.writeSearch(dataset: "ml-1m", variant: "g-rw", seed: 1, episodes: 1, iterations: 2, in: p)
        let h = p.appendingPathComponent("search/ml-1m/lightgcn/ciess/g-rw/seed1/history.jsonl")
        try AtomicFile.write(Data((try String(contentsOf: h, encoding: .utf8) + "{\"episode\": 1}\n").utf8), to: h)
        XCTAssertThrowsError(try Figure3Aggregation.points(profileDirectory: p)) { e in
            XCTAssertTrue("\(e)".contains("history.jsonl:3"), "\(e)")
        }
    }

    func testMissingAggregatesTellWhatToRun() throws {
        let p = try ReportFixture.temporaryProfile(self)
        let w = ReportWriter(profile: "smoke", profileDirectory: p, reportedDirectory: p)
        XCTAssertThrowsError(try w.render()) { e in
            XCTAssertTrue("\(e)".contains("run `ciess aggregate --profile smoke` first"), "\(e)")
        }
    }
}
