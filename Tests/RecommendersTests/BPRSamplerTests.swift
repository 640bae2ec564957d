import XCTest
import Linalg
import RecData
@testable import Recommenders

final class BPRSamplerTests: XCTestCase {
    // User 3 has no items and user 4 has every item: both ineligible.
    let train = UserItemLists(userCount: 6, itemCount: 5,
                              lists: [[0, 1], [2], [1, 3, 4], [], [0, 1, 2, 3, 4], [4]])

    func testTriplesAreValidAndDeterministic() {
        var a = BPRSampler(train: train, seed: 42), b = BPRSampler(train: train, seed: 42)
        XCTAssertEqual(a.eligibleUsers, [0, 1, 2, 5])
        for _ in 0..<20 {
            let x = a.nextBatch(size: 50), y = b.nextBatch(size: 50)
            XCTAssertEqual(x, y)
            for k in 0..<x.count {
                let u = Int(x.users[k])
                XCTAssertTrue([0, 1, 2, 5].contains(u))
                XCTAssertTrue(train.contains(user: u, item: x.positives[k]))
                XCTAssertFalse(train.contains(user: u, item: x.negatives[k]))
            }
        }
        var c = BPRSampler(train: train, seed: 43)
        var d = BPRSampler(train: train, seed: 42)
        XCTAssertNotEqual(c.nextBatch(size: 50), d.nextBatch(size: 50))
    }

    func testDistinctUsersWhenEnoughEligibleUsers() {
        var s = BPRSampler(train: train, seed: 1)
        for _ in 0..<10 {
            let b = s.nextBatch(size: 3)
            XCTAssertEqual(Set(b.users).count, 3)
        }
        let all = s.nextBatch(size: 4)
        XCTAssertEqual(Set(all.users), [0, 1, 2, 5])
    }

    func testARestoredStateContinuesTheSameDraws() throws {
        for size in [3, 50] {    // without replacement (the pool is permuted) and with replacement
            var a = BPRSampler(train: train, seed: 7)
            for _ in 0..<5 { _ = a.nextBatch(size: size) }
            let saved = try JSONDecoder().decode(BPRSampler.State.self, from: JSONEncoder().encode(a.state))
            var b = BPRSampler(train: train, seed: 99)
            try b.restore(saved)
            for _ in 0..<5 { XCTAssertEqual(a.nextBatch(size: size), b.nextBatch(size: size)) }
        }
    }

    func testAStateOfAnotherTrainingSetIsRefused() {
        var s = BPRSampler(train: train, seed: 7)
        let good = s.state
        for pool: [Int32] in [[0, 1, 2], [0, 1, 2, 3], [0, 1, 2, 5, 5], [5, 2, 1, 1], []] {
            var bad = good
            bad.pool = pool
            XCTAssertThrowsError(try s.restore(bad), "\(pool)") { error in
                XCTAssertTrue("\(error)".contains("4 eligible users"), "\(error)")
            }
        }
        XCTAssertEqual(s.state, good, "a refused state leaves the sampler unchanged")
    }
}
