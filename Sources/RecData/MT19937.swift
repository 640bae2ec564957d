/// The 32-bit Mersenne Twister (Matsumoto & Nishimura 1998), bit-identical to NumPy's legacy
/// `RandomState` bit generator.
///
/// `init(seed:)` is the reference `init_genrand(s)`:
/// `mt[0] = s`, `mt[i] = 1812433253 · (mt[i−1] ⊕ (mt[i−1] >> 30)) + i (mod 2^32)` for i in 1..<624,
/// which is what `numpy.random.RandomState(seed)` does for an integer seed in 0...2^32−1.
/// `next()` is `genrand_int32()`. Only the data split uses it (to reproduce the authors' pandas
/// shuffle exactly); everything else uses `Linalg.RandomStream`.
public struct MT19937: Sendable {
    private static let n = 624
    private static let m = 397
    private var mt: [UInt32]
    private var index: Int

    public init(seed: UInt32) {
        var state = [UInt32](repeating: 0, count: MT19937.n)
        state[0] = seed
        for i in 1..<MT19937.n {
            let prev = state[i - 1]
            state[i] = 1_812_433_253 &* (prev ^ (prev >> 30)) &+ UInt32(i)
        }
        mt = state
        index = MT19937.n
    }

    /// The raw key (624 words) and position; `key` after `init(seed:)` equals
    /// `RandomState(seed).get_state()[1]`.
    public var key: [UInt32] { mt }

    /// `genrand_int32()`: the next uniformly distributed 32-bit output.
    public mutating func next() -> UInt32 {
        if index >= MT19937.n { twist() }
        var y = mt[index]
        index += 1
        y ^= y >> 11
        y ^= (y << 7) & 0x9d2c_5680
        y ^= (y << 15) & 0xefc6_0000
        y ^= y >> 18
        return y
    }

    private mutating func twist() {
        let upper: UInt32 = 0x8000_0000, lower: UInt32 = 0x7fff_ffff, matrixA: UInt32 = 0x9908_b0df
        mt.withUnsafeMutableBufferPointer { s in
            for i in 0..<MT19937.n {
                let y = (s[i] & upper) | (s[(i + 1) % MT19937.n] & lower)
                s[i] = s[(i + MT19937.m) % MT19937.n] ^ (y >> 1) ^ ((y & 1) == 0 ? 0 : matrixA)
            }
        }
        index = 0
    }
}
