import XCTest
@testable import SizeSearch

final class EqualSizesTests: XCTestCase {
    func testFloorSizesAndTheirExactSparsity() {
        XCTAssertEqual([0.80, 0.90, 0.95].map { EqualSizes.size(targetSparsity: $0) }, [25, 12, 6])
        let s = [0.80, 0.90, 0.95].map { EqualSizes.sizes(userCount: 6040, itemCount: 3706, targetSparsity: $0).sparsity }
        XCTAssertEqual(s[0], 0.8046875, accuracy: 1e-12)   // 1 − 25/128
        XCTAssertEqual(s[1], 0.90625, accuracy: 1e-12)     // 1 − 12/128
        XCTAssertEqual(s[2], 0.953125, accuracy: 1e-12)    // 1 − 6/128
    }
}
