import Crypto
import XCTest
@testable import RecData

/// Known answers for the digests the project takes from swift-crypto, in the hex form it writes:
/// FIPS 180-4 / RFC 1321 / RFC 3174 vectors, padding-boundary and multi-block lengths checked
/// against Python's hashlib, git blob ids checked against `git hash-object`, and chunked ==
/// one-shot streaming.
final class HashTests: XCTestCase {
    let fips448 = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"

    func bytes(_ s: String) -> [UInt8] { Array(s.utf8) }

    /// bytes (i*7+3) mod 256, i in 0..<n — the same pattern the Python reference hashed.
    func pattern(_ n: Int) -> [UInt8] { (0..<n).map { UInt8((($0 * 7) + 3) % 256) } }

    func testSHA256Vectors() {
        XCTAssertEqual(SHA256.hex(bytes("")), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        XCTAssertEqual(SHA256.hex(bytes("abc")), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        XCTAssertEqual(SHA256.hex(bytes(fips448)), "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        XCTAssertEqual(SHA256.hex([UInt8](repeating: 0x61, count: 1_000_000)),
                       "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    func testSHA1Vectors() {
        XCTAssertEqual(Insecure.SHA1.hex(bytes("")), "da39a3ee5e6b4b0d3255bfef95601890afd80709")
        XCTAssertEqual(Insecure.SHA1.hex(bytes("abc")), "a9993e364706816aba3e25717850c26c9cd0d89d")
        XCTAssertEqual(Insecure.SHA1.hex(bytes(fips448)), "84983e441c3bd26ebaae4aa1f95129e5e54670f1")
    }

    func testMD5Vectors() {
        XCTAssertEqual(Insecure.MD5.hex(bytes("")), "d41d8cd98f00b204e9800998ecf8427e")
        XCTAssertEqual(Insecure.MD5.hex(bytes("abc")), "900150983cd24fb0d6963f7d28e17f72")
        XCTAssertEqual(Insecure.MD5.hex(bytes("message digest")), "f96b697d7cb7938d525a2f31aaf161d0")
        XCTAssertEqual(Insecure.MD5.hex(bytes(String(repeating: "1234567890", count: 8))), "57edf4a22be3c955ac49da2e2107b67a")
    }

    func testPaddingBoundariesAgainstHashlib() {
        let expected: [(Int, String, String, String)] = [
            (55, "e7313d333c272e639f790978283f9eb392e843d0f29b7016828bb1daa4aac70b", "ddf57317ef34bfee3b6df83d359098930eb278bc", "52c0e574e1198de5fe3f8f11440dcb1b"),
            (56, "4324d65f3c103567f5589c710bc08f8523f929a9272e3af36fc968e52abc6c27", "a0d492bb0fc889d0eca3bc137066ab6f4f74f369", "46c9907fc908ee68b1e7b8e71286a518"),
            (63, "81c80242132f230c3bd41b3e63bbcff16107339549214a99614ff26664625055", "c55856749bef509bdfe6bfebfc7bf4e793e82132", "a62f6d59e837867693f042f5b8f5a236"),
            (64, "39e3d7b6b5d075d37d053ad89b24b41bef4f3c29760c84447cab3f3be1882241", "bede92be29c3874e1b54ddc77988d606fc857a8e", "7160b8fb5e9e4023d549c3971fbaeead"),
            (65, "aacca6ff74fdbb296d165a45cecfa04e5127bc008770fbbdd48006f2d2fae95e", "b05a80522b053d6dc7e0a517d0e70212c7dad11f", "70bd662e7aefbda85a0f7244167b7897"),
            (119, "9ce7368e4daf32341631b492e80359dc9f594b48453cd0dd5bf0b19279cc177e", "504e27376a6e0f0dba8295b85cb25dc4dfa17d23", "e84905d4214f4d1ca56c2cdcc152b143"),
            (120, "7836b787757e95e58b3ca5aec90b1b004e8deba1e50e9675af9cabf1a13a04b5", "82134b02fb3f702491be9bed581eeab59334acb2", "e3eb5a6c8669ea01a8c185b8abc8a5dc"),
        ]
        for (n, s256, s1, m5) in expected {
            XCTAssertEqual(SHA256.hex(pattern(n)), s256, "sha256 n=\(n)")
            XCTAssertEqual(Insecure.SHA1.hex(pattern(n)), s1, "sha1 n=\(n)")
            XCTAssertEqual(Insecure.MD5.hex(pattern(n)), m5, "md5 n=\(n)")
        }
    }

    /// 100 000 bytes: 1 563 blocks, so many full blocks are compressed between partial ones.
    func testMultiBlockInput() {
        let data = pattern(100_000)
        XCTAssertEqual(SHA256.hex(data), "d96bab6a55ee326ba206dd4a85a6e95e14360d7fabbf448f03e689c24382b7d0")
        XCTAssertEqual(Insecure.SHA1.hex(data), "386d00146341aa3dc6778b701e7eb165911587f5")
        XCTAssertEqual(Insecure.MD5.hex(data), "59f08777fcd1aa2b8e0c8f892cfaae09")
    }

    func testGitBlobIds() {
        XCTAssertEqual(Insecure.SHA1.gitBlobId(of: bytes("hello\n")), "ce013625030ba8dba906f756967f9e9ca394464a")
        XCTAssertEqual(Insecure.SHA1.gitBlobId(of: bytes("")), "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391")
        XCTAssertEqual(Insecure.SHA1.gitBlobId(of: pattern(100_000)), "7bb34c11f0464cf234d871cc9b27e7a3a689afec")
    }

    func testStreamingInChunksEqualsOneShot() {
        let data = pattern(1000)
        let chunkSizes = [1, 3, 63, 64, 65, 127, 500]
        for c in chunkSizes {
            var a = SHA256(), b = Insecure.SHA1(), m = Insecure.MD5()
            var k = 0
            while k < data.count {
                let end = min(k + c, data.count)
                a.update(data: data[k..<end]); b.update(data: data[k..<end]); m.update(data: data[k..<end])
                k = end
            }
            XCTAssertEqual(a.finalize().hex, SHA256.hex(data), "chunk \(c)")
            XCTAssertEqual(b.finalize().hex, Insecure.SHA1.hex(data), "chunk \(c)")
            XCTAssertEqual(m.finalize().hex, Insecure.MD5.hex(data), "chunk \(c)")
        }
    }
}
