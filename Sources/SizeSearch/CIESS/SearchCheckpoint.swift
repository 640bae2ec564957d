import Foundation
import RecData

/// Everything a CIESS search needs to continue after episode `nextEpisode − 1` as if it had never
/// stopped (docs/method.md §1.10): both agents with optimisers and RNG streams, both replay buffers, both
/// explorers' streams, the noise process, and how many history lines belong to the finished
/// episodes. Environment seeds derive from (seed, episode, iteration), so they need no state.
///
/// Stored as a binary property list (float arrays as raw bytes), written atomically once per episode.
public struct SearchCheckpoint: Sendable, Codable {
    public var configuration: CIESSConfig
    public var nextEpisode: Int
    public var historyLines: Int
    public var userAgent: TD3Agent
    public var itemAgent: TD3Agent
    public var userBuffer: ReplayBuffer
    public var itemBuffer: ReplayBuffer
    public var userExplorer: RandomWalkExplorer
    public var itemExplorer: RandomWalkExplorer
    public var noise: ExplorationNoise

    public func write(to url: URL) throws { try SearchStateFile.write(self, to: url) }

    public static func read(_ url: URL) throws -> SearchCheckpoint { try SearchStateFile.read(SearchCheckpoint.self, from: url) }
}

public enum SearchStageError: Error, CustomStringConvertible {
    case corrupt(String, String)
    case configurationChanged(String)
    case missing(String)

    public var description: String {
        switch self {
        case .corrupt(let p, let why): return "\(p): unreadable search state (\(why)); delete it to start the search over"
        case .configurationChanged(let p): return "\(p): belongs to a search with other settings; use another --out or delete the directory"
        case .missing(let p): return "\(p): missing; run the search stage first"
        }
    }
}
