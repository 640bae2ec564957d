/// `numpy.random.RandomState(seed).permutation(n)`, reproduced exactly (NumPy's legacy API).
///
/// NumPy builds `arange(n)` and shuffles it in place: for `i` from `n−1` down to `1`, draw
/// `j` uniformly in `[0, i]` and swap elements `i` and `j`. The draw (`random_interval(i)`) uses
/// masked rejection: `mask` = the smallest `2^k − 1 ≥ i`; repeat `j = genrand_int32() & mask`
/// until `j ≤ i`. (For `i > 2^32 − 1` NumPy combines two outputs into 64 bits; that branch is
/// implemented too, though no user has four billion interactions.)
///
/// pandas `DataFrame.sample(frac=1, random_state=42)` calls `RandomState(42).choice(n, n,
/// replace=False)`, which is `permutation(n)[:n]`; so the authors' per-user shuffle takes the
/// user's rows (in file order) at the positions of this permutation.
public enum NumPyPermutation {
    public static func permutation(_ n: Int, seed: UInt32) -> [Int] {
        var rng = MT19937(seed: seed)
        return permutation(n, using: &rng)
    }

    /// The next `permutation(n)` of a `RandomState` whose generator is `rng` (the stream continues:
    /// consecutive calls equal consecutive `rs.permutation(n_k)` calls on one `RandomState`).
    public static func permutation(_ n: Int, using rng: inout MT19937) -> [Int] {
        precondition(n >= 0, "permutation length must be non-negative")
        var a = Array(0..<n)
        if n < 2 { return a }
        for i in stride(from: n - 1, through: 1, by: -1) {
            let j = randomInterval(UInt64(i), &rng)
            a.swapAt(i, Int(j))
        }
        return a
    }

    /// NumPy's `random_interval(bitgen, max)`: uniform in `[0, max]` by masked rejection.
    public static func randomInterval(_ max: UInt64, _ rng: inout MT19937) -> UInt64 {
        if max == 0 { return 0 }
        var mask = max
        mask |= mask >> 1; mask |= mask >> 2; mask |= mask >> 4
        mask |= mask >> 8; mask |= mask >> 16; mask |= mask >> 32
        if max <= 0xffff_ffff {
            while true {
                let v = UInt64(rng.next()) & mask
                if v <= max { return v }
            }
        }
        while true {
            // next_uint64 of the MT19937 bit generator: high word first.
            let v = ((UInt64(rng.next()) << 32) | UInt64(rng.next())) & mask
            if v <= max { return v }
        }
    }
}
