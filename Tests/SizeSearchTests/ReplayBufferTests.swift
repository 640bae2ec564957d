import XCTest
import Linalg
@testable import SizeSearch

final class ReplayBufferTests: XCTestCase {
    private func iteration(_ t: Int, entities: Int) -> (s: [Float], a: [UInt8], r: [Float], s2: [Float]) {
        let s = (0..<(3 * entities)).map { Float(t * 100 + $0) }
        let a = (0..<entities).map { UInt8(1 + (t * 7 + $0) % 128) }
        let r = (0..<entities).map { Float(t) + Float($0) / 10 }
        let s2 = s.map { -$0 }
        return (s, a, r, s2)
    }

    func testFIFOKeepsTheLastHundredIterations() {
        let n = 3
        var buf = ReplayBuffer(entities: n)
        XCTAssertEqual(buf.capacity, 300)
        for t in 0..<104 {
            let it = iteration(t, entities: n)
            buf.append(states: it.s, actions: it.a, rewards: it.r, nextStates: it.s2)
            XCTAssertEqual(buf.count, min(300, 3 * (t + 1)))
        }
        // Iterations 100…103 overwrote the rows of iterations 0…3, in entity order.
        XCTAssertEqual(buf.writeIndex, 12)
        let row0 = buf.transition(0)
        XCTAssertEqual(row0.state, [10000, 10001, 10002])
        XCTAssertEqual(row0.action, Float(1 + (100 * 7) % 128))
        XCTAssertEqual(row0.reward, 100)
        XCTAssertEqual(row0.nextState, [-10000, -10001, -10002])
        XCTAssertEqual(buf.transition(11).reward, 103.2, accuracy: 1e-5)
        XCTAssertEqual(buf.transition(12).reward, 4)    // oldest kept: iteration 4
        let rewards = (0..<300).map { buf.transition($0).reward.rounded(.down) }
        XCTAssertEqual(Set(rewards), Set((4..<104).map(Float.init)))
    }

    func testSamplingIsUniformWithReplacementOverTheFilledPart() {
        var buf = ReplayBuffer(capacity: 1000)
        let it = iteration(0, entities: 10)
        buf.append(states: it.s, actions: it.a, rewards: it.r, nextStates: it.s2)
        var rng = RandomStream(seed: 1, purpose: "rb")
        let idx = buf.sampleIndices(20_000, random: &rng)
        XCTAssertTrue(idx.allSatisfy { $0 >= 0 && $0 < 10 })
        var counts = [Int](repeating: 0, count: 10)
        for i in idx { counts[i] += 1 }
        for c in counts { XCTAssertEqual(Double(c), 2000, accuracy: 200) }
        // Gather puts (s, norm a), r and s′ into the batch blocks.
        var s = [Float](repeating: 0, count: 6), x = [Float](repeating: 0, count: 8)
        var r = [Float](repeating: 0, count: 2), s2 = [Float](repeating: 0, count: 6)
        buf.gather([3, 3], states: &s, criticInputs: &x, rewards: &r, nextStates: &s2)
        XCTAssertEqual(Array(s[0..<3]), [9, 10, 11])
        XCTAssertEqual(Array(x[0..<3]), [9, 10, 11])
        XCTAssertEqual(x[3], TwinCritic.normalizedAction(Float(it.a[3])))
        XCTAssertEqual(r, [0.3, 0.3])
        XCTAssertEqual(Array(s2[3..<6]), [-9, -10, -11])
    }

    func testCodableRoundTripIsExact() throws {
        var buf = ReplayBuffer(capacity: 50)
        for t in 0..<7 {
            var it = iteration(t, entities: 9)
            it.r = it.r.map { $0 * 0.1 + 1e-7 }
            buf.append(states: it.s, actions: it.a, rewards: it.r, nextStates: it.s2)
        }
        let back = try JSONDecoder().decode(ReplayBuffer.self, from: JSONEncoder().encode(buf))
        XCTAssertEqual(back, buf)
        XCTAssertEqual(back.writeIndex, 13)
        XCTAssertEqual(back.count, 50)
    }
}
