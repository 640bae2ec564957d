import RecData

/// The outcome of one full-ranking evaluation: per-user metrics, the top-20 lists and the means.
///
/// Means are unweighted over **all** users (a user without positives counts with zeros), summed
/// in ascending user order in `Double`, so they do not depend on how the users were processed.
public struct EvaluationReport: Sendable, Equatable {
    /// Metrics of user u at index u.
    public let users: [UserMetrics]
    /// Top-`RankingMetrics.depth` item ids of every user, best first, row-major
    /// (`userCount × depth`); −1 marks an empty slot (only when there are fewer items than the depth).
    public let topItems: [Int32]
    /// The means over all users.
    public let summary: MetricSummary

    public init(users: [UserMetrics], topItems: [Int32]) {
        precondition(topItems.count == users.count * RankingMetrics.depth,
                     "topItems must hold \(RankingMetrics.depth) ids per user")
        self.users = users
        self.topItems = topItems
        self.summary = EvaluationReport.means(users)
    }

    public var userCount: Int { users.count }

    /// AVG = mean over all users of eval(u).
    public var avg: Double { summary.avg }

    /// eval(u) for every user.
    public var userEval: [Double] { users.map(\.eval) }

    /// User u's ranking, best first (may contain −1 slots, see `topItems`).
    public func ranking(of user: Int) -> ArraySlice<Int32> {
        let d = RankingMetrics.depth
        return topItems[(user * d)..<((user + 1) * d)]
    }

    /// Item scores eval(v) = mean of eval(u) over v's TRAIN interactors u, and 0 for an item
    /// without interactors (docs/method.md §4.3). Sums run over users in ascending order, in `Double`.
    public func itemScores(trainByUser train: UserItemLists) -> [Double] {
        precondition(train.userCount == users.count, "train has \(train.userCount) users, report has \(users.count)")
        var sum = [Double](repeating: 0, count: train.itemCount)
        var count = [Int](repeating: 0, count: train.itemCount)
        for u in 0..<train.userCount {
            let e = users[u].eval
            for k in train.offsets[u]..<train.offsets[u + 1] {
                let v = Int(train.items[k])
                sum[v] += e
                count[v] += 1
            }
        }
        for v in 0..<sum.count where count[v] > 0 { sum[v] /= Double(count[v]) }
        return sum
    }

    /// The means of the six metrics and of eval(u), in ascending user order.
    static func means(_ users: [UserMetrics]) -> MetricSummary {
        var s = (0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0)
        for m in users {
            s.0 += m.recall5; s.1 += m.recall10; s.2 += m.recall20
            s.3 += m.ndcg5; s.4 += m.ndcg10; s.5 += m.ndcg20
            s.6 += m.eval
        }
        let n = Double(max(users.count, 1))
        return MetricSummary(recall5: s.0 / n, recall10: s.1 / n, recall20: s.2 / n,
                             ndcg5: s.3 / n, ndcg10: s.4 / n, ndcg20: s.5 / n, avg: s.6 / n)
    }
}
