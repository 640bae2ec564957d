/// The six ranking metrics of one user (docs/method.md §4.3) and their mean eval(u).
public struct UserMetrics: Sendable, Equatable, Codable {
    public var recall5: Double
    public var recall10: Double
    public var recall20: Double
    public var ndcg5: Double
    public var ndcg10: Double
    public var ndcg20: Double

    public init(recall5: Double, recall10: Double, recall20: Double,
                ndcg5: Double, ndcg10: Double, ndcg20: Double) {
        self.recall5 = recall5; self.recall10 = recall10; self.recall20 = recall20
        self.ndcg5 = ndcg5; self.ndcg10 = ndcg10; self.ndcg20 = ndcg20
    }

    /// All zeros: the metrics of a user without positives.
    public static let zero = UserMetrics(recall5: 0, recall10: 0, recall20: 0, ndcg5: 0, ndcg10: 0, ndcg20: 0)

    /// eval(u) = (R@5 + R@10 + R@20 + N@5 + N@10 + N@20) / 6, summed in that order.
    public var eval: Double { (recall5 + recall10 + recall20 + ndcg5 + ndcg10 + ndcg20) / 6 }
}
