import Foundation

/// Our aggregated value for one metric of one grid point under one protocol.
public struct OurValue: Sendable, Equatable {
    /// "ok", "not_reached" or "failed" (the group status of the aggregated CSV).
    public var status: String
    public var n: Int
    public var mean: Double?
    /// 95 % CI half-width; nil with one seed.
    public var ci: Double?

    public init(status: String, n: Int, mean: Double?, ci: Double?) {
        self.status = status
        self.n = n
        self.mean = mean
        self.ci = ci
    }

    /// Whether this is a result (metrics, or a search that found no mask for the target).
    public var isResult: Bool { (status == "ok" && mean != nil) || status == CellResult.Status.notReached.rawValue }

    /// The value set against the paper's (REPORT.md's diff column, Figure 7): the test-selected (P-code) value
    /// when it is a result, else the P-clean one, with its protocol ("code" or "clean"); nil when neither exists.
    /// A P-code target that was not reached is chosen too, so it never falls back to P-clean (it has no mean).
    public static func compared(testSelected: OurValue?, clean: OurValue?) -> (value: OurValue, protocol: String)? {
        if let code = testSelected, code.isResult { return (code, "code") }
        return clean.map { ($0, "clean") }
    }
}

/// How our number compares with the paper's.
///
/// - reproduced: the P-code ("test-selected", the protocol comparable to the paper) mean has the
///   paper's value within its 95 % CI, or differs from it by at most 5 % of the paper's value;
/// - deviates: a P-code result exists and does neither (a target not reached deviates too);
/// - protocol differs: only a P-clean result exists (not comparable to the paper's protocol);
/// - not run: no result under either protocol;
/// - paper value ambiguous: we have a result but the paper's value could not be extracted (see the note).
public enum Verdict: String, Sendable, CaseIterable {
    case reproduced
    case deviates
    case protocolDiffers = "protocol differs"
    case notRun = "not run"
    case ambiguous = "paper value ambiguous"

    public static let relativeTolerance = 0.05

    public static func judge(paper: Double?, testSelected: OurValue?, clean: OurValue?) -> Verdict {
        let code = testSelected.flatMap { $0.isResult ? $0 : nil }
        let cleanResult = clean.flatMap { $0.isResult ? $0 : nil }
        guard code != nil || cleanResult != nil else { return .notRun }
        guard let paper else { return .ambiguous }
        guard let code else { return .protocolDiffers }
        guard let mean = code.mean else { return .deviates }
        return agrees(paper: paper, mean: mean, ci: code.ci) ? .reproduced : .deviates
    }

    /// The reproduced rule: paper ∈ [mean − ci, mean + ci], or |mean − paper| ≤ 5 % of |paper|.
    public static func agrees(paper: Double, mean: Double, ci: Double?) -> Bool {
        let diff = abs(mean - paper)
        if let ci, diff <= ci { return true }
        return diff <= relativeTolerance * abs(paper) + 1e-12
    }
}
