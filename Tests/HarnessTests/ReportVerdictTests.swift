import XCTest
@testable import Harness

/// The verdict rules of the report.
final class ReportVerdictTests: XCTestCase {
    func ok(_ mean: Double, ci: Double? = nil, n: Int = 2) -> OurValue { OurValue(status: "ok", n: n, mean: mean, ci: ci) }

    func testWithinFivePercentIsReproduced() {
        XCTAssertEqual(Verdict.judge(paper: 0.2436, testSelected: ok(0.2436 * 1.049), clean: nil), .reproduced)
        XCTAssertEqual(Verdict.judge(paper: 0.2436, testSelected: ok(0.2436 * 0.951), clean: nil), .reproduced)
        XCTAssertEqual(Verdict.judge(paper: 0.2000, testSelected: ok(0.2100), clean: nil), .reproduced, "exactly 5 %")
    }

    func testInsideTheConfidenceIntervalIsReproduced() {
        XCTAssertEqual(Verdict.judge(paper: 0.20, testSelected: ok(0.23, ci: 0.031), clean: nil), .reproduced)
        XCTAssertEqual(Verdict.judge(paper: 0.20, testSelected: ok(0.23, ci: 0.029), clean: nil), .deviates)
    }

    func testOutsideBothIsDeviates() {
        XCTAssertEqual(Verdict.judge(paper: 0.2436, testSelected: ok(0.20, n: 1), clean: ok(0.2436)), .deviates)
    }

    func testOnlyCleanIsProtocolDiffers() {
        XCTAssertEqual(Verdict.judge(paper: 0.2436, testSelected: nil, clean: ok(0.2436)), .protocolDiffers)
        let failedCode = OurValue(status: "failed", n: 0, mean: nil, ci: nil)
        XCTAssertEqual(Verdict.judge(paper: 0.2436, testSelected: failedCode, clean: ok(0.1)), .protocolDiffers)
    }

    func testNothingIsNotRun() {
        XCTAssertEqual(Verdict.judge(paper: 0.2436, testSelected: nil, clean: nil), .notRun)
        let failed = OurValue(status: "failed", n: 0, mean: nil, ci: nil)
        XCTAssertEqual(Verdict.judge(paper: 0.2436, testSelected: failed, clean: failed), .notRun)
        XCTAssertEqual(Verdict.judge(paper: nil, testSelected: nil, clean: nil), .notRun)
    }

    func testNotReachedUnderTheComparableProtocolDeviates() {
        let notReached = OurValue(status: "not_reached", n: 0, mean: nil, ci: nil)
        XCTAssertEqual(Verdict.judge(paper: 0.2, testSelected: notReached, clean: nil), .deviates)
        XCTAssertEqual(Verdict.judge(paper: 0.2, testSelected: nil, clean: notReached), .protocolDiffers)
    }

    func testAmbiguousPaperValue() {
        XCTAssertEqual(Verdict.judge(paper: nil, testSelected: ok(0.3), clean: nil), .ambiguous)
    }
}
