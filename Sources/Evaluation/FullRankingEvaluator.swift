import CBLAS
import Linalg
import RecData

/// Full-ranking top-20 evaluation of every user (docs/method.md §4.2–4.3).
///
/// For each user u: score all items, set the score of every item in any of u's exclusion lists to
/// −∞ (TRAIN when the target is VAL; TRAIN and VAL when the target is TEST), take the top 20 by
/// descending score with ties broken by ascending item index (a stable sort's order), and compute
/// Recall/NDCG@{5,10,20} against u's positives.
///
/// Execution: users are cut into fixed blocks of `blockSize`; for scorers that support item tiles the
/// item axis is cut into tiles that bound the block × tile score buffer, and each user's top-20
/// buffer streams across the tiles in item order. Workers (`Threads.count`) claim whole
/// blocks dynamically, each with its own buffers, and call the scorer single-threaded (OpenBLAS is
/// pinned to one thread for the duration and restored to its previous setting afterwards). Every
/// per-user result depends only on that user's scores, and the means are reduced in user order
/// afterwards, so the report is bit-identical for any thread count.
public enum FullRankingEvaluator {
    /// Users per block. Large enough that OpenBLAS's packing of the item matrix (once per call)
    /// stays a few percent of the product (process-CPU-time sweep of 64–512 on ML-1M and Yelp2018
    /// shapes, on a shared, loaded 2-core machine).
    public static let defaultBlockSize = 256
    /// Largest block × item-tile score buffer per worker, in bytes (16 MiB: whole rows for ML-1M,
    /// 16 384-item tiles for Yelp2018 at 256 users). In the same sweep, L2-sized tiles (1–2k items)
    /// cost more in per-call overhead than they saved; each row is read once from L3, then scanned
    /// from L1/L2.
    public static let defaultTileBytes = 16 << 20

    /// Evaluates every user of `scorer` against `positives` (the target split), excluding for each
    /// user the items of every list in `exclude` (e.g. `[train]` for VAL, `[train, valid]` for TEST).
    /// `blockSize` and `itemTile` (nil = automatic, see `itemTileSize`) only change speed, and the
    /// last bits of BLAS scores at most.
    public static func evaluate(scorer: some BlockScorer, positives: UserItemLists, exclude: [UserItemLists],
                                blockSize: Int = defaultBlockSize, itemTile: Int? = nil) -> EvaluationReport {
        let userCount = scorer.userCount, itemCount = scorer.itemCount
        precondition(blockSize >= 1, "blockSize must be ≥ 1")
        precondition(positives.userCount == userCount && positives.itemCount == itemCount,
                     "positives are \(positives.userCount)×\(positives.itemCount), scorer is \(userCount)×\(itemCount)")
        for list in exclude {
            precondition(list.userCount == userCount && list.itemCount == itemCount,
                         "an exclusion list is \(list.userCount)×\(list.itemCount), scorer is \(userCount)×\(itemCount)")
        }
        let tile = itemTileSize(scorer: scorer, blockSize: blockSize, requested: itemTile)
        var metrics = [UserMetrics](repeating: .zero, count: userCount)
        var top = [Int32](repeating: -1, count: userCount * RankingMetrics.depth)
        guard userCount > 0 else { return EvaluationReport(users: metrics, topItems: top) }

        let blocks = (userCount + blockSize - 1) / blockSize
        let workers = min(Threads.count, blocks)
        let blasThreads = openblas_get_num_threads()
        openblas_set_num_threads(1)
        defer { openblas_set_num_threads(blasThreads) }
        let nextBlock = BlockCounter()
        metrics.withUnsafeMutableBufferPointer { mbuf in
            top.withUnsafeMutableBufferPointer { tbuf in
                let mOut = mbuf.sendable, tOut = tbuf.sendable
                Parallel.forEachChunk(count: workers, grain: 1) { _, _ in
                    var work = BlockWorkspace(blockSize: blockSize, tile: tile)
                    defer { work.deallocate() }
                    while true {
                        let b = nextBlock.next()
                        if b >= blocks { break }
                        let users = (b * blockSize)..<min(userCount, (b + 1) * blockSize)
                        rankBlock(users: users, scorer: scorer, exclude: exclude, tile: tile, work: &work)
                        recordBlock(users: users, work: work, positives: positives, metrics: mOut, top: tOut)
                    }
                }
            }
        }
        return EvaluationReport(users: metrics, topItems: top)
    }

    /// The item tile used for `scorer`: all items unless the scorer supports tiles; then `requested`,
    /// or all items if a block of whole rows fits `defaultTileBytes`, else the largest multiple of
    /// 1024 items that fits (at least 1024).
    public static func itemTileSize(scorer: some BlockScorer, blockSize: Int, requested: Int?) -> Int {
        let all = max(scorer.itemCount, 1)
        guard scorer.supportsItemTiles else { return all }
        if let t = requested {
            precondition(t >= 1, "itemTile must be ≥ 1")
            return min(max(t, 1), all)  // clamped too: -Ounchecked drops the precondition
        }
        let fit = defaultTileBytes / (MemoryLayout<Float>.size * blockSize)
        if fit >= all { return all }
        return min(max(fit / 1024 * 1024, 1024), all)
    }

    /// Streams the scores of `users` through their top-K buffers in `work`, tile by tile.
    static func rankBlock(users: Range<Int>, scorer: some BlockScorer, exclude: [UserItemLists],
                          tile: Int, work: inout BlockWorkspace) {
        let depth = RankingMetrics.depth
        let m = users.count
        for r in 0..<m { work.filled[r] = 0 }
        var i0 = 0
        while i0 < scorer.itemCount {
            let i1 = min(scorer.itemCount, i0 + tile)
            let n = i1 - i0
            if n == scorer.itemCount {
                scorer.scores(users: users, into: work.scores)
            } else {
                scorer.scores(users: users, items: i0..<i1, into: work.scores)
            }
            for r in 0..<m {
                let row = work.scores + r * n
                for list in exclude { maskExcluded(row: row, user: users.lowerBound + r, items: i0..<i1, list: list) }
                TopKSelection.scan(row: row, firstItem: i0, count: n,
                                   scores: work.topScores + r * depth, items: work.topItems + r * depth,
                                   filled: &work.filled[r])
            }
            i0 = i1
        }
    }

    /// Copies each user's ranking to `top` (row u) and computes its metrics into `metrics[u]`.
    static func recordBlock(users: Range<Int>, work: BlockWorkspace, positives: UserItemLists,
                            metrics: SendablePointer<UserMetrics>, top: SendablePointer<Int32>) {
        let depth = RankingMetrics.depth
        for r in 0..<users.count {
            let u = users.lowerBound + r
            let ranking = UnsafeBufferPointer(start: work.topItems + r * depth, count: work.filled[r])
            (top.base + u * depth).update(from: work.topItems + r * depth, count: ranking.count)
            let hits = RankingMetrics.hitPattern(ranking: ranking, positives: positives.items(of: u))
            metrics[u] = RankingMetrics.userMetrics(hits: hits, positiveCount: positives.count(of: u))
        }
    }

    /// Sets `row[i − items.lowerBound] = −∞` for every item i of `user` in `list` within `items`.
    @inline(__always)
    static func maskExcluded(row: UnsafeMutablePointer<Float>, user: Int, items: Range<Int>, list: UserItemLists) {
        var lo = list.offsets[user], hi = list.offsets[user + 1]
        let end = hi
        let first = Int32(items.lowerBound), last = Int32(items.upperBound)
        while lo < hi {  // lower bound of `first`
            let mid = (lo + hi) >> 1
            if list.items[mid] < first { lo = mid + 1 } else { hi = mid }
        }
        while lo < end {
            let i = list.items[lo]
            if i >= last { break }
            row[Int(i - first)] = -.infinity
            lo += 1
        }
    }
}

/// One worker's buffers: the block × tile score buffer and the per-user top-K state.
struct BlockWorkspace {
    let scores: UnsafeMutablePointer<Float>
    let topScores: UnsafeMutablePointer<Float>
    let topItems: UnsafeMutablePointer<Int32>
    var filled: [Int]

    init(blockSize: Int, tile: Int) {
        let depth = RankingMetrics.depth
        scores = .allocate(capacity: blockSize * tile)
        topScores = .allocate(capacity: blockSize * depth)
        topItems = .allocate(capacity: blockSize * depth)
        filled = [Int](repeating: 0, count: blockSize)
    }

    func deallocate() {
        scores.deallocate(); topScores.deallocate(); topItems.deallocate()
    }
}
