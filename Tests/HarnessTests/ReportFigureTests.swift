import XCTest
import Foundation
@testable import Harness
import RecData

/// The gnuplot figures (skipped where gnuplot is not installed): they render from the aggregated
/// CSVs, a rebuild from the same CSVs is byte-identical, and empty CSVs still give valid figures.
final class ReportFigureTests: XCTestCase {
    var repository: URL { URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../..").standardized }

    func render(_ profile: URL) throws -> (status: Int32, output: String) {
        let r = try ExternalTool.launch("bash", [repository.appendingPathComponent("scripts/render-figures.sh").path,
                                                 profile.lastPathComponent],
                                        environment: ["CIESS_RESULTS_DIR": profile.deletingLastPathComponent().path])
        return (r.status, String(decoding: r.stdout + r.stderr, as: UTF8.self))
    }

    func requireGnuplot() throws {
        let ok = ["/usr/bin/gnuplot", "/usr/local/bin/gnuplot"].contains { FileManager.default.isExecutableFile(atPath: $0) }
        if !ok { throw XCTSkip("gnuplot is not installed (make deps)") }
    }

    var outputs: [String] { (3...7).flatMap { n in ["png", "svg"].map { "figures/figure-\(n).\($0)" } } }

    func testFiguresRebuildByteIdentically() throws {
        try requireGnuplot()
        let p = try ReportFixture.temporaryProfile(self)
        try ReportFixture.writeLargeGrid(in: p)
        try ReportFixture.aggregate(p)
        let first = try render(p)
        XCTAssertEqual(first.status, 0, first.output)
        let before = try outputs.map { try Data(contentsOf: p.appendingPathComponent($0)) }
        XCTAssertTrue(before.allSatisfy { $0.count > 10_000 })
        XCTAssertEqual(before[0].prefix(4), Data([0x89, 0x50, 0x4E, 0x47]), "PNG signature")
        let second = try render(p)
        XCTAssertEqual(second.status, 0, second.output)
        for (name, data) in zip(outputs, before) {
            XCTAssertEqual(try Data(contentsOf: p.appendingPathComponent(name)), data, "\(name) differs after a rebuild")
        }
    }

    func testEmptyDataStillRendersEveryFigure() throws {
        try requireGnuplot()
        let p = try ReportFixture.temporaryProfile(self)
        try ReportFixture.aggregate(p)
        let r = try render(p)
        XCTAssertEqual(r.status, 0, r.output)
        for name in outputs {
            XCTAssertTrue(FileManager.default.fileExists(atPath: p.appendingPathComponent(name).path), name)
        }
        for n in [4, 7] {
            let svg = try String(contentsOf: p.appendingPathComponent("figures/figure-\(n).svg"), encoding: .utf8)
            XCTAssertTrue(svg.contains("no data"), "figure-\(n).svg")
        }
    }

    func testMissingCSVIsAClearError() throws {
        try requireGnuplot()
        let p = try ReportFixture.temporaryProfile(self)
        let r = try render(p)
        XCTAssertNotEqual(r.status, 0)
        XCTAssertTrue(r.output.contains("figure-3.csv is missing; run: ciess aggregate --profile smoke"), r.output)
    }
}
