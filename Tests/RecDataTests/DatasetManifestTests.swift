import XCTest
@testable import RecData

final class DatasetManifestTests: XCTestCase {
    /// The repository's own manifest loads, validates and states the facts of docs/method.md §4.1.
    func testRepositoryManifest() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("datasets/manifest.json")
        let m = try DatasetManifest.load(from: url)
        XCTAssertEqual(m.datasets.map(\.name), ["ml-1m", "yelp2018"])
        let ml = try m.dataset(named: "ml-1m")
        XCTAssertEqual(ml.expected, .init(interactions: 1_000_208, users: 6040, items: 3706))
        XCTAssertEqual(ml.preprocessing.excludePairs, [[1, 1193]])
        XCTAssertEqual(ml.files[0].sources.compactMap(\.md5), ["c4d9eecfca2ab87c1945afe126590906"])
        let yelp = try m.dataset(named: "yelp2018")
        XCTAssertEqual(yelp.expected, .init(interactions: 1_561_406, users: 31668, items: 38048))
        XCTAssertEqual(yelp.files.map(\.role), ["train", "test"])
        for d in m.datasets {
            XCTAssertEqual(d.split, .init(seed: 42, trainFraction: 0.5, validEnd: 0.75, rounding: "half-even"))
        }
        // The sorted mirror forms declare their lost row order (restored with seed 1); official forms do not.
        let sources = m.datasets.flatMap(\.files).flatMap(\.sources)
        XCTAssertEqual(sources.filter { $0.withinUserOrder == .lost }.map(\.cacheName), ["interactions.dat", "train.rebuilt.txt"])
        XCTAssertEqual(sources.filter { $0.withinUserOrder == .lost }.map(\.orderSeed), [1, 1])
        XCTAssertTrue(sources.filter { $0.url != nil }.allSatisfy { $0.withinUserOrder == nil && $0.orderSeed == nil })
    }

    func check(_ mutate: (inout DatasetManifest) -> Void, contains text: String, line: UInt = #line) throws {
        let w = try TinyWorld()
        var m = DatasetManifest(version: 1, datasets: [w.dataset(w.source())])
        XCTAssertNoThrow(try m.validate(file: "m.json"), line: line)
        mutate(&m)
        XCTAssertThrowsError(try m.validate(file: "m.json"), line: line) { e in
            XCTAssertTrue("\(e)".hasPrefix("m.json: invalid manifest: "), "\(e)", line: line)
            XCTAssertTrue("\(e)".contains(text), "\(e)", line: line)
        }
    }

    func testValidationErrors() throws {
        try check({ $0.version = 2 }, contains: "version is 2")
        try check({ $0.datasets = [] }, contains: "no datasets")
        try check({ $0.datasets.append($0.datasets[0]) }, contains: "appears twice")
        try check({ $0.datasets[0].files[0].sources[0].sha256 = "ABC" }, contains: "sha256 must be 64 lowercase hex")
        try check({ $0.datasets[0].files[0].sources[0].sha256 = nil; $0.datasets[0].files[0].sources[0].gitBlob = nil },
                  contains: "needs a sha256 or a gitBlob")
        try check({ $0.datasets[0].files[0].sources[0].mirrorPath = "../etc/passwd" }, contains: "mirrorPath must be a relative path")
        try check({ $0.datasets[0].files[0].sources[0].cacheName = "a/b" }, contains: "cacheName must be a plain file name")
        try check({ $0.datasets[0].files[0].sources[0].format = "csv" }, contains: "format 'csv' is not one of")
        try check({ $0.datasets[0].files[0].sources = [] }, contains: "no sources")
        try check({ $0.datasets[0].preprocessing.excludePairs = [[1]] }, contains: "[user, item]")
        try check({ $0.datasets[0].split.validEnd = 0.4 }, contains: "split fractions")
        try check({ $0.datasets[0].expected.items = 0 }, contains: "expected counts must be positive")
        try check({ $0.datasets[0].files[0].sources[0].archiveMember = "x" }, contains: "archiveMember")
        try check({ $0.datasets[0].files[0].sources[0].withinUserOrder = .lost }, contains: "'lost' needs an orderSeed")
        try check({ $0.datasets[0].files[0].sources[0].orderSeed = 3 }, contains: "orderSeed is only valid with withinUserOrder 'lost'")
        try check({ $0.datasets[0].files[0].sources[0].withinUserOrder = .original; $0.datasets[0].files[0].sources[0].orderSeed = 3 },
                  contains: "orderSeed is only valid")
    }

    func testUnknownRowOrderIsRefusedWithTheKey() throws {
        let w = try TinyWorld()
        let text = String(decoding: try Data(contentsOf: w.manifestURL), as: UTF8.self)
            .replacingOccurrences(of: "\"format\":", with: "\"withinUserOrder\":\"shuffled\",\"format\":")
        try Data(text.utf8).write(to: w.manifestURL)
        XCTAssertThrowsError(try DatasetManifest.load(from: w.manifestURL)) { e in
            XCTAssertTrue("\(e)".contains("invalid manifest"), "\(e)")
            XCTAssertTrue("\(e)".contains("withinUserOrder"), "\(e)")
        }
    }

    func testMalformedJSONIsReportedWithFile() throws {
        let w = try TinyWorld()
        try Data("{\"version\": 1,".utf8).write(to: w.manifestURL)
        XCTAssertThrowsError(try DatasetManifest.load(from: w.manifestURL)) { e in
            XCTAssertTrue("\(e)".hasPrefix("\(w.manifestURL.path): invalid manifest"), "\(e)")
        }
        XCTAssertThrowsError(try DatasetManifest.load(from: w.root.appendingPathComponent("none.json"))) { e in
            XCTAssertTrue("\(e)".contains("cannot read"), "\(e)")
        }
    }
}
