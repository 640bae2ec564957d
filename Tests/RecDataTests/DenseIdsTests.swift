import XCTest
@testable import RecData

final class DenseIdsTests: XCTestCase {
    /// Bulk and single lookups agree with a Dictionary reference, across many table growths.
    func testMatchesDictionaryAcrossGrowth() {
        var rng = SystemRandomNumberGenerator()
        let values: [Int64] = (0..<200_00).map { k in k % 3 == 0 ? Int64(k % 977) : Int64.random(in: 0...1_000_000_000_000, using: &rng) }
        var reference: [Int64: Int32] = [:]
        var order: [Int64] = []
        let expected: [Int32] = values.map { v in
            if let t = reference[v] { return t }
            let t = Int32(order.count); reference[v] = t; order.append(v); return t
        }
        var bulk = DenseIds(capacity: 4)
        XCTAssertEqual(bulk.ids(of: values), expected)
        XCTAssertEqual(bulk.raw, order)
        var single = DenseIds(capacity: 1)
        XCTAssertEqual(values.map { single.id(of: $0) }, expected)
        // Mixed: bulk after single keeps numbering.
        XCTAssertEqual(single.ids(of: [order[5], -7, order[0], -7]), [5, Int32(order.count), 0, Int32(order.count)])
    }

    func testUserGroupingIsStableAndAscending() {
        let g = UserGrouping(users: [5, 2, 5, 9, 2, 2, -1])
        XCTAssertEqual(g.userRawIds, [-1, 2, 5, 9])
        XCTAssertEqual(g.offsets, [0, 1, 4, 6, 7])
        XCTAssertEqual(g.rows, [6, 1, 4, 5, 0, 2, 3])
        XCTAssertEqual(g.userOfRow, [2, 1, 2, 3, 1, 1, 0])
    }

    func testCountingSortIsStable() {
        XCTAssertEqual(CountingSort.stableOrder([0, 1, 2, 3, 4], by: [2, 0, 2, 1, 0], keyCount: 3), [1, 4, 3, 0, 2])
        XCTAssertEqual(CountingSort.ranks([30, 10, 20]), [2, 0, 1])
    }
}
