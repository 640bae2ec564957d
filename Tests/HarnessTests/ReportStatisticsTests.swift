import XCTest
@testable import Harness

/// Seed statistics, t quantiles and the paired t-test against hand-computed values.
final class ReportStatisticsTests: XCTestCase {
    func testTQuantilesMatchTables() {
        // Two-sided 95 % quantiles t_{0.975, ν} (standard table values).
        let table: [(Int, Double)] = [(1, 12.706204736174707), (2, 4.302652729911275), (4, 2.7764451051977987),
                                      (10, 2.2281388519649385), (30, 2.0422724563012373)]
        for (nu, t) in table {
            XCTAssertEqual(SeedStatistics.tQuantile975(degreesOfFreedom: nu), t, accuracy: 1e-9, "ν = \(nu)")
        }
        XCTAssertEqual(StudentT(degreesOfFreedom: 5).quantile(0.5), 0)
        XCTAssertEqual(StudentT(degreesOfFreedom: 3).quantile(0.025), -3.182446305284263, accuracy: 1e-9)
    }

    func testTCDFClosedForms() {
        // ν = 1 is the Cauchy distribution; ν = 2 has F(t) = ½ + t / (2√(2 + t²)).
        XCTAssertEqual(StudentT(degreesOfFreedom: 1).cdf(1), 0.75, accuracy: 1e-12)
        XCTAssertEqual(StudentT(degreesOfFreedom: 1).twoSidedP(2), 1 - 2 / Double.pi * atan(2.0), accuracy: 1e-12)
        XCTAssertEqual(StudentT(degreesOfFreedom: 2).twoSidedP(2), 1 - 2 / 6.0.squareRoot(), accuracy: 1e-12)
        XCTAssertEqual(StudentT(degreesOfFreedom: 7).cdf(-1.3) + StudentT(degreesOfFreedom: 7).cdf(1.3), 1, accuracy: 1e-12)
        XCTAssertEqual(StudentT(degreesOfFreedom: 4).twoSidedP(.infinity), 0)
    }

    func testOneSeedHasAMeanButNoSpreadOrInterval() {
        let s = SeedStatistics([0.25])
        XCTAssertEqual(s.n, 1)
        XCTAssertEqual(s.mean, 0.25)
        XCTAssertNil(s.sd)
        XCTAssertNil(s.ciHalfWidth)
        XCTAssertFalse(s.intervalContains(0.25))
    }

    func testTwoSeeds() throws {
        let s = SeedStatistics([0.2, 0.3])
        XCTAssertEqual(try XCTUnwrap(s.mean), 0.25, accuracy: 1e-15)
        XCTAssertEqual(try XCTUnwrap(s.sd), 0.07071067811865475, accuracy: 1e-12)
        // 12.7062… · 0.0707… / √2
        XCTAssertEqual(try XCTUnwrap(s.ciHalfWidth), 0.6353102368087353, accuracy: 1e-9)
    }

    func testFiveSeeds() throws {
        let s = SeedStatistics([1, 2, 3, 4, 5])
        XCTAssertEqual(s.mean, 3)
        XCTAssertEqual(try XCTUnwrap(s.sd), 1.5811388300841898, accuracy: 1e-12)
        XCTAssertEqual(try XCTUnwrap(s.ciHalfWidth), 1.9632431614775607, accuracy: 1e-9)
        XCTAssertTrue(s.intervalContains(4.9))
        XCTAssertFalse(s.intervalContains(5.0))
    }

    func testNoSeeds() {
        let s = SeedStatistics([])
        XCTAssertEqual(s.n, 0)
        XCTAssertNil(s.mean)
    }

    func testPairedTestHandExample() throws {
        // d = (0.02, 0.03, 0.01, 0.01): mean 0.0175, sd 0.0095743, t = 3.65563, ν = 3,
        // p = 2(1 − F₃(t)) with F₃(t) = ½ + (1/π)(u/(1+u²) + atan u), u = t/√3.
        let test = PairedTest(pairs: [(0.30, 0.28), (0.32, 0.29), (0.29, 0.28), (0.31, 0.30)])
        XCTAssertEqual(test.n, 4)
        XCTAssertEqual(try XCTUnwrap(test.meanDifference), 0.0175, accuracy: 1e-12)
        XCTAssertEqual(try XCTUnwrap(test.t), 3.6556307750696555, accuracy: 1e-9)
        XCTAssertEqual(try XCTUnwrap(test.p), 0.03535284700251706, accuracy: 1e-9)
    }

    func testPairedTestNeedsTwoPairs() {
        let one = PairedTest(pairs: [(0.3, 0.2)])
        XCTAssertEqual(one.n, 1)
        XCTAssertEqual(one.meanDifference ?? .nan, 0.1, accuracy: 1e-12)
        XCTAssertNil(one.t)
        XCTAssertNil(one.p)
        let none = PairedTest(pairs: [])
        XCTAssertNil(none.meanDifference)
    }

    func testPairedTestWithConstantDifferences() {
        let same = PairedTest(pairs: [(0.3, 0.3), (0.2, 0.2)])
        XCTAssertEqual(same.t, 0)
        XCTAssertEqual(same.p, 1)
        let shifted = PairedTest(pairs: [(1.5, 1.0), (2.5, 2.0), (3.5, 3.0)])
        XCTAssertEqual(shifted.t, .infinity)
        XCTAssertEqual(shifted.p, 0)
    }

    func testCommonSeedsPairInSeedOrder() {
        let pairs = PairedTest.commonSeeds([3: 0.3, 1: 0.1, 2: 0.2], [2: 0.02, 3: 0.03, 4: 0.04])
        XCTAssertEqual(pairs.map(\.a), [0.2, 0.3])
        XCTAssertEqual(pairs.map(\.b), [0.02, 0.03])
    }
}
