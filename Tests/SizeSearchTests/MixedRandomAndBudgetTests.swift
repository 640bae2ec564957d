import XCTest
@testable import SizeSearch

final class MixedRandomAndBudgetTests: XCTestCase {
    func testBudgetEntriesAreFlooredProducts() {
        XCTAssertEqual(Budget.entries(targetSparsity: 0.80, entities: 9746), 249_497)  // ⌊0.2·128·9746⌋ = ⌊249497.6⌋
        XCTAssertEqual(Budget.entries(targetSparsity: 0.90, entities: 10), 128)
        XCTAssertEqual(Budget.entries(targetSparsity: 0.95, entities: 10), 64)
    }

    func testUpperSizesFollowTheAuthorsRange() {
        XCTAssertEqual([0.80, 0.90, 0.95].map { MixedRandom.upperSize(targetSparsity: $0) }, [50, 25, 12])
    }

    func testRepairHitsTheBudgetExactlyAndKeepsTheRange() {
        for c in [0.80, 0.90, 0.95] {
            let s = MixedRandom.sizes(userCount: 6040, itemCount: 3706, targetSparsity: c, seed: 1)
            XCTAssertEqual(s.usedEntries, Budget.entries(targetSparsity: c, entities: 9746))
            let high = UInt8(MixedRandom.upperSize(targetSparsity: c))
            XCTAssertTrue((s.users + s.items).allSatisfy { $0 >= 1 && $0 <= high })
            XCTAssertLessThanOrEqual(s.density, 1 - c)
            let audit = Budget.audit(s, targetSparsity: c, control: .controlled)
            XCTAssertTrue(audit.withinBudget)
            // Still spread over the range, not collapsed to a constant.
            XCTAssertGreaterThan(Set(s.users).count, Int(high) / 2)
        }
    }

    func testSameSeedSameSizesOtherSeedOtherSizes() {
        let a = MixedRandom.sizes(userCount: 50, itemCount: 30, targetSparsity: 0.9, seed: 7)
        let b = MixedRandom.sizes(userCount: 50, itemCount: 30, targetSparsity: 0.9, seed: 7)
        let c = MixedRandom.sizes(userCount: 50, itemCount: 30, targetSparsity: 0.9, seed: 8)
        XCTAssertEqual(a, b)
        XCTAssertNotEqual(a, c)
    }

    func testAuditFlagsOnlyControlledMethodsOverBudget() {
        let over = EqualSizes.sizes(userCount: 10, itemCount: 10, targetSparsity: 0.5)   // 64 of 128: exactly at budget
        XCTAssertTrue(Budget.audit(over, targetSparsity: 0.5, control: .controlled).withinBudget)
        let big = EmbeddingSizesFixture.uniform(10, 10, 65)
        XCTAssertFalse(Budget.audit(big, targetSparsity: 0.5, control: .controlled).withinBudget)
        XCTAssertTrue(Budget.audit(big, targetSparsity: 0.5, control: .uncontrolled).withinBudget)
        XCTAssertEqual(Budget.audit(big, targetSparsity: nil, control: .uncontrolled).achievedSparsity, 1 - 65.0 / 128, accuracy: 1e-12)
    }
}

import Recommenders
enum EmbeddingSizesFixture {
    static func uniform(_ u: Int, _ i: Int, _ d: Int) -> EmbeddingSizes { .uniform(userCount: u, itemCount: i, size: d) }
}
