import Foundation

/// `datasets/manifest.json`: what each dataset is made of, where its files come from and how to
/// check them, how it is preprocessed and split, and the counts the result must have.
///
/// Loading validates everything the pipeline relies on (`validate()`), so a typo in the manifest
/// is reported by name instead of surfacing later as a wrong split.
public struct DatasetManifest: Codable, Sendable, Equatable {
    /// The only manifest format version this code reads.
    public static let formatVersion = 1

    public var version: Int
    public var datasets: [Dataset]

    public struct Dataset: Codable, Sendable, Equatable {
        public var name: String
        public var description: String
        /// The required input files (ML-1M: one, Yelp2018: train and test), in the order their
        /// interactions are concatenated.
        public var files: [RequiredFile]
        public var preprocessing: Preprocessing
        public var split: SplitParameters
        public var expected: ExpectedCounts
    }

    /// One required input, available in one or more forms (`sources`).
    public struct RequiredFile: Codable, Sendable, Equatable {
        public var role: String
        public var sources: [Source]
    }

    /// One form of a required input and its integrity data. A source with `url` can be
    /// downloaded (the official form); one with `mirrorPath` can be read from `$DATA_MIRROR`.
    /// At least one of `sha256` and `gitBlob` is required; every check that is given must pass.
    public struct Source: Codable, Sendable, Equatable {
        /// File name inside `datasets/raw/<dataset>/`; distinct per distinct content.
        public var cacheName: String
        public var url: String?
        public var mirrorPath: String?
        /// For archives: the member holding the interactions (extracted with `unzip -p`).
        public var archiveMember: String?
        public var bytes: Int?
        public var sha256: String?
        public var md5: String?
        public var gitBlob: String?
        /// How to parse it: `movielens` (`::` lines) or `lightgcn-adjacency` (`user item item …`).
        public var format: String
        public var note: String?
        /// Whether the official within-user row order survives in this form (nil: `original`).
        /// `lost` needs `orderSeed`: the split first restores a seeded random order (`WithinUserOrder`).
        public var withinUserOrder: WithinUserOrder?
        public var orderSeed: UInt32?
    }

    public struct Preprocessing: Codable, Sendable, Equatable {
        /// (user, item) pairs, with raw ids, removed before the split.
        public var excludePairs: [[Int64]]
        public var deduplicate: Bool
        public var notes: [String]
    }

    public struct SplitParameters: Codable, Sendable, Equatable {
        public var seed: UInt32
        public var trainFraction: Double
        public var validEnd: Double
        public var rounding: String
    }

    public struct ExpectedCounts: Codable, Sendable, Equatable {
        public var interactions: Int
        public var users: Int
        public var items: Int
    }

    public static let formats: Set<String> = ["movielens", "lightgcn-adjacency"]

    /// Reads and validates a manifest file.
    public static func load(from url: URL) throws -> DatasetManifest {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw DataError.manifest(file: url.path, problem: "cannot read it (\(error.localizedDescription))")
        }
        let manifest: DatasetManifest
        do { manifest = try JSONDecoder().decode(DatasetManifest.self, from: data) } catch {
            throw DataError.manifest(file: url.path, problem: "not the expected JSON: \(error)")
        }
        try manifest.validate(file: url.path)
        return manifest
    }

    public func dataset(named name: String) throws -> Dataset {
        guard let d = datasets.first(where: { $0.name == name }) else {
            throw DataError.unknownDataset(name: name, known: datasets.map(\.name))
        }
        return d
    }

    /// Checks every invariant the pipeline relies on; throws `DataError.manifest` naming the field.
    public func validate(file: String) throws {
        func fail(_ problem: String) -> DataError { .manifest(file: file, problem: problem) }
        guard version == DatasetManifest.formatVersion else {
            throw fail("version is \(version), this code reads version \(DatasetManifest.formatVersion)")
        }
        guard !datasets.isEmpty else { throw fail("no datasets") }
        var names = Set<String>()
        for d in datasets {
            let at = "dataset '\(d.name)'"
            guard !d.name.isEmpty, d.name.utf8.allSatisfy({ $0 != 47 }), d.name != ".", d.name != ".." else {
                throw fail("\(at): the name must be a non-empty plain file name")
            }
            guard names.insert(d.name).inserted else { throw fail("\(at) appears twice") }
            guard !d.files.isEmpty else { throw fail("\(at): 'files' is empty") }
            var cacheNames: [String: Source] = [:]
            for f in d.files {
                guard !f.sources.isEmpty else { throw fail("\(at), file '\(f.role)': no sources") }
                for s in f.sources {
                    let sat = "\(at), file '\(f.role)', source '\(s.cacheName)'"
                    guard !s.cacheName.isEmpty, !s.cacheName.contains("/"), !s.cacheName.hasPrefix(".") else {
                        throw fail("\(sat): cacheName must be a plain file name not starting with '.'")
                    }
                    if let other = cacheNames[s.cacheName], other.sha256 != s.sha256 || other.gitBlob != s.gitBlob {
                        throw fail("\(sat): cacheName is used twice with different content")
                    }
                    cacheNames[s.cacheName] = s
                    guard s.url != nil || s.mirrorPath != nil else { throw fail("\(sat): needs a url or a mirrorPath") }
                    if let m = s.mirrorPath, m.isEmpty || m.hasPrefix("/") || m.split(separator: "/").contains("..") {
                        throw fail("\(sat): mirrorPath must be a relative path inside the mirror")
                    }
                    guard s.sha256 != nil || s.gitBlob != nil else { throw fail("\(sat): needs a sha256 or a gitBlob") }
                    if let h = s.sha256, !Hex.isLowercaseHex(h, length: 64) { throw fail("\(sat): sha256 must be 64 lowercase hex digits") }
                    if let h = s.gitBlob, !Hex.isLowercaseHex(h, length: 40) { throw fail("\(sat): gitBlob must be 40 lowercase hex digits") }
                    if let h = s.md5, !Hex.isLowercaseHex(h, length: 32) { throw fail("\(sat): md5 must be 32 lowercase hex digits") }
                    if let b = s.bytes, b < 0 { throw fail("\(sat): bytes must be non-negative") }
                    guard DatasetManifest.formats.contains(s.format) else {
                        throw fail("\(sat): format '\(s.format)' is not one of \(DatasetManifest.formats.sorted())")
                    }
                    switch (s.withinUserOrder ?? .original, s.orderSeed) {
                    case (.lost, nil):
                        throw fail("\(sat): withinUserOrder 'lost' needs an orderSeed (a non-negative integer) for the restoring shuffle")
                    case (.original, .some):
                        throw fail("\(sat): orderSeed is only valid with withinUserOrder 'lost'")
                    default: break
                    }
                    if let m = s.archiveMember, m.isEmpty || !s.cacheName.hasSuffix(".zip") {
                        throw fail("\(sat): archiveMember needs a non-empty member and a .zip cacheName")
                    }
                }
            }
            for p in d.preprocessing.excludePairs where p.count != 2 {
                throw fail("\(at): each excludePairs entry must be [user, item], got \(p)")
            }
            let sp = d.split
            guard 0 <= sp.trainFraction, sp.trainFraction <= sp.validEnd, sp.validEnd <= 1 else {
                throw fail("\(at): split fractions must satisfy 0 ≤ trainFraction ≤ validEnd ≤ 1")
            }
            guard sp.rounding == "half-even" else { throw fail("\(at): split rounding must be 'half-even'") }
            let e = d.expected
            guard e.interactions > 0, e.users > 0, e.items > 0 else {
                throw fail("\(at): expected counts must be positive")
            }
        }
    }
}
