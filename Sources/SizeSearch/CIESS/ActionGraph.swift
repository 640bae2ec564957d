import Linalg

/// The CIESS action graph (docs/method.md §1.6 step 2): vertices are the sizes `minSize...maxSize`
/// (1…128); the neighbours of d are A_d = { d′ in range : 0 < |d − d′| ≤ t } (t = 5), so an
/// interior vertex has 2t neighbours and a border vertex fewer (1 and 128 have t; no padding with
/// invalid vertices, defect C5). P(d → d′) = (1/|d − d′|) / Σ_{d″ ∈ A_d} 1/|d − d″|.
///
/// Interior transition probabilities for t = 5: ±1: 0.2190, ±2: 0.1095, ±3: 0.0730, ±4: 0.0547,
/// ±5: 0.0438.
public struct ActionGraph: Sendable, Equatable {
    public let minSize: Int
    public let maxSize: Int
    public let threshold: Int
    /// Per vertex (index d − minSize): neighbours in increasing order, and their probabilities.
    public let neighbours: [[Int]]
    public let probabilities: [[Double]]
    /// Running sums of `probabilities`, the last forced to exactly 1.
    let cumulative: [[Double]]

    public init(minSize: Int = 1, maxSize: Int = 128, threshold: Int = 5) {
        precondition(maxSize > minSize && threshold >= 1)
        self.minSize = minSize
        self.maxSize = maxSize
        self.threshold = threshold
        var nb: [[Int]] = [], pr: [[Double]] = [], cu: [[Double]] = []
        for d in minSize...maxSize {
            let list = (max(minSize, d - threshold)...min(maxSize, d + threshold)).filter { $0 != d }
            let weights = list.map { 1 / Double(abs($0 - d)) }
            let total = weights.reduce(0, +)
            let p = weights.map { $0 / total }
            var run = 0.0
            var c = p.map { run += $0; return run }
            c[c.count - 1] = 1
            nb.append(list); pr.append(p); cu.append(c)
        }
        neighbours = nb
        probabilities = pr
        cumulative = cu
    }

    public var vertexCount: Int { maxSize - minSize + 1 }

    /// P(from → to) (0 when `to` is not a neighbour).
    public func probability(from: Int, to: Int) -> Double {
        let i = from - minSize
        guard let k = neighbours[i].firstIndex(of: to) else { return 0 }
        return probabilities[i][k]
    }

    /// One random step from vertex `d`: the first neighbour whose cumulative probability exceeds
    /// u ~ U[0, 1) (one `unitDouble` draw).
    public func step(from d: Int, random: inout RandomStream) -> Int {
        let u = random.unitDouble()
        let i = d - minSize
        let c = cumulative[i]
        var k = 0
        while k < c.count - 1 && c[k] <= u { k += 1 }
        return neighbours[i][k]
    }

    /// d0 followed by `length` random steps (vertices may repeat): `length + 1` entries.
    public func walk(from d0: Int, length: Int, random: inout RandomStream) -> [Int] {
        precondition(d0 >= minSize && d0 <= maxSize)
        var out = [d0]
        var d = d0
        for _ in 0..<length { d = step(from: d, random: &random); out.append(d) }
        return out
    }
}
