/// Streaming SHA-256 (FIPS 180-4), no external dependency.
///
/// Contract: `update` any number of times with bytes, then `finalize()` once; the result is the
/// 32-byte digest (`hexDigest` gives it as 64 lowercase hex characters). Used to verify raw data
/// files against the manifest and to fingerprint splits and caches. The compression loop works on
/// raw pointers so that a 10 MB file hashes in a few tens of milliseconds in a release build.
public struct SHA256: MerkleDamgardHash, Sendable {
    private var h: (UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32) =
        (0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19)
    public var input = MerkleDamgardInput()

    public init() {}




    /// Pads, finishes and returns the 32-byte digest. The hasher must not be updated afterwards.
    public mutating func finalize() -> [UInt8] {
        absorbPadding(bigEndianLength: true)
        var out: [UInt8] = []
        out.reserveCapacity(32)
        for w in [h.0, h.1, h.2, h.3, h.4, h.5, h.6, h.7] {
            out += [UInt8(w >> 24), UInt8((w >> 16) & 0xff), UInt8((w >> 8) & 0xff), UInt8(w & 0xff)]
        }
        return out
    }


    private static let k: [UInt32] = [
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
        0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
        0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
        0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
        0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
        0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
        0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
        0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
    ]

    // The compression loop uses `while` loops, masking shifts (`&>>`, `&<<`) and hand-inlined
    // rotations: these are transparent to the compiler even at -Onone, so debug builds (where the
    // tests run) hash at a useful speed too, not only release builds.
    public mutating func compress(_ data: UnsafeRawPointer, blocks: Int) {
        var (a0, b0, c0, d0, e0, f0, g0, h0) = h
        withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 64) { wb in
            SHA256.k.withUnsafeBufferPointer { kb in
                let w = wb.baseAddress!, k = kb.baseAddress!
                var blk = 0
                while blk < blocks {
                    let base = data + blk &* 64
                    var t = 0
                    while t < 16 {
                        w[t] = UInt32(bigEndian: base.loadUnaligned(fromByteOffset: t &* 4, as: UInt32.self))
                        t &+= 1
                    }
                    while t < 64 {
                        let x = w[t &- 15], y = w[t &- 2]
                        let s0 = ((x &>> 7) | (x &<< 25)) ^ ((x &>> 18) | (x &<< 14)) ^ (x &>> 3)
                        let s1 = ((y &>> 17) | (y &<< 15)) ^ ((y &>> 19) | (y &<< 13)) ^ (y &>> 10)
                        w[t] = w[t &- 16] &+ s0 &+ w[t &- 7] &+ s1
                        t &+= 1
                    }
                    var a = a0, b = b0, c = c0, d = d0, e = e0, f = f0, g = g0, hh = h0
                    t = 0
                    while t < 64 {
                        let s1 = ((e &>> 6) | (e &<< 26)) ^ ((e &>> 11) | (e &<< 21)) ^ ((e &>> 25) | (e &<< 7))
                        let ch = (e & f) ^ (~e & g)
                        let t1 = hh &+ s1 &+ ch &+ k[t] &+ w[t]
                        let s0 = ((a &>> 2) | (a &<< 30)) ^ ((a &>> 13) | (a &<< 19)) ^ ((a &>> 22) | (a &<< 10))
                        let maj = (a & b) ^ (a & c) ^ (b & c)
                        hh = g; g = f; f = e; e = d &+ t1; d = c; c = b; b = a; a = t1 &+ s0 &+ maj
                        t &+= 1
                    }
                    a0 = a0 &+ a; b0 = b0 &+ b; c0 = c0 &+ c; d0 = d0 &+ d
                    e0 = e0 &+ e; f0 = f0 &+ f; g0 = g0 &+ g; h0 = h0 &+ hh
                    blk &+= 1
                }
            }
        }
        h = (a0, b0, c0, d0, e0, f0, g0, h0)
    }
}
