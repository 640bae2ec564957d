import XCTest
@testable import RecData

final class WithinUserOrderTests: XCTestCase {
    static let rows = RawInteractions(users: [2, 1, 2, 1, 1, 3, 2, 1, 2, 1],
                                      items: [20, 10, 21, 11, 12, 30, 22, 13, 23, 14])

    /// Pinned against NumPy itself: `restore_order` of scripts/numpy-split.py (one RandomState(seed),
    /// users ascending, each user's rows permuted among the positions they occupy).
    func testMatchesNumPyRandomStateStream() {
        let seed1 = WithinUserOrder.restore(Self.rows, seed: 1)
        XCTAssertEqual(seed1.users, Self.rows.users, "users keep their positions")
        XCTAssertEqual(seed1.items, [20, 12, 22, 11, 14, 30, 23, 10, 21, 13])
        XCTAssertEqual(WithinUserOrder.restore(Self.rows, seed: 7).items, [22, 10, 21, 13, 12, 30, 20, 11, 23, 14])
    }

    /// The stream continues across users: the second user's permutation is not a fresh RandomState's.
    func testConsecutivePermutationsOfOneStream() {
        var rng = MT19937(seed: 5)
        let first = NumPyPermutation.permutation(6, using: &rng)
        let second = NumPyPermutation.permutation(6, using: &rng)
        XCTAssertEqual(first, NumPyPermutation.permutation(6, seed: 5))
        XCTAssertNotEqual(first, second)
        XCTAssertEqual(Set(second), Set(0..<6))
    }

    func testEachUserKeepsItsItems() {
        let restored = WithinUserOrder.restore(Self.rows, seed: 3)
        for u: Int64 in [1, 2, 3] {
            let before = zip(Self.rows.users, Self.rows.items).filter { $0.0 == u }.map(\.1)
            let after = zip(restored.users, restored.items).filter { $0.0 == u }.map(\.1)
            XCTAssertEqual(before.sorted(), after.sorted())
        }
    }

    func testDescriptionNamesTheSeed() {
        var s = DatasetManifest.Source(cacheName: "train.rebuilt.txt", bytes: 1, sha256: String(repeating: "0", count: 64),
                                       format: "lightgcn-adjacency")
        XCTAssertEqual(WithinUserOrder.describe(s), "train.rebuilt.txt: as distributed")
        s.withinUserOrder = .lost
        s.orderSeed = 4
        XCTAssertEqual(WithinUserOrder.describe(s), "train.rebuilt.txt: within-user order restored, seed 4")
    }

    /// The split digest covers the source order: the same split under another order description differs.
    func testSplitDigestCoversSourceOrder() {
        let clean = RawInteractions(users: Self.rows.users, items: Self.rows.items)
        let a = StratifiedSplit().split(clean, name: "t", rawDigest: "r", sourceOrder: "x: as distributed")
        let b = StratifiedSplit().split(clean, name: "t", rawDigest: "r", sourceOrder: "x: within-user order restored, seed 1")
        XCTAssertEqual(a.train, b.train)
        XCTAssertNotEqual(a.splitDigest, b.splitDigest)
    }
}
