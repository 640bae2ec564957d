/// What MD5, SHA-1 and SHA-256 share: 64-byte blocks fed to a compression function, with the
/// input buffered until a block is full, and the final padding 0x80, zeros up to 56 mod 64, then
/// the message length in bits as 8 bytes (little-endian for MD5, big-endian for the SHAs).
public protocol MerkleDamgardHash {
    init()
    var input: MerkleDamgardInput { get set }
    /// Compresses `blocks` consecutive 64-byte blocks at `data` into the state.
    mutating func compress(_ data: UnsafeRawPointer, blocks: Int)
    /// Pads, finishes and returns the digest; the hasher must not be updated afterwards.
    mutating func finalize() -> [UInt8]
}

/// The buffered tail of the input and the running length of a `MerkleDamgardHash`.
public struct MerkleDamgardInput: Sendable {
    var block = [UInt8](repeating: 0, count: 64)
    var buffered = 0
    var totalBytes: UInt64 = 0

    public init() {}

    /// The final padding for the bytes absorbed so far.
    func padding(bigEndianLength: Bool) -> [UInt8] {
        let bitLength = totalBytes &* 8
        var pad: [UInt8] = [0x80]
        pad += [UInt8](repeating: 0, count: (buffered + 1 <= 56) ? 56 - (buffered + 1) : 120 - (buffered + 1))
        let order: [Int] = bigEndianLength ? Array((0..<8).reversed()) : Array(0..<8)
        for k in order { pad.append(UInt8(truncatingIfNeeded: bitLength >> (UInt64(k) * 8))) }
        return pad
    }

    mutating func append(_ p: UnsafeRawPointer, count: Int) {
        let at = buffered
        block.withUnsafeMutableBytes { b in (b.baseAddress! + at).copyMemory(from: p, byteCount: count) }
        buffered += count
    }
}

extension MerkleDamgardHash {
    /// The digest of a byte sequence, as lowercase hex.
    public static func hex<C: Collection>(_ bytes: C) -> String where C.Element == UInt8 {
        var s = Self()
        s.update(bytes)
        return s.hexDigest()
    }

    public mutating func update<C: Collection>(_ bytes: C) where C.Element == UInt8 {
        let done: Void? = bytes.withContiguousStorageIfAvailable { update(UnsafeRawBufferPointer($0)) }
        if done == nil { update(Array(bytes)) }
    }

    /// Absorbs bytes: completes a buffered block first, compresses whole blocks in place, buffers the rest.
    public mutating func update(_ raw: UnsafeRawBufferPointer) {
        guard var p = raw.baseAddress, raw.count > 0 else { return }
        var n = raw.count
        input.totalBytes &+= UInt64(n)
        if input.buffered > 0 {
            let take = min(64 - input.buffered, n)
            input.append(p, count: take)
            p += take; n -= take
            if input.buffered == 64 {
                let full = input.block
                full.withUnsafeBytes { compress($0.baseAddress!, blocks: 1) }
                input.buffered = 0
            }
        }
        let blocks = n / 64
        if blocks > 0 { compress(p, blocks: blocks); p += blocks * 64; n -= blocks * 64 }
        if n > 0 { input.append(p, count: n) }
    }

    /// Feeds the final padding without counting it as message bytes.
    mutating func absorbPadding(bigEndianLength: Bool) {
        let saved = input.totalBytes
        input.padding(bigEndianLength: bigEndianLength).withUnsafeBytes { update($0) }
        input.totalBytes = saved
        precondition(input.buffered == 0)
    }

    public mutating func hexDigest() -> String { Hex.encode(finalize()) }
}
