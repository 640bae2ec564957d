import Crypto
import Foundation

// The digests come from swift-crypto (`SHA256`, `Insecure.SHA1`, `Insecure.MD5`; BoringSSL on
// Linux, CryptoKit on macOS). This file only adds the lowercase-hex form the manifest, split
// digests, cache keys and provenance write, and the git blob id. Stream large inputs with
// `update(bufferPointer:)` (or `update(data:)`) and `finalize()`.

extension Digest {
    /// The digest as lowercase hex, two characters per byte.
    public var hex: String { withUnsafeBytes { Hex.encode($0) } }
}

extension HashFunction {
    /// The digest of `data` (bytes, `Data`, a raw buffer), as lowercase hex.
    public static func hex<D: DataProtocol>(_ data: D) -> String { hash(data: data).hex }
}

extension Insecure.SHA1 {
    /// The git blob id (`git hash-object`) of a file's content, as 40 lowercase hex characters:
    /// SHA-1 of `"blob <decimal byte count>\0"` followed by the content. SHA-1 is not used for
    /// security here: some reference files (the original LightGCN Yelp2018 `train.txt`) are only
    /// known by their git blob id.
    public static func gitBlobId<D: DataProtocol>(of content: D) -> String {
        var h = Self()
        h.update(data: Array("blob \(content.count)\0".utf8))
        h.update(data: content)
        return h.finalize().hex
    }
}
