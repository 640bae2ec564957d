import Foundation
import Evaluation
import RecData

/// Reference implementation by full stable sort, written independently of the evaluator.
enum BruteForceRanking {
    /// Top-20 of every user (stable sort by descending score after −∞ for excluded items).
    static func rankings(table: [Float], users: Int, items: Int, exclude: [UserItemLists]) -> [[Int32]] {
        (0..<users).map { u in
            var row = Array(table[(u * items)..<((u + 1) * items)])
            for list in exclude { for i in list.items(of: u) { row[Int(i)] = -.infinity } }
            let order = (0..<items).sorted { a, b in row[a] != row[b] ? row[a] > row[b] : a < b }
            return order.prefix(20).map(Int32.init)
        }
    }

    /// Recall/NDCG@{5,10,20} straight from the definitions.
    static func metrics(ranking: [Int32], positives: Set<Int32>) -> [Double] {
        let p = positives.count
        var out: [Double] = []
        for k in [5, 10, 20] {
            let hits = ranking.prefix(k).filter { positives.contains($0) }.count
            out.append(Double(hits) / Double(max(p, 1)))
        }
        for k in [5, 10, 20] {
            var dcg = 0.0, idcg = 0.0
            for (r, item) in ranking.prefix(k).enumerated() where positives.contains(item) { dcg += 1 / log2(Double(r + 2)) }
            for r in 0..<min(k, p) { idcg += 1 / log2(Double(r + 2)) }
            out.append(p == 0 ? 0 : dcg / idcg)
        }
        return out
    }
}
