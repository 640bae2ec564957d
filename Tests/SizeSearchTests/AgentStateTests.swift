import XCTest
@testable import SizeSearch

final class AgentStateTests: XCTestCase {
    func testStateVectorsAndEpisodeStart() {
        var st = AgentState(trainCounts: [0, 1, 5, 9])
        // f_min = 1, f_max = 9 over entities with ≥ 1 interaction; the absent entity lies below −1.
        XCTAssertEqual(st.frequencyTerm, [-1.25, -1, 0, 1])
        XCTAssertEqual(st.vectors, [-1.25, 1, 1, -1, 1, 1, 0, 1, 1, 1, 1, 1])   // d = 128, q̃ = +1
        let r = st.advance(actions: [1, 64, 128, 32], qualities: [0.5, 1.2, 0.0, 0.75], lambda: 0.4)
        XCTAssertEqual(st.sizes, [1, 64, 128, 32])
        XCTAssertEqual(st.qualityTerm, [0, 1, -1, 0.5])
        XCTAssertEqual(r[0], Float(0.5 - 0.4 / (128.0 * 128.0)), accuracy: 1e-7)
        XCTAssertEqual(r[1], Float(1 - 0.4 * 0.25), accuracy: 1e-7)                // q clipped at 1
        XCTAssertEqual(r[2], Float(-0.4), accuracy: 1e-7)
        XCTAssertEqual(r[3], Float(0.75 - 0.4 / 16), accuracy: 1e-7)
        let v = st.vectors
        XCTAssertEqual(v[1], -1)                               // d = 1
        XCTAssertEqual(v[4], 2 * 63 / 127 - 1, accuracy: 1e-7)  // d = 64
        XCTAssertEqual(v[7], 1)                                // d = 128
        st.resetEpisode()
        XCTAssertEqual(st.vectors, AgentState(trainCounts: [0, 1, 5, 9]).vectors)
    }

    func testEqualCountsDoNotDivideByZero() {
        let st = AgentState(trainCounts: [3, 3, 0])
        XCTAssertEqual(st.frequencyTerm, [-1, -1, -7])
    }
}
