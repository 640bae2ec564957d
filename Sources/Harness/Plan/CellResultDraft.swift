import Evaluation
import Foundation
import SizeSearch

/// The fields of a `CellResult`, turned into one through its own Codable form. (Inside `Harness`
/// a direct memberwise call is ambiguous while `Report/CellResult+Init.swift` redeclares the
/// memberwise initialiser as public; going through the coding keeps the runner independent of that.)
struct CellResultDraft: Encodable {
    var cell: String
    var profile: String
    var dataset: String
    var backbone: String
    var method: String
    var variant: String
    var targetSparsity: Double?
    var lambda: Double?
    var seed: UInt64
    var finalProtocol: String
    var protocolLabel: String
    var status: CellResult.Status
    var achievedSparsity: Double?
    var valid: MetricSummary?
    var test: MetricSummary?
    var bestChunk: Int?
    var chunksRun: Int?
    var audit: Budget.Audit?
    var searchDirectory: String
    var configHash: String
    var rawDigest: String
    var splitDigest: String
    var provenance: Provenance
    var wallSeconds: Double

    func result() throws -> CellResult {
        try JSONOutput.decoder.decode(CellResult.self, from: try JSONOutput.encodeRaw(self))
    }
}
