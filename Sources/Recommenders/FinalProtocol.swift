import RecData

/// The final training protocols of docs/method.md §4.5 — which split trains, which monitors, which reports.
///
/// | protocol | trains on | CONVERGE monitor (excluded) | reported |
/// |---|---|---|---|
/// | `clean` (headline) | TRAIN | VAL AVG (TRAIN) | TEST (TRAIN ∪ VAL excluded) at the best VAL chunk |
/// | `code` ("test-selected") | TRAIN ∪ VAL, graph rebuilt | TEST AVG (TRAIN ∪ VAL) | TEST at the best TEST chunk |
public enum FinalProtocol: String, Sendable, Codable, CaseIterable {
    case clean
    case code

    /// The interactions the model trains on (and builds its graph from).
    public func trainingSet(of d: SplitDataset) -> UserItemLists {
        switch self {
        case .clean: return d.train
        case .code: return d.train.union(d.valid)
        }
    }

    /// The split whose AVG drives CONVERGE, and the lists excluded from its ranking.
    public func monitor(of d: SplitDataset) -> (positives: UserItemLists, exclude: [UserItemLists]) {
        switch self {
        case .clean: return (d.valid, [d.train])
        case .code: return (d.test, [d.train, d.valid])
        }
    }

    /// A label for tables: P-code numbers are selected on TEST and must say so.
    public var label: String {
        switch self {
        case .clean: return "P-clean"
        case .code: return "P-code (test-selected)"
        }
    }
}
