import Evaluation
import Foundation
import SizeSearch

/// What one finished retrain cell records (`results/<profile>/cells/<cell id>/result.json`).
///
/// This is the only input of aggregation, the tables and the report, so it carries everything a
/// printed number needs to be traced: the cell's coordinates, the metrics, the achieved sparsity
/// (computed from the mask by the budget auditor), the protocol, and provenance (code, data,
/// machine, seed, threads, wall time, config hash).
public struct CellResult: Sendable, Codable, Equatable {
    /// `ok`: trained and within budget; `notReached`: the search produced no mask for the target
    /// (CIESS never relaxes c); `overBudget`: a controlled method's mask exceeds the budget (never
    /// enters a table).
    public enum Status: String, Sendable, Codable {
        case ok
        case notReached = "not_reached"
        case overBudget = "over_budget"
    }

    public var cell: String
    public var profile: String
    public var dataset: String
    public var backbone: String
    public var method: String
    /// Method variant, e.g. "g-rw", "ou-rw", "u-rw", "g-norw", "g-rw-l0.6", "g-rw-i2"; "default" otherwise.
    public var variant: String
    /// The budget c (nil for uncontrolled methods run once per backbone/dataset: ESAPN, OptEmbed).
    public var targetSparsity: Double?
    public var lambda: Double?
    public var seed: UInt64
    /// "clean" or "code".
    public var finalProtocol: String
    public var protocolLabel: String
    public var status: Status
    public var achievedSparsity: Double?
    public var valid: MetricSummary?
    public var test: MetricSummary?
    public var bestChunk: Int?
    public var chunksRun: Int?
    /// P-code: TEST after exactly K* chunks (K* of the full-size pretraining) of the top-ranked
    /// candidate — the fixed-budget, selection-free number reported beside the test-selected `test`.
    public var fixedChunkTest: FixedChunkTest? = nil
    public var audit: Budget.Audit?
    /// The search stage this retrain consumed, relative to the profile's result directory.
    public var searchDirectory: String
    /// SHA-256 (first 16 hex digits) of the cell's canonical settings.
    public var configHash: String
    public var rawDigest: String
    public var splitDigest: String
    public var provenance: Provenance
    public var wallSeconds: Double
    /// How the raw rows were ordered before the split (`SplitDataset.sourceOrder`; it is also in the split digest).
    public var sourceOrder: String = "as distributed"
}

/// A cell whose command failed (`failed.json` beside where `result.json` would be); the run goes
/// on with the other cells and the summary names every failure.
public struct CellFailure: Sendable, Codable, Equatable {
    public var cell: String
    public var stage: String
    public var exitStatus: Int32
    public var logTail: [String]
    public var time: String
}
