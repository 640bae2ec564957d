import XCTest
@testable import RecData

/// The split of a small synthetic MovieLens-pairs file, compared with the authors' procedure run
/// once in Python (pandas 3.1.1, NumPy 2.4.6): `df.groupby("user", sort=True)`, per group
/// `g.sample(frac=1, random_state=42)`, cuts `round(0.5 n)`, `round(0.75 n)` (Python's round is
/// half-even), parts concatenated TRAIN, VAL, TEST and items numbered by `pd.factorize`.
/// Its output is in the constants below; the script (fixture rows made with RandomState(7)):
/// ```python
/// import numpy as np, pandas as pd
/// counts = {7: 5, 3: 10, 12: 2, 5: 6, 9: 3, 1: 13, 20: 4, 4: 1}
/// rng = np.random.RandomState(7); pending = []
/// for u, n in counts.items():
///     pending += [(u, int(i)) for i in rng.choice(40, size=n, replace=False) + 100]
/// rows = [pending[k] for k in rng.permutation(len(pending))]
/// df = pd.DataFrame(rows, columns=["user", "item"]); parts = {"train": [], "valid": [], "test": []}
/// for u, g in df.groupby("user", sort=True):
///     s = g.sample(frac=1, random_state=42); n = len(s)
///     c1, c2 = int(round(0.5 * n)), int(round(0.75 * n))
///     parts["train"].append(s.iloc[:c1]); parts["valid"].append(s.iloc[c1:c2]); parts["test"].append(s.iloc[c2:])
/// allp = pd.concat([pd.concat(parts[r]).assign(role=r) for r in ["train", "valid", "test"]])
/// codes, uniques = pd.factorize(allp["item"])   # expectedItemOrder = uniques
/// ```
/// The same procedure run on the full mirror files gave train/valid/test files byte-identical to
/// `ciess data split` and the same item numbering, for both ML-1M and Yelp2018 (checked once by hand).
final class StratifiedSplitTests: XCTestCase {
    static let fixture = "5::111\n3::130\n1::106\n3::137\n3::120\n1::137\n1::103\n20::138\n3::124\n9::119\n9::125\n20::102\n12::100\n1::122\n7::118\n1::134\n1::128\n5::123\n5::135\n3::121\n9::120\n3::113\n3::125\n7::132\n1::105\n1::135\n3::106\n4::139\n1::124\n7::137\n1::111\n7::117\n20::123\n3::102\n5::103\n20::116\n1::130\n5::130\n12::127\n1::109\n3::105\n5::104\n1::136\n7::134\n"

    static let expectedRows: [(Int64, Int64, String)] = [
        (1, 109, "train"), (1, 111, "train"), (1, 106, "train"), (1, 124, "train"), (1, 128, "train"), (1, 103, "train"),
        (3, 102, "train"), (3, 137, "train"), (3, 113, "train"), (3, 130, "train"), (3, 106, "train"), (5, 111, "train"),
        (5, 123, "train"), (5, 104, "train"), (7, 132, "train"), (7, 134, "train"), (9, 119, "train"), (9, 125, "train"),
        (12, 127, "train"), (20, 102, "train"), (20, 116, "train"), (1, 137, "valid"), (1, 136, "valid"), (1, 134, "valid"),
        (1, 135, "valid"), (3, 120, "valid"), (3, 105, "valid"), (3, 121, "valid"), (4, 139, "valid"), (5, 135, "valid"),
        (7, 137, "valid"), (7, 118, "valid"), (12, 100, "valid"), (20, 138, "valid"), (1, 130, "test"), (1, 122, "test"),
        (1, 105, "test"), (3, 124, "test"), (3, 125, "test"), (5, 130, "test"), (5, 103, "test"), (7, 117, "test"),
        (9, 120, "test"), (20, 123, "test"),
    ]
    static let expectedItemOrder: [Int64] = [109, 111, 106, 124, 128, 103, 102, 137, 113, 130, 123, 104, 132, 134, 119,
                                             125, 127, 116, 136, 135, 120, 105, 121, 139, 118, 100, 138, 122, 117]

    func raw() throws -> RawInteractions { try MovieLensParser.parse(Data(Self.fixture.utf8), fileName: "fixture.dat") }

    func testRowsMatchPandasReference() throws {
        let rows = StratifiedSplit().rows(try raw())
        XCTAssertEqual(rows.count, Self.expectedRows.count)
        for (k, (got, want)) in zip(rows, Self.expectedRows).enumerated() {
            XCTAssertEqual(got.user, want.0, "row \(k)")
            XCTAssertEqual(got.item, want.1, "row \(k)")
            XCTAssertEqual(got.role.name, want.2, "row \(k)")
        }
    }

    func testReindexingMatchesPandasFactorize() throws {
        let d = StratifiedSplit().split(try raw(), name: "fixture", rawDigest: "x")
        XCTAssertEqual(d.userRawIds, [1, 3, 4, 5, 7, 9, 12, 20])
        XCTAssertEqual(d.itemRawIds, Self.expectedItemOrder)
        // Every expected triple is in the right part under the new ids.
        for (u, i, role) in Self.expectedRows {
            let uid = d.userRawIds.firstIndex(of: u)!
            let iid = Int32(d.itemRawIds.firstIndex(of: i)!)
            let part = role == "train" ? d.train : (role == "valid" ? d.valid : d.test)
            XCTAssertTrue(part.contains(user: uid, item: iid), "\(u) \(i) \(role)")
        }
        XCTAssertEqual(d.train.interactionCount, 21)
        XCTAssertEqual(d.valid.interactionCount, 13)
        XCTAssertEqual(d.test.interactionCount, 10)
    }

    func testCutsRoundHalfToEven() {
        let s = StratifiedSplit()
        XCTAssertEqual(s.cuts(1).0, 0); XCTAssertEqual(s.cuts(1).1, 1)     // 0.5 → 0, 0.75 → 1
        XCTAssertEqual(s.cuts(2).0, 1); XCTAssertEqual(s.cuts(2).1, 2)     // 1.5 → 2
        XCTAssertEqual(s.cuts(5).0, 2); XCTAssertEqual(s.cuts(5).1, 4)     // 2.5 → 2, 3.75 → 4
        XCTAssertEqual(s.cuts(6).0, 3); XCTAssertEqual(s.cuts(6).1, 4)     // 4.5 → 4
        XCTAssertEqual(s.cuts(7).0, 4); XCTAssertEqual(s.cuts(7).1, 5)     // 3.5 → 4, 5.25 → 5
        XCTAssertEqual(s.cuts(10).1, 8)                                    // 7.5 → 8
        XCTAssertEqual(s.cuts(20).0, 10); XCTAssertEqual(s.cuts(20).1, 15)
    }

    func testSplitDigestDependsOnMembershipNotNumbering() throws {
        let a = StratifiedSplit().split(try raw(), name: "fixture", rawDigest: "x")
        // Same pairs in another file order: different shuffle inputs, so a different split and digest.
        var shuffled = try raw()
        shuffled.users.reverse(); shuffled.items.reverse()
        let b = StratifiedSplit().split(shuffled, name: "fixture", rawDigest: "x")
        XCTAssertNotEqual(a.splitDigest, b.splitDigest)
        // Recomputing the digest from the same split is stable.
        XCTAssertEqual(a.splitDigest, SplitDigest.compute(userRawIds: a.userRawIds, itemRawIds: a.itemRawIds,
                                                          train: a.train, valid: a.valid, test: a.test,
                                                          sourceOrder: a.sourceOrder))
        XCTAssertEqual(a.splitDigest.count, 64)
    }

    func testPreprocessingExcludesAndDeduplicatesKeepingFirst() {
        let input = RawInteractions(users: [2, 1, 2, 1, 1, 3], items: [5, 1193, 6, 7, 1193, 5])
        let (out, report) = InteractionPreprocessing(excludedPairs: [(user: 1, item: 1193)]).apply(input)
        XCTAssertEqual(out.users, [2, 2, 1, 3])
        XCTAssertEqual(out.items, [5, 6, 7, 5])
        XCTAssertEqual(report.excludedRows, 2)
        XCTAssertEqual(report.duplicateRows, 0)
        let dup = RawInteractions(users: [1, 2, 1, 1, 2], items: [4, 4, 3, 4, 4])
        let (d, r) = InteractionPreprocessing().apply(dup)
        XCTAssertEqual(d.users, [1, 2, 1])
        XCTAssertEqual(d.items, [4, 4, 3])
        XCTAssertEqual(r.duplicateRows, 2)
    }

    func testStatisticsAndGate() throws {
        let d = StratifiedSplit().split(try raw(), name: "fixture", rawDigest: "x")
        let s = DatasetStatistics(d)
        XCTAssertEqual(s.all.interactions, 44)
        XCTAssertEqual(s.all.users, 8)
        XCTAssertEqual(s.all.items, 29)
        XCTAssertEqual(s.all.minUserDegree, 1)
        XCTAssertEqual(s.all.maxUserDegree, 13)
        XCTAssertEqual(s.train.users, 7, "user 4 (one interaction) has no TRAIN row")
        XCTAssertEqual(s.all, DatasetStatistics.Part(d.train.union(d.valid).union(d.test)))
        XCTAssertNoThrow(try s.verify(expected: .init(interactions: 44, users: 8, items: 29)))
        XCTAssertThrowsError(try s.verify(expected: .init(interactions: 45, users: 8, items: 30))) { e in
            XCTAssertTrue("\(e)".contains("interactions 44, expected 45"), "\(e)")
            XCTAssertTrue("\(e)".contains("items 29, expected 30"), "\(e)")
        }
    }
}
