import Foundation
import Recommenders

/// One profile of `experiments/profiles.json`: the paper's grid with a budget of compute.
///
/// A profile fixes every axis of the grid (datasets, backbones, budgets c, methods, seeds) and
/// every setting the stages take (CIESS episodes/iterations/batches, CONVERGE of pretraining and
/// retraining, batch size, threads per cell), plus the per-table and per-figure extras (Table 2's
/// variants, Figure 4's λ grids, Figure 5's interval count, which protocols each table uses).
/// `ExperimentProfiles.load` rejects a file that is missing a field, has a wrong type, names an
/// unknown method/dataset/backbone/variant/protocol, or has a value out of range, with a message
/// naming the profile and the field.
public struct ExperimentProfile: Sendable, Codable, Equatable {
    /// CONVERGE settings as written in the file (chunk length in batches, patience, chunk cap).
    public struct Converge: Sendable, Codable, Equatable {
        public var chunkBatches: Int
        public var patience: Int
        public var maxChunks: Int

        public init(chunkBatches: Int, patience: Int, maxChunks: Int) {
            self.chunkBatches = chunkBatches
            self.patience = patience
            self.maxChunks = maxChunks
        }

        public var config: ConvergeConfig { ConvergeConfig(chunkBatches: chunkBatches, patience: patience, maxChunks: maxChunks) }
    }

    /// CIESS search settings. `batchesPerIteration`: per backbone, per dataset; a missing entry
    /// (or a null map) means the value of docs/method.md §2.4. `lambda`: per dataset, the default λ (the
    /// λ of Table 1, Table 2, Figures 3 and 5).
    public struct CIESS: Sendable, Codable, Equatable {
        public var episodes: Int
        public var iterations: Int
        public var batchesPerIteration: [String: [String: Int]]?
        public var pretrain: Converge
        public var lambda: [String: Double]
        /// Candidates retrained per target (docs/method.md §1.11: l = 3).
        public var candidates: Int

        public func batches(backbone: BackboneKind, dataset: String) -> Int {
            batchesPerIteration?[backbone.rawValue]?[dataset] ?? backbone.batchesPerIteration(dataset: dataset)
        }
    }

    /// Which backbones, variants and protocols one table or figure uses.
    public struct Table1: Sendable, Codable, Equatable {
        public var protocols: [String]
        /// Optional: the backbones of one dataset when not all of `backbones` (smoke runs NGCF and
        /// NeuMF on ML-1M only); a dataset not listed uses `backbones`.
        public var datasetBackbones: [String: [String]]?

        public init(protocols: [String], datasetBackbones: [String: [String]]? = nil) {
            self.protocols = protocols
            self.datasetBackbones = datasetBackbones
        }
    }

    public struct Table2: Sendable, Codable, Equatable {
        public var backbones: [String]
        public var variants: [String]
        public var protocols: [String]
    }

    public struct Figure3: Sendable, Codable, Equatable {
        public var backbones: [String]
        public var variants: [String]
    }

    public struct Figure4: Sendable, Codable, Equatable {
        public var backbones: [String]
        /// λ grid per dataset.
        public var lambdas: [String: [Double]]
        public var protocols: [String]
    }

    public struct Figure5: Sendable, Codable, Equatable {
        public var backbones: [String]
        /// The M episodes are cut into this many equal intervals (must divide M).
        public var intervals: Int
        public var protocols: [String]
    }

    public var description: String
    public var datasets: [String]
    public var backbones: [String]
    public var budgets: [Double]
    public var methods: [String]
    /// Default seeds of every method; `methodSeeds` overrides per method (e.g. MR over several seeds).
    public var seeds: [UInt64]
    public var methodSeeds: [String: [UInt64]]
    public var batchSize: Int
    public var threadsPerCell: Int
    public var ciess: CIESS
    public var retrain: Converge
    public var table1: Table1
    public var table2: Table2
    public var figure3: Figure3
    public var figure4: Figure4
    public var figure5: Figure5
    /// PEP, ESAPN and OptEmbed search settings; nil = `BaselineSettings.paper`.
    public var baselines: BaselineSettings?

    public var baselineSettings: BaselineSettings { baselines ?? .paper }

    public func seeds(for method: String) -> [UInt64] { methodSeeds[method] ?? seeds }

    /// Table 1's backbones for a dataset.
    public func table1Backbones(dataset: String) -> [String] { table1.datasetBackbones?[dataset] ?? backbones }

    /// The λ of the default (Table 1) CIESS search for a dataset.
    public func defaultLambda(dataset: String) -> Double { ciess.lambda[dataset] ?? (dataset == "yelp2018" ? 0.2 : 0.4) }
}

/// Names the grid may use.
public enum GridVocabulary {
    public static let datasets = ["ml-1m", "yelp2018"]
    public static let backbones = BackboneKind.allCases.map(\.rawValue)
    public static let methods = ["ciess", "pep", "es", "mr", "esapn", "optembed"]
    /// Uncontrolled methods run once per backbone/dataset (cTag "cnone").
    public static let uncontrolledMethods = ["esapn", "optembed"]
    public static let protocols = ["clean", "code"]
    /// CIESS search variants: noise × random walk.
    public static let noises = ["g": "gaussian", "ou": "ou", "u": "uniform"]
}

/// The file `experiments/profiles.json`: `{"profiles": {"paper": {...}, "quick": {...}, "smoke": {...}}}`.
public struct ExperimentProfiles: Sendable, Codable, Equatable {
    public var profiles: [String: ExperimentProfile]

    public static let defaultPath = "experiments/profiles.json"

    /// Decodes and validates; every error names the file, the profile and the field.
    public static func load(_ url: URL) throws -> ExperimentProfiles {
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw ProfileError.unreadable(url.path)
        }
        return try decode(data, source: url.path)
    }

    public static func decode(_ data: Data, source: String) throws -> ExperimentProfiles {
        let decoded: ExperimentProfiles
        do {
            decoded = try JSONOutput.decoder.decode(ExperimentProfiles.self, from: data)
        } catch let e as DecodingError {
            if case .dataCorrupted(let ctx) = e, ctx.codingPath.isEmpty {
                throw ProfileError.malformed(source, JSONProblem.locate(data) ?? ProfileError.describe(e))
            }
            throw ProfileError.malformed(source, ProfileError.describe(e))
        } catch {
            throw ProfileError.malformed(source, "\(error)")
        }
        try ProfileValidation.rejectUnknownFields(data, source: source)
        for name in decoded.profiles.keys.sorted() {
            try ProfileValidation.validate(decoded.profiles[name]!, name: name, source: source)
        }
        return decoded
    }

    /// The named profile, or an error listing the ones the file defines.
    public func profile(_ name: String) throws -> ExperimentProfile {
        guard let p = profiles[name] else { throw ProfileError.unknownProfile(name, profiles.keys.sorted()) }
        return p
    }
}
