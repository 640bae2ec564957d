import XCTest
@testable import Harness

final class PlanStageIDTests: XCTestCase {
    func testRoundTripOfEveryPlannedId() throws {
        let plan = try PlanFixtures.plan()
        for s in plan.searches {
            XCTAssertEqual(try StageID.parse(s.description), .search(s))
        }
        for c in plan.cells {
            XCTAssertEqual(try StageID.parse(c.description), .cell(c))
        }
    }

    func testFormatting() throws {
        let c = CellID(dataset: "yelp2018", backbone: "ngcf", method: "ciess",
                       searchVariant: SearchVariant(noise: "ou", randomWalk: true, lambda: 0.6), interval: 3,
                       target: 0.95, seed: 2, finalProtocol: "code")
        XCTAssertEqual(c.description, "yelp2018/ngcf/ciess/ou-rw-l0.6-i3/c0.95/seed2/code")
        XCTAssertEqual(c.search.description, "yelp2018/ngcf/ciess/ou-rw-l0.6/seed2/search")
        XCTAssertEqual(StageID.cell(c).logName, "yelp2018__ngcf__ciess__ou-rw-l0.6-i3__c0.95__seed2__code.log")
        XCTAssertEqual(SearchVariant(noise: "g", randomWalk: true, lambda: 1.0).description, "g-rw-l1")
        XCTAssertEqual(try StageID.parse("ml-1m/lightgcn/optembed/default/cnone/seed1/clean").description,
                       "ml-1m/lightgcn/optembed/default/cnone/seed1/clean")
    }

    func testMalformedIdsAreRejectedWithAReason() {
        let cases: [(String, String)] = [
            ("ml-1m/lightgcn/ciess/g-rw/c0.90/seed1", "6-component id must end in 'search'"),
            ("ml-1m/lightgcn/ciess/g-rw/c0.90", "5 components"),
            ("ml-10m/lightgcn/ciess/g-rw/c0.90/seed1/clean", "unknown dataset 'ml-10m'"),
            ("ml-1m/gcn/ciess/g-rw/c0.90/seed1/clean", "unknown backbone 'gcn'"),
            ("ml-1m/lightgcn/magic/default/c0.90/seed1/clean", "unknown method 'magic'"),
            ("ml-1m/lightgcn/ciess/g-rw/c0.9/seed1/clean", "'c0.9' is not c<0.xx>"),
            ("ml-1m/lightgcn/ciess/g-rw/c1.50/seed1/clean", "is not c<0.xx>"),
            ("ml-1m/lightgcn/ciess/g-rw/c0.90/s1/clean", "'s1' is not seed<N>"),
            ("ml-1m/lightgcn/ciess/g-rw/c0.90/seed01/clean", "is not seed<N>"),
            ("ml-1m/lightgcn/ciess/g-rw/c0.90/seed1/dirty", "unknown protocol 'dirty'"),
            ("ml-1m/lightgcn/ciess/x-rw/c0.90/seed1/clean", "unknown variant"),
            ("ml-1m/lightgcn/ciess/g-rw-l0.60/seed1/search", "unknown search variant"),
            ("ml-1m/lightgcn/ciess/g-rw-i0/c0.90/seed1/clean", "interval suffix"),
            ("ml-1m/lightgcn/es/g-rw/c0.90/seed1/clean", "es takes the variant 'default'"),
            ("ml-1m/lightgcn/ciess/default/c0.90/seed1/clean", "ciess needs a variant"),
            ("ml-1m/lightgcn/esapn/default/c0.90/seed1/clean", "takes cnone"),
            ("ml-1m/lightgcn/es/default/cnone/seed1/clean", "needs a budget"),
            ("ml-1m/lightgcn/mr/default-i2/c0.90/seed1/clean", "only ciess cells have interval"),
        ]
        for (id, needle) in cases {
            XCTAssertThrowsError(try StageID.parse(id), id) { error in
                let text = "\(error)"
                XCTAssertTrue(text.contains(needle), "\(id): '\(text)' lacks '\(needle)'")
                XCTAssertTrue(text.contains("expected"), "\(id): the message should show the expected shape")
            }
        }
    }
}
