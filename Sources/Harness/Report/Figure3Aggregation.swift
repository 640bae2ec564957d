import Foundation
import SizeSearch

/// `figure-3.csv` (per dataset, variant and episode, over seeds) and `figure-3-seeds.csv` (per
/// seed and episode) from the finished CIESS searches on LightGCN with Gaussian noise, with and
/// without random walk: `search/<dataset>/lightgcn/ciess/{g-rw,g-norw}/seed<N>/history.jsonl`.
/// A search counts once its `search.json` exists (a search still running is left out, so the CSV
/// does not change while it runs). docs/method.md §1.12: the primary curve is the episode's last iteration
/// (avg_reward and the pooled action mean); the episode means over iterations are stored too.
public enum Figure3Aggregation {
    public static let backbone = "lightgcn"
    public static let variants = ["g-norw": "no", "g-rw": "yes"]

    /// One episode of one search.
    public struct EpisodePoint: Sendable, Equatable {
        public var dataset: String
        public var variant: String
        public var seed: UInt64
        public var episode: Int
        public var iterations: Int
        public var lastIteration: Int
        public var lastAvgReward: Double
        public var lastActionMean: Double
        public var lastActionMeanUsers: Double
        public var lastActionMeanItems: Double
        public var episodeAvgReward: Double
        public var episodeActionMean: Double
    }

    /// Every episode of every finished search, sorted by dataset, variant, seed, episode.
    public static func points(profileDirectory: URL) throws -> [EpisodePoint] {
        let root = profileDirectory.appendingPathComponent("search")
        var out: [EpisodePoint] = []
        for dataset in directories(root).sorted() {
            for variant in variants.keys.sorted() {
                let base = root.appendingPathComponent("\(dataset)/\(backbone)/ciess/\(variant)")
                let seeds = directories(base).compactMap { d -> UInt64? in d.hasPrefix("seed") ? UInt64(d.dropFirst(4)) : nil }
                for seed in seeds.sorted() {
                    let dir = base.appendingPathComponent("seed\(seed)")
                    guard FileManager.default.fileExists(atPath: dir.appendingPathComponent("search.json").path) else { continue }
                    let history = try CIESSSearch.readHistory(dir.appendingPathComponent("history.jsonl"))
                    out += episodes(history, dataset: dataset, variant: variant, seed: seed)
                }
            }
        }
        return out
    }

    static func episodes(_ history: [SearchIterationRecord], dataset: String, variant: String, seed: UInt64) -> [EpisodePoint] {
        let byEpisode = Dictionary(grouping: history, by: \.episode)
        return byEpisode.keys.sorted().map { e in
            let records = byEpisode[e]!.sorted { $0.iteration < $1.iteration }
            let last = records.last!
            let n = Double(records.count)
            return EpisodePoint(dataset: dataset, variant: variant, seed: seed, episode: e, iterations: records.count,
                                lastIteration: last.iteration, lastAvgReward: last.avgReward, lastActionMean: last.actionMean,
                                lastActionMeanUsers: last.actionMeanUsers, lastActionMeanItems: last.actionMeanItems,
                                episodeAvgReward: records.reduce(0) { $0 + $1.avgReward } / n,
                                episodeActionMean: records.reduce(0) { $0 + $1.actionMean } / n)
        }
    }

    static func directories(_ url: URL) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: url.path)) ?? []
        return names.filter { n in
            var isDir: ObjCBool = false
            return FileManager.default.fileExists(atPath: url.appendingPathComponent(n).path, isDirectory: &isDir) && isDir.boolValue
        }
    }

    static func f(_ x: Double) -> String { CSVNumber.fixed(x, 6) }

    public static func seedTable(_ points: [EpisodePoint]) -> TidyCSV {
        var t = TidyCSV(header: ["dataset", "backbone", "variant", "random_walk", "seed", "episode", "iterations",
                                 "last_iteration", "last_avg_reward", "last_action_mean", "last_action_mean_users",
                                 "last_action_mean_items", "episode_avg_reward", "episode_action_mean"])
        for p in points {
            t.rows.append([p.dataset, backbone, p.variant, variants[p.variant]!, "\(p.seed)", "\(p.episode)", "\(p.iterations)",
                           "\(p.lastIteration)", f(p.lastAvgReward), f(p.lastActionMean), f(p.lastActionMeanUsers),
                           f(p.lastActionMeanItems), f(p.episodeAvgReward), f(p.episodeActionMean)])
        }
        return t
    }

    /// Mean and 95 % CI half-width over seeds (%.6f; CI "NA" with one seed).
    public static func summaryTable(_ points: [EpisodePoint]) -> TidyCSV {
        let values: [(String, (EpisodePoint) -> Double)] = [
            ("last_avg_reward", { $0.lastAvgReward }), ("last_action_mean", { $0.lastActionMean }),
            ("last_action_mean_users", { $0.lastActionMeanUsers }), ("last_action_mean_items", { $0.lastActionMeanItems }),
            ("episode_avg_reward", { $0.episodeAvgReward }), ("episode_action_mean", { $0.episodeActionMean }),
        ]
        var t = TidyCSV(header: ["dataset", "backbone", "variant", "random_walk", "episode", "n_seeds", "seeds"]
                        + values.flatMap { ["\($0.0)_mean", "\($0.0)_ci95"] })
        let groups = Dictionary(grouping: points) { [$0.dataset, $0.variant, "\($0.episode)"] }
        for k in groups.keys.sorted(by: SeedGroup.keyPrecedes) {
            let ps = groups[k]!.sorted { $0.seed < $1.seed }
            var row = [k[0], backbone, k[1], variants[k[1]]!, k[2], "\(ps.count)", ps.map { "\($0.seed)" }.joined(separator: ";")]
            for (_, v) in values {
                let s = SeedStatistics(ps.map(v))
                row += [CSVNumber.orNA(s.mean, 6), CSVNumber.orNA(s.ciHalfWidth, 6)]
            }
            t.rows.append(row)
        }
        return t
    }
}
