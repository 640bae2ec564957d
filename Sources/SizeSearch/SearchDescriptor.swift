import Foundation
import RecData
import Recommenders

/// What every search directory records about itself (`descriptor.json`), so the shared retrain
/// stage knows the method, dataset, backbone and seed without being told again.
public struct SearchDescriptor: Sendable, Codable, Equatable {
    public var method: String
    public var dataset: String
    public var backbone: BackboneKind
    public var seed: UInt64

    public init(method: String, dataset: String, backbone: BackboneKind, seed: UInt64) {
        self.method = method
        self.dataset = dataset
        self.backbone = backbone
        self.seed = seed
    }

    public static let fileName = "descriptor.json"

    public func write(to dir: URL) throws {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .prettyPrinted]
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let url = dir.appendingPathComponent(Self.fileName)
        if let old = try? Self.read(dir), old != self { throw SearchStageError.configurationChanged(dir.path) }
        try AtomicFile.write(try e.encode(self), to: url)
    }

    public static func read(_ dir: URL) throws -> SearchDescriptor {
        let url = dir.appendingPathComponent(fileName)
        guard let data = FileManager.default.contents(atPath: url.path) else { throw SearchStageError.missing(url.path) }
        do { return try JSONDecoder().decode(SearchDescriptor.self, from: data) } catch {
            throw SearchStageError.corrupt(url.path, "expected method, dataset, backbone and seed")
        }
    }
}

/// ES and MR as search stages: their sizes need no training, so the "search" writes one size
/// vector per target and a candidates list with that single candidate, and the shared retrain
/// stage trains it like any CIESS candidate.
public enum FixedSizeSearch {
    public static func run(method: String, dataset d: SplitDataset, backbone: BackboneKind, targets: [Double],
                           seed: UInt64, directory dir: URL) throws -> [CIESSCandidates.Selection] {
        try SearchDescriptor(method: method, dataset: d.name, backbone: backbone, seed: seed).write(to: dir)
        var selections: [CIESSCandidates.Selection] = []
        for (k, c) in targets.enumerated() {
            let sizes: EmbeddingSizes
            switch method {
            case "es": sizes = EqualSizes.sizes(userCount: d.userCount, itemCount: d.itemCount, targetSparsity: c)
            case "mr": sizes = MixedRandom.sizes(userCount: d.userCount, itemCount: d.itemCount, targetSparsity: c, seed: seed)
            default: preconditionFailure("FixedSizeSearch handles es and mr, not \(method)")
            }
            let path = String(format: "sizes/%@-c%.2f.bin", method, c)
            try FileManager.default.createDirectory(at: dir.appendingPathComponent("sizes"), withIntermediateDirectories: true)
            try SizeVectorFile.write(sizes, to: dir.appendingPathComponent(path))
            selections.append(.init(targetSparsity: c, candidates: [
                .init(episode: 0, iteration: k, density: sizes.density, validAVG: 0, sizesFile: path)]))
        }
        try CIESSCandidates.save(selections, to: dir.appendingPathComponent(CIESSCandidates.fileName))
        try AtomicFile.write(Data("{\"method\": \"\(method)\"}\n".utf8), to: dir.appendingPathComponent("search.json"))
        return selections
    }
}
