import Crypto
import XCTest
@testable import RecData

/// Outputs pinned from real NumPy 2.4.6:
/// `np.random.RandomState(42).permutation(n).tolist()`, `RandomState(s).get_state()[1][:4]`,
/// `RandomState(s).randint(0, 2**32, size=5, dtype=np.uint32)` (raw genrand_int32 outputs).
final class NumPyPermutationTests: XCTestCase {
    func testMT19937SeedingMatchesNumPyState() {
        XCTAssertEqual(Array(MT19937(seed: 42).key.prefix(4)), [42, 3107752595, 1895908407, 3900362577])
    }

    func testMT19937OutputsMatchNumPy() {
        var a = MT19937(seed: 42)
        XCTAssertEqual((0..<5).map { _ in a.next() }, [1608637542, 3421126067, 4083286876, 787846414, 3143890026])
        // Seed 5489 is the reference implementation's default; 3499211612 is its well-known first output.
        var b = MT19937(seed: 5489)
        XCTAssertEqual((0..<5).map { _ in b.next() }, [3499211612, 581869302, 3890346734, 3586334585, 545404204])
    }

    func testMT19937TwistsBeyondOneBlock() {
        // The 10000th output of the reference MT19937 (seed 5489) is 4123659995 (C++11 [rand.predef]).
        var g = MT19937(seed: 5489)
        var last: UInt32 = 0
        for _ in 0..<10000 { last = g.next() }
        XCTAssertEqual(last, 4_123_659_995)
    }

    func testShortPermutationsMatchNumPy() {
        let expected: [Int: [Int]] = [
            0: [],
            1: [0],
            2: [1, 0],
            3: [0, 1, 2],
            10: [8, 1, 5, 0, 7, 2, 9, 4, 3, 6],
            20: [0, 17, 15, 1, 8, 5, 11, 3, 18, 16, 13, 2, 9, 19, 4, 12, 7, 10, 14, 6],
            37: [17, 13, 4, 29, 35, 25, 6, 26, 24, 16, 8, 15, 12, 32, 9, 19, 0, 31, 5, 11, 1, 27, 21, 2, 36, 34, 3,
                 33, 23, 30, 10, 22, 18, 20, 7, 14, 28],
            100: [83, 53, 70, 45, 44, 39, 22, 80, 10, 0, 18, 30, 73, 33, 90, 4, 76, 77, 12, 31, 55, 88, 26, 42, 69,
                  15, 40, 96, 9, 72, 11, 47, 85, 28, 93, 5, 66, 65, 35, 16, 49, 34, 7, 95, 27, 19, 81, 25, 62, 13, 24,
                  3, 17, 38, 8, 78, 6, 64, 36, 89, 56, 99, 54, 43, 50, 67, 46, 68, 61, 97, 79, 41, 58, 48, 98, 57, 75,
                  32, 94, 59, 63, 84, 37, 29, 1, 52, 21, 2, 23, 87, 91, 74, 86, 82, 20, 60, 71, 14, 92, 51],
        ]
        for (n, want) in expected {
            XCTAssertEqual(NumPyPermutation.permutation(n, seed: 42), want, "n=\(n)")
        }
    }

    /// First 20, last 5, and SHA-256 of the int64 little-endian array, from NumPy.
    func testLongPermutationsMatchNumPy() {
        let expected: [(Int, [Int], [Int], String)] = [
            (1000, [521, 737, 740, 660, 411, 678, 626, 513, 859, 136, 811, 76, 636, 973, 938, 899, 280, 883, 761, 319],
             [106, 270, 860, 435, 102], "57071745552bb2ef097e250edbaf6ddd14a4f0e478d31acfa6d0724b7c87fbd6"),
            (2314, [1647, 1551, 808, 44, 1670, 1121, 554, 2021, 2239, 1251, 1646, 472, 2083, 208, 463, 508, 1468, 282, 736, 2282],
             [1638, 1095, 1130, 1294, 860], "a665c34225ed6b196da856c29dcf25d6f81cab37f898c8eda0e9a054809e80c1"),
        ]
        for (n, head, tail, digest) in expected {
            let p = NumPyPermutation.permutation(n, seed: 42)
            XCTAssertEqual(Array(p.prefix(20)), head, "n=\(n)")
            XCTAssertEqual(Array(p.suffix(5)), tail, "n=\(n)")
            var bytes: [UInt8] = []
            for v in p { withUnsafeBytes(of: Int64(v).littleEndian) { bytes += $0 } }
            XCTAssertEqual(SHA256.hex(bytes), digest, "n=\(n)")
            XCTAssertEqual(p.sorted(), Array(0..<n))
        }
    }

    func testRandomIntervalStaysInRange() {
        var g = MT19937(seed: 1)
        for m in [UInt64(0), 1, 2, 5, 255, 256, 1000, 0xffff_ffff, 0x1_0000_0000] {
            for _ in 0..<50 { XCTAssertLessThanOrEqual(NumPyPermutation.randomInterval(m, &g), m) }
        }
    }
}
