/// Selective retraining's candidate pool (docs/method.md §1.11, decisions D25–D27).
///
/// For a target sparsity c, the pool is every logged iteration with density ρ ≤ 1 − c (inclusive:
/// a sparser mask is a candidate for every looser budget too). Candidates are ranked by VAL AVG,
/// descending; ties go to the earlier (episode, iteration). The top `l` (= 3) are retrained.
public struct CandidatePool: Sendable {
    public struct Entry: Sendable, Codable, Equatable {
        public var episode: Int
        public var iteration: Int
        public var density: Double
        public var validAVG: Double
        public init(episode: Int, iteration: Int, density: Double, validAVG: Double) {
            self.episode = episode
            self.iteration = iteration
            self.density = density
            self.validAVG = validAVG
        }
    }

    /// The top `limit` entries for target sparsity `c`, best first; empty when c was never reached.
    /// `episodes` restricts the pool to an episode range (Figure 5's intervals).
    public static func select(_ log: [Entry], targetSparsity c: Double, limit: Int = 3,
                              episodes: ClosedRange<Int>? = nil) -> [Entry] {
        let maxDensity = 1 - c
        let pool = log.enumerated().filter { _, e in
            e.density <= maxDensity + 1e-12 && (episodes.map { $0.contains(e.episode) } ?? true)
        }
        let ranked = pool.sorted { a, b in
            if a.element.validAVG != b.element.validAVG { return a.element.validAVG > b.element.validAVG }
            if a.element.episode != b.element.episode { return a.element.episode < b.element.episode }
            if a.element.iteration != b.element.iteration { return a.element.iteration < b.element.iteration }
            return a.offset < b.offset
        }
        return ranked.prefix(limit).map(\.element)
    }
}
