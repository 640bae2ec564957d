/// Streaming MD5 (RFC 1321), only to check archives whose published integrity data is an MD5
/// (GroupLens quotes one for `ml-1m.zip`). Not used for anything security-relevant.
public struct MD5: MerkleDamgardHash, Sendable {
    private var h: (UInt32, UInt32, UInt32, UInt32) = (0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476)
    public var input = MerkleDamgardInput()

    public init() {}




    /// Pads (little-endian bit length), finishes and returns the 16-byte digest.
    public mutating func finalize() -> [UInt8] {
        absorbPadding(bigEndianLength: false)
        var out: [UInt8] = []
        for w in [h.0, h.1, h.2, h.3] {
            out += [UInt8(w & 0xff), UInt8((w >> 8) & 0xff), UInt8((w >> 16) & 0xff), UInt8(w >> 24)]
        }
        return out
    }


    private static let s: [UInt32] = [7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22,
                                      5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20,
                                      4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23,
                                      6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21]
    /// K[i] = floor(2^32 · |sin(i + 1)|), tabulated.
    private static let k: [UInt32] = [
        0xd76aa478, 0xe8c7b756, 0x242070db, 0xc1bdceee, 0xf57c0faf, 0x4787c62a, 0xa8304613, 0xfd469501,
        0x698098d8, 0x8b44f7af, 0xffff5bb1, 0x895cd7be, 0x6b901122, 0xfd987193, 0xa679438e, 0x49b40821,
        0xf61e2562, 0xc040b340, 0x265e5a51, 0xe9b6c7aa, 0xd62f105d, 0x02441453, 0xd8a1e681, 0xe7d3fbc8,
        0x21e1cde6, 0xc33707d6, 0xf4d50d87, 0x455a14ed, 0xa9e3e905, 0xfcefa3f8, 0x676f02d9, 0x8d2a4c8a,
        0xfffa3942, 0x8771f681, 0x6d9d6122, 0xfde5380c, 0xa4beea44, 0x4bdecfa9, 0xf6bb4b60, 0xbebfbc70,
        0x289b7ec6, 0xeaa127fa, 0xd4ef3085, 0x04881d05, 0xd9d4d039, 0xe6db99e5, 0x1fa27cf8, 0xc4ac5665,
        0xf4292244, 0x432aff97, 0xab9423a7, 0xfc93a039, 0x655b59c3, 0x8f0ccc92, 0xffeff47d, 0x85845dd1,
        0x6fa87e4f, 0xfe2ce6e0, 0xa3014314, 0x4e0811a1, 0xf7537e82, 0xbd3af235, 0x2ad7d2bb, 0xeb86d391,
    ]

    public mutating func compress(_ data: UnsafeRawPointer, blocks: Int) {
        var (a0, b0, c0, d0) = h
        MD5.k.withUnsafeBufferPointer { k in
            MD5.s.withUnsafeBufferPointer { s in
                for blk in 0..<blocks {
                    let base = data + blk * 64
                    var a = a0, b = b0, c = c0, d = d0
                    for i in 0..<64 {
                        var f: UInt32
                        let g: Int
                        switch i {
                        case 0..<16: f = (b & c) | (~b & d); g = i
                        case 16..<32: f = (d & b) | (~d & c); g = (5 * i + 1) & 15
                        case 32..<48: f = b ^ c ^ d; g = (3 * i + 5) & 15
                        default: f = c ^ (b | ~d); g = (7 * i) & 15
                        }
                        let m = UInt32(littleEndian: base.loadUnaligned(fromByteOffset: g * 4, as: UInt32.self))
                        f = f &+ a &+ k[i] &+ m
                        a = d; d = c; c = b
                        b = b &+ ((f << s[i]) | (f >> (32 - s[i])))
                    }
                    a0 = a0 &+ a; b0 = b0 &+ b; c0 = c0 &+ c; d0 = d0 &+ d
                }
            }
        }
        h = (a0, b0, c0, d0)
    }
}
