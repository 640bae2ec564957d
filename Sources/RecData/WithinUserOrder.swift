/// What a source file says about the order of each user's rows, and how the split treats it
/// (docs/method.md §4.1, decision D34).
///
/// The split permutes each user's rows *in file order* with `RandomState(42)` reseeded for every
/// user, so every user with n rows has the same positions held out. On an official file the row
/// order carries no pattern and the split is the authors'. On a file whose within-user order was
/// lost — sorted by item, as the offline mirror's ML-1M `interactions.dat` and Yelp2018's rebuilt
/// `train.txt` are — "position" means "item-id rank", and the held-out sets lean to later, less
/// popular items (measured on ML-1M: −0.0136 NDCG@20 for full-size LightGCN under P-code).
///
/// - `original`: split the rows exactly as they come (official sources; the default).
/// - `lost`: before the split, put every user's rows in a seeded random order
///   (`restore(_:seed:)`): an unbiased stand-in for the official order — same statistics,
///   different members. The seed is fixed in the manifest (`orderSeed`) and enters the split
///   cache key, the split digest and every result's provenance (`SplitDataset.sourceOrder`).
public enum WithinUserOrder: String, Codable, Sendable, CaseIterable {
    case original
    case lost

    /// Rows of each user permuted among the positions that user's rows occupy in the file.
    ///
    /// Definition (what `scripts/numpy-split.py --order-seed` computes with NumPy itself): one
    /// generator `rs = numpy.random.RandomState(seed)`; for each user in ascending raw-id order,
    /// with the user's rows `x[0..<n]` in file order and `p = rs.permutation(n)`, the user's k-th
    /// position receives `x[p[k]]`. Other users' rows do not move; a user with one row draws nothing.
    public static func restore(_ input: RawInteractions, seed: UInt32) -> RawInteractions {
        let groups = UserGrouping(users: input.users)
        var rng = MT19937(seed: seed)
        var items = input.items
        for u in 0..<groups.userCount {
            let start = groups.offsets[u], n = groups.offsets[u + 1] - start
            let perm = NumPyPermutation.permutation(n, using: &rng)
            for k in 0..<n { items[groups.rows[start + k]] = input.items[groups.rows[start + perm[k]]] }
        }
        return RawInteractions(users: input.users, items: items)
    }

    /// How one source's rows were ordered for the split, as recorded in provenance, e.g.
    /// `interactions.dat: within-user order restored, seed 1` or `test.txt: as distributed`.
    public static func describe(_ source: DatasetManifest.Source) -> String {
        switch source.withinUserOrder ?? .original {
        case .original: return "\(source.cacheName): as distributed"
        case .lost: return "\(source.cacheName): within-user order restored, seed \(source.orderSeed.map(String.init) ?? "?")"
        }
    }
}
