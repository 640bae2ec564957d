import Linalg
import SizeSearch

/// The `td3_update` / `td3_critic_update` benchmark workloads (shared/bench/README.md, docs/method.md §1.9).
///
/// - Untimed set-up: a `TD3Agent` with the §1.5 networks (3→256→256→1 actor, twin 4→256→256→1
///   critics, targets as copies, Adam 1e−3 / 3e−3) from `seed`, and a full replay buffer of
///   100·entities rows drawn from stream (seed, "td3_update/buffer"): s, s′ ~ U(−1, 1)³,
///   a ~ U{1..128}, r ~ U(−1, 1).
/// - Timed, per iteration: the draw of `batch` indices (uniform, with replacement), the gather, and
///   one TD3 update — with `actorUpdate` (`td3_update`, an even k): target computation, critic
///   step, actor step and the soft updates of μ′, Q1′, Q2′; without (`td3_critic_update`, an odd
///   k): target computation, critic step and the soft updates of Q1′, Q2′ only.
/// - `extra`: `buffer` (rows), `hidden`, `critic_loss_first`/`critic_loss_last` (warm-up
///   included) and, with the actor step, `actor_loss_last`.
public enum TD3UpdateWorkload {
    public static func run(entities: Int, batch: Int, actorUpdate: Bool, warmup: Int, repeat count: Int,
                           seed: UInt64) -> WorkloadTiming {
        var configuration = TD3Configuration()
        configuration.batchSize = batch
        var agent = TD3Agent(configuration: configuration, seed: seed, purpose: "td3_update")
        let buffer = filledBuffer(entities: entities, seed: seed)
        var criticLosses: [Double] = []
        var actorLoss: Double? = nil
        criticLosses.reserveCapacity(warmup + count)
        let times = BenchTimer.time(warmup: warmup, repeat: count) { _ in
            let r = agent.benchmarkUpdate(from: buffer, actorStep: actorUpdate)
            criticLosses.append(r.criticLoss)
            if let a = r.actorLoss { actorLoss = a }
        }
        var extra: [String: Double] = [
            "buffer": Double(buffer.count), "hidden": Double(configuration.hidden[0]),
            "critic_loss_first": criticLosses.first ?? .nan, "critic_loss_last": criticLosses.last ?? .nan,
        ]
        if actorUpdate { extra["actor_loss_last"] = actorLoss ?? .nan }
        return WorkloadTiming(times: times, extra: extra)
    }

    /// A full buffer of 100·entities random transitions (the reference's synthetic buffer).
    public static func filledBuffer(entities: Int, seed: UInt64) -> ReplayBuffer {
        let capacity = 100 * entities
        var buffer = ReplayBuffer(capacity: capacity)
        var rng = RandomStream(seed: seed, purpose: "td3_update/buffer")
        var rows = [Float](repeating: 0, count: capacity * ReplayBuffer.rowWidth)
        for r in 0..<capacity {
            let o = r * ReplayBuffer.rowWidth
            for k in 0..<3 { rows[o + k] = 2 * rng.unitFloat() - 1 }
            rows[o + 3] = Float(1 + rng.below(128))
            rows[o + 4] = 2 * rng.unitFloat() - 1
            for k in 5..<8 { rows[o + k] = 2 * rng.unitFloat() - 1 }
        }
        buffer.fill(rawRows: rows)
        return buffer
    }
}
