/// A seedable random stream: xoshiro256** seeded through SplitMix64 from `(seed, purpose)`.
///
/// Every random consumer owns its stream, derived from the run seed and a purpose label
/// (e.g. `"init"`, `"sampler"`), so adding a consumer never shifts another's numbers.
/// (The data split uses `MT19937` instead, to match NumPy bit for bit.)
public struct RandomStream: RandomNumberGenerator, Sendable, Codable, Equatable {
    @usableFromInline var state: (UInt64, UInt64, UInt64, UInt64)

    public init(seed: UInt64, purpose: String = "") {
        var sm = seed ^ RandomStream.fnv1a(purpose)
        state = (RandomStream.splitmix(&sm), RandomStream.splitmix(&sm),
                 RandomStream.splitmix(&sm), RandomStream.splitmix(&sm))
    }

    /// A child stream for a sub-purpose (e.g. one per chunk of a parallel sampler).
    public func derived(_ purpose: String) -> RandomStream {
        var copy = self
        return RandomStream(seed: copy.next(), purpose: purpose)
    }

    @inlinable public mutating func next() -> UInt64 {
        let result = rotl(state.1 &* 5, 7) &* 9
        let t = state.1 << 17
        state.2 ^= state.0
        state.3 ^= state.1
        state.1 ^= state.2
        state.0 ^= state.3
        state.2 ^= t
        state.3 = rotl(state.3, 45)
        return result
    }

    @inlinable func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

    /// Uniform integer in `0..<n` (Lemire's multiply-shift with rejection; unbiased).
    @inlinable public mutating func below(_ n: Int) -> Int {
        precondition(n > 0)
        let bound = UInt64(n)
        var m = next().multipliedFullWidth(by: bound)
        if m.low < bound {
            let threshold = (0 &- bound) % bound
            while m.low < threshold { m = next().multipliedFullWidth(by: bound) }
        }
        return Int(m.high)
    }

    /// Uniform `Float` in [0, 1) with 24 random bits.
    @inlinable public mutating func unitFloat() -> Float { Float(next() >> 40) * 0x1p-24 }

    /// Uniform `Double` in [0, 1) with 53 random bits.
    @inlinable public mutating func unitDouble() -> Double { Double(next() >> 11) * 0x1p-53 }

    /// Standard normal by Box–Muller (one value per call; the pair's second half is discarded for simplicity).
    @inlinable public mutating func normal() -> Double {
        var u1 = unitDouble()
        while u1 <= 0 { u1 = unitDouble() }
        let u2 = unitDouble()
        return (-2 * _log(u1)).squareRoot() * _cos(2 * Double.pi * u2)
    }

    static func splitmix(_ x: inout UInt64) -> UInt64 {
        x &+= 0x9E37_79B9_7F4A_7C15
        var z = x
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    static func fnv1a(_ s: String) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in s.utf8 { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
        return h
    }

    // Codable for checkpoints: the four state words.
    enum CodingKeys: String, CodingKey { case s }
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let s = try c.decode([UInt64].self, forKey: .s)
        guard s.count == 4 else { throw DecodingError.dataCorruptedError(forKey: .s, in: c, debugDescription: "need 4 state words") }
        state = (s[0], s[1], s[2], s[3])
    }
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode([state.0, state.1, state.2, state.3], forKey: .s)
    }
    public static func == (a: RandomStream, b: RandomStream) -> Bool { a.state == b.state }
}

@usableFromInline func _log(_ x: Double) -> Double { Foundation_log(x) }
@usableFromInline func _cos(_ x: Double) -> Double { Foundation_cos(x) }
