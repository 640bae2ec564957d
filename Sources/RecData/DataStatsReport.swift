import Foundation

/// The printable summary of a prepared dataset (`ciess data stats`): counts overall and per split
/// role, the raw files with their origin and SHA-256, the split digest, the cache file and time.
public struct DataStatsReport: Codable, Sendable {
    public struct RawFile: Codable, Sendable {
        public var role: String
        public var file: String
        public var origin: String
        public var bytes: Int
        public var sha256: String
    }

    public var dataset: String
    public var statistics: DatasetStatistics
    public var rawFiles: [RawFile]
    public var rawDigest: String
    public var splitDigest: String
    public var sourceOrder: String
    public var cacheFile: String
    public var cacheHit: Bool
    public var seconds: Double

    public init(_ p: DatasetRegistry.Prepared, seconds: Double) {
        dataset = p.dataset.name
        statistics = p.statistics
        rawFiles = p.rawFiles.map { RawFile(role: $0.role, file: $0.path.path, origin: $0.origin, bytes: $0.bytes, sha256: $0.sha256) }
        rawDigest = p.dataset.rawDigest
        splitDigest = p.dataset.splitDigest
        sourceOrder = p.dataset.sourceOrder
        cacheFile = p.cacheFile.path
        cacheHit = p.cacheHit
        self.seconds = seconds
    }

    public func jsonLine() -> String {
        let enc = JSONEncoder()
        enc.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: (try? enc.encode(self)) ?? Data(), as: UTF8.self)
    }

    public func table() -> String {
        func row(_ label: String, _ p: DatasetStatistics.Part) -> String {
            func pad(_ s: String, _ w: Int) -> String { String(repeating: " ", count: max(0, w - s.count)) + s }
            return "  " + label.padding(toLength: 6, withPad: " ", startingAt: 0)
                + pad("\(p.interactions)", 10) + pad("\(p.users)", 8) + pad("\(p.items)", 8)
                + pad("\(p.minUserDegree)-\(p.maxUserDegree)", 12) + pad("\(p.minItemDegree)-\(p.maxItemDegree)", 12)
        }
        var lines = ["\(dataset):",
                     "  part   interact   users   items  user-degree item-degree",
                     row("all", statistics.all), row("train", statistics.train),
                     row("valid", statistics.valid), row("test", statistics.test)]
        for f in rawFiles { lines.append("  raw \(f.role): \(f.file) (\(f.origin), \(f.bytes) bytes) sha256 \(f.sha256)") }
        lines.append("  row order before the split: \(sourceOrder)")
        lines.append("  split digest: \(splitDigest)")
        lines.append("  cache: \(cacheFile) (\(cacheHit ? "hit" : "built")), \(String(format: "%.2f", seconds)) s")
        return lines.joined(separator: "\n")
    }
}
