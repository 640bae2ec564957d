/// Means over all users of the six metrics and of eval(u) (AVG), for JSON output.
///
/// Each field is the unweighted mean over **all** users, users without positives counting as 0.
public struct MetricSummary: Sendable, Equatable, Codable {
    public var recall5: Double
    public var recall10: Double
    public var recall20: Double
    public var ndcg5: Double
    public var ndcg10: Double
    public var ndcg20: Double
    /// AVG = mean over users of eval(u).
    public var avg: Double

    public init(recall5: Double, recall10: Double, recall20: Double,
                ndcg5: Double, ndcg10: Double, ndcg20: Double, avg: Double) {
        self.recall5 = recall5; self.recall10 = recall10; self.recall20 = recall20
        self.ndcg5 = ndcg5; self.ndcg10 = ndcg10; self.ndcg20 = ndcg20
        self.avg = avg
    }
}
