import Crypto
import Foundation
import XCTest
@testable import RecData

/// A temporary directory with a data root, a mirror and a manifest for one tiny dataset, made in
/// code for each test and removed afterwards.
final class TinyWorld {
    let root: URL
    let dataRoot: URL
    let mirror: URL
    let manifestURL: URL
    /// Pairs file in the mirror: 4 users; (1, 1193) is excluded by the manifest.
    let content: Data

    static let pairs = (0..<4).flatMap { u in (0..<(6 + u)).map { k in "\(u + 1)::\(1000 + (u * 3 + k * 7) % 23)\n" } }
        .joined() + "1::1193\n"

    init(file: StaticString = #filePath) throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("recdata-\(UUID().uuidString)")
        dataRoot = root.appendingPathComponent("datasets")
        mirror = root.appendingPathComponent("mirror")
        manifestURL = dataRoot.appendingPathComponent("manifest.json")
        content = Data(Self.pairs.utf8)
        try FileManager.default.createDirectory(at: mirror.appendingPathComponent("tiny"), withIntermediateDirectories: true)
        try content.write(to: mirror.appendingPathComponent("tiny/pairs.dat"))
        try writeManifest(source: source())
    }

    func source(sha256: String? = nil, bytes: Int? = nil, url: String? = nil, mirrorPath: String? = "tiny/pairs.dat",
                cacheName: String = "pairs.dat", archiveMember: String? = nil) -> DatasetManifest.Source {
        DatasetManifest.Source(cacheName: cacheName, url: url, mirrorPath: mirrorPath, archiveMember: archiveMember,
                               bytes: bytes ?? content.count, sha256: sha256 ?? SHA256.hex(content), md5: nil,
                               gitBlob: Insecure.SHA1.gitBlobId(of: content), format: "movielens", note: nil)
    }

    var expected: DatasetManifest.ExpectedCounts {
        // 6+7+8+9 = 30 rows; recomputed here from the generator so the test does not hide a miscount.
        let lines = Self.pairs.split(separator: "\n").map { $0.split(separator: ":").filter { !$0.isEmpty }.map { Int64($0)! } }
        let kept = Set(lines.filter { !($0[0] == 1 && $0[1] == 1193) }.map { [$0[0], $0[1]] })
        return .init(interactions: kept.count, users: Set(kept.map { $0[0] }).count, items: Set(kept.map { $0[1] }).count)
    }

    func dataset(_ source: DatasetManifest.Source, expected: DatasetManifest.ExpectedCounts? = nil) -> DatasetManifest.Dataset {
        DatasetManifest.Dataset(
            name: "tiny", description: "test fixture",
            files: [.init(role: "interactions", sources: [source])],
            preprocessing: .init(excludePairs: [[1, 1193]], deduplicate: true, notes: []),
            split: .init(seed: 42, trainFraction: 0.5, validEnd: 0.75, rounding: "half-even"),
            expected: expected ?? self.expected)
    }

    func writeManifest(source: DatasetManifest.Source, expected: DatasetManifest.ExpectedCounts? = nil) throws {
        let m = DatasetManifest(version: 1, datasets: [dataset(source, expected: expected)])
        try FileManager.default.createDirectory(at: dataRoot, withIntermediateDirectories: true)
        try JSONEncoder().encode(m).write(to: manifestURL)
    }

    var rawDir: URL { dataRoot.appendingPathComponent("raw/tiny") }

    func rawFiles() -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: rawDir.path)) ?? []).sorted()
    }

    deinit { try? FileManager.default.removeItem(at: root) }
}
