import Foundation

/// The entry point of the data pipeline: `load("ml-1m" | "yelp2018", …)` returns the split
/// dataset after fetch → verify → parse → preprocess → split → statistics gate, or after a
/// cache hit (still verified raw files, then the statistics gate). Nothing reads the mirror or
/// the raw files except through this path.
public enum DatasetRegistry {
    /// The data root: `$CIESS_DATA_DIR`, else `datasets` relative to the current directory.
    public static func defaultDataRoot(environment: [String: String] = ProcessInfo.processInfo.environment) -> URL {
        if let d = environment["CIESS_DATA_DIR"], !d.isEmpty { return URL(fileURLWithPath: d) }
        return URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent("datasets")
    }

    /// The offline mirror: `$DATA_MIRROR` if set, else none.
    public static func defaultMirror(environment: [String: String] = ProcessInfo.processInfo.environment) -> URL? {
        guard let m = environment["DATA_MIRROR"], !m.isEmpty else { return nil }
        return URL(fileURLWithPath: m)
    }

    /// The manifest: `$CIESS_MANIFEST` if set, else `<dataRoot>/manifest.json`.
    public static func manifestURL(dataRoot: URL, environment: [String: String] = ProcessInfo.processInfo.environment) -> URL {
        if let m = environment["CIESS_MANIFEST"], !m.isEmpty { return URL(fileURLWithPath: m) }
        return dataRoot.appendingPathComponent("manifest.json")
    }

    /// Everything `prepare` learned, for the CLI and for provenance.
    public struct Prepared: Sendable {
        public var dataset: SplitDataset
        public var statistics: DatasetStatistics
        public var rawFiles: [DatasetFetcher.FetchedFile]
        public var cacheFile: URL
        public var cacheHit: Bool
        public var preprocessing: InteractionPreprocessing.Report?
    }

    public static func load(_ name: String, dataRoot: URL = defaultDataRoot(), mirror: URL? = defaultMirror(),
                            manifest: URL? = nil, allowDownload: Bool = true,
                            progress: ((String) -> Void)? = nil) throws -> SplitDataset {
        try prepare(name, dataRoot: dataRoot, mirror: mirror, manifest: manifest,
                    allowDownload: allowDownload, progress: progress).dataset
    }

    public static func prepare(_ name: String, dataRoot: URL = defaultDataRoot(), mirror: URL? = defaultMirror(),
                               manifest manifestFile: URL? = nil, allowDownload: Bool = true,
                               progress: ((String) -> Void)? = nil) throws -> Prepared {
        let manifestPath = manifestFile ?? manifestURL(dataRoot: dataRoot)
        guard FileManager.default.fileExists(atPath: manifestPath.path) else {
            throw DataError.manifest(file: manifestPath.path, problem: "no such file; run from the repository root "
                + "(data root ./datasets), or set CIESS_DATA_DIR to a directory holding manifest.json, "
                + "or CIESS_MANIFEST to the manifest file")
        }
        let manifest = try DatasetManifest.load(from: manifestPath)
        let entry = try manifest.dataset(named: name)
        let fetcher = DatasetFetcher(dataRoot: dataRoot, mirror: mirror, allowDownload: allowDownload)
        let files = try fetcher.fetch(entry, progress: progress)
        let rawDigest = files.map(\.sha256).joined(separator: "+")
        let sourceOrder = files.map { WithinUserOrder.describe($0.source) }.joined(separator: "; ")
        let key = SplitCache.key(dataset: entry, rawDigest: rawDigest, sourceOrder: sourceOrder)
        let cacheFile = SplitCache.path(dataRoot: dataRoot, dataset: name, key: key)
        if let cached = SplitCache.load(from: cacheFile, problem: { progress?($0) }) {
            if cached.name == name && cached.rawDigest == rawDigest && cached.sourceOrder == sourceOrder {
                let stats = DatasetStatistics(cached)
                try stats.verify(expected: entry.expected)
                return Prepared(dataset: cached, statistics: stats, rawFiles: files, cacheFile: cacheFile,
                                cacheHit: true, preprocessing: nil)
            }
            progress?("\(cacheFile.path): names another dataset or raw digest; rebuilding")
            try? FileManager.default.removeItem(at: cacheFile)
        }
        progress?("\(name): parsing")
        var raw = RawInteractions()
        for f in files { raw.append(try parseInSplitOrder(f, progress: progress)) }
        let pre = InteractionPreprocessing(excludedPairs: entry.preprocessing.excludePairs.map { (user: $0[0], item: $0[1]) })
        var (clean, report) = pre.apply(raw)
        if !entry.preprocessing.deduplicate && report.duplicateRows > 0 {
            throw DataError.statistics(dataset: name, mismatches: ["\(report.duplicateRows) repeated pairs, but the manifest says not to de-duplicate"])
        }
        raw = RawInteractions()
        progress?("\(name): \(report.inputRows) rows read, \(report.excludedRows) excluded, \(report.duplicateRows) repeated; splitting")
        let split = StratifiedSplit(seed: entry.split.seed, trainFraction: entry.split.trainFraction, validEnd: entry.split.validEnd)
        let dataset = split.split(clean, name: name, rawDigest: rawDigest, sourceOrder: sourceOrder)
        clean = RawInteractions()
        let stats = DatasetStatistics(dataset)
        try stats.verify(expected: entry.expected)
        try SplitCache.save(dataset, to: cacheFile)
        return Prepared(dataset: dataset, statistics: stats, rawFiles: files, cacheFile: cacheFile,
                        cacheHit: false, preprocessing: report)
    }

    /// A verified raw file's rows in the order the split takes them: as parsed, or, for a source whose
    /// within-user order is lost, after the seeded restoring shuffle (`WithinUserOrder.restore`).
    static func parseInSplitOrder(_ f: DatasetFetcher.FetchedFile, progress: ((String) -> Void)?) throws -> RawInteractions {
        let rows = try parse(f)
        guard f.source.withinUserOrder == .lost, let seed = f.source.orderSeed else { return rows }
        progress?("\(f.source.cacheName): within-user row order is lost (sorted); restoring a random order with seed \(seed)")
        return WithinUserOrder.restore(rows, seed: seed)
    }

    /// Parses one verified raw file according to its source's format (extracting the archive
    /// member first for zip sources).
    static func parse(_ f: DatasetFetcher.FetchedFile) throws -> RawInteractions {
        let s = f.source
        let data: Data
        let display: String
        if let member = s.archiveMember {
            data = try ExternalTool.run("unzip", ["-p", f.path.path, member])
            display = "\(f.path.path):\(member)"
        } else {
            do { data = try Data(contentsOf: f.path, options: .alwaysMapped) } catch {
                throw DataError.io(file: f.path.path, problem: "cannot read: \(error.localizedDescription)")
            }
            display = f.path.path
        }
        switch s.format {
        case "movielens": return try MovieLensParser.parse(data, fileName: display)
        case "lightgcn-adjacency": return try AdjacencyListParser.parse(data, fileName: display)
        default: throw DataError.manifest(file: display, problem: "unknown format '\(s.format)'")
        }
    }
}
