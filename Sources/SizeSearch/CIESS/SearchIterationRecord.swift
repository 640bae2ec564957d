/// One line of a CIESS search history (docs/method.md §1.12): the data of Figures 3 and 5 and Table 2.
public struct SearchIterationRecord: Sendable, Codable, Equatable {
    public struct Spread: Sendable, Codable, Equatable {
        public var mean: Double
        public var min: Double
        public var max: Double
        public init(_ values: [Float]) {
            var s = 0.0, lo = Double.infinity, hi = -Double.infinity
            for v in values { let d = Double(v); s += d; lo = Swift.min(lo, d); hi = Swift.max(hi, d) }
            mean = values.isEmpty ? 0 : s / Double(values.count)
            min = values.isEmpty ? 0 : lo
            max = values.isEmpty ? 0 : hi
        }
    }

    public var episode: Int
    public var iteration: Int
    public var noise: String
    public var epsilon: Double
    public var protoUsers: Spread
    public var protoItems: Spread
    public var actionMeanUsers: Double
    public var actionMeanItems: Double
    /// Users and items pooled: 128·ρ.
    public var actionMean: Double
    public var density: Double
    public var evalMeanUsers: Double
    public var evalMeanItems: Double
    public var qMeanUsers: Double
    public var qMeanItems: Double
    public var rewardMeanUsers: Double
    public var rewardMeanItems: Double
    /// ½(mean r_U + mean r_I).
    public var avgReward: Double
    /// VAL AVG of this iteration's model — the candidate ranking statistic (D26).
    public var validAVG: Double
    public var recall5: Double
    public var recall10: Double
    public var recall20: Double
    public var ndcg5: Double
    public var ndcg10: Double
    public var ndcg20: Double
    public var trainLoss: Double
    public var criticLossUsers: Double?
    public var criticLossItems: Double?
    public var actorLossUsers: Double?
    public var actorLossItems: Double?
    public var trainSeconds: Double
    public var evalSeconds: Double
    /// Path of the executed size vector, relative to the search directory.
    public var sizesFile: String
}
