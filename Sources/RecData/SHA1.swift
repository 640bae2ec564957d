/// Streaming SHA-1 (FIPS 180-4), used only to compute git blob ids.
///
/// SHA-1 is not used for security here: some reference files (the original LightGCN Yelp2018
/// `train.txt`) are only known by their git blob id, which is
/// `sha1("blob " + decimal byte count + "\0" + content)`. `gitBlobId(of:)` computes exactly that.
public struct SHA1: MerkleDamgardHash, Sendable {
    private var h: (UInt32, UInt32, UInt32, UInt32, UInt32) = (0x67452301, 0xEFCDAB89, 0x98BADCFE, 0x10325476, 0xC3D2E1F0)
    public var input = MerkleDamgardInput()

    public init() {}


    /// The git blob id (`git hash-object`) of a file's content, as 40 lowercase hex characters.
    public static func gitBlobId(of raw: UnsafeRawBufferPointer) -> String {
        var s = SHA1()
        s.update(Array("blob \(raw.count)\0".utf8))
        s.update(raw)
        return s.hexDigest()
    }

    public static func gitBlobId<C: Collection>(of bytes: C) -> String where C.Element == UInt8 {
        let a = Array(bytes)
        return a.withUnsafeBytes { gitBlobId(of: $0) }
    }



    /// Pads, finishes and returns the 20-byte digest.
    public mutating func finalize() -> [UInt8] {
        absorbPadding(bigEndianLength: true)
        var out: [UInt8] = []
        for w in [h.0, h.1, h.2, h.3, h.4] {
            out += [UInt8(w >> 24), UInt8((w >> 16) & 0xff), UInt8((w >> 8) & 0xff), UInt8(w & 0xff)]
        }
        return out
    }


    @inline(__always) private static func rotl(_ x: UInt32, _ n: UInt32) -> UInt32 { (x << n) | (x >> (32 - n)) }

    public mutating func compress(_ data: UnsafeRawPointer, blocks: Int) {
        var (h0, h1, h2, h3, h4) = h
        withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 80) { w in
            for blk in 0..<blocks {
                let base = data + blk * 64
                for t in 0..<16 { w[t] = UInt32(bigEndian: base.loadUnaligned(fromByteOffset: t * 4, as: UInt32.self)) }
                for t in 16..<80 { w[t] = SHA1.rotl(w[t - 3] ^ w[t - 8] ^ w[t - 14] ^ w[t - 16], 1) }
                var a = h0, b = h1, c = h2, d = h3, e = h4
                for t in 0..<80 {
                    let f: UInt32, k: UInt32
                    switch t {
                    case 0..<20: f = (b & c) | (~b & d); k = 0x5A827999
                    case 20..<40: f = b ^ c ^ d; k = 0x6ED9EBA1
                    case 40..<60: f = (b & c) | (b & d) | (c & d); k = 0x8F1BBCDC
                    default: f = b ^ c ^ d; k = 0xCA62C1D6
                    }
                    let temp = SHA1.rotl(a, 5) &+ f &+ e &+ k &+ w[t]
                    e = d; d = c; c = SHA1.rotl(b, 30); b = a; a = temp
                }
                h0 = h0 &+ a; h1 = h1 &+ b; h2 = h2 &+ c; h3 = h3 &+ d; h4 = h4 &+ e
            }
        }
        h = (h0, h1, h2, h3, h4)
    }
}
