import Foundation
import Linalg

/// A small fully-connected network in `Float` (docs/method.md §1.5): `sizes = [n₀, n₁, …, n_L]`, layer l maps
/// n_l → n_{l+1} as `y = x·W_lᵀ + b_l` (torch `nn.Linear`), with ReLU after every layer but the
/// last, which is linear.
///
/// Parameters live in one flat buffer so Adam and grad-norm clipping act on a single array. Layer
/// l occupies `W_l` (n_{l+1} × n_l, row-major, torch's `weight` layout) followed by `b_l`
/// (n_{l+1}); layers follow each other in order — the order of torch's `parameters()`.
///
/// Batched forward/backward run on row-major `rows × n` blocks through an `MLPWorkspace`:
/// wide layers use OpenBLAS sgemm, a thin input layer (n_l ≤ 8) and a scalar output layer
/// (n_{l+1} = 1) use hand-written loops. Reductions over rows (bias and thin-layer weight
/// gradients) add fixed row-chunk partials in chunk order, so results do not depend on the thread
/// count (BLAS aside, see `Sgemm`).
public struct MLP: Sendable, Equatable {
    public let sizes: [Int]
    public var parameters: [Float]

    /// Largest input width handled by the hand-written thin-layer kernels instead of sgemm.
    static let thinWidth = 8

    public var layerCount: Int { sizes.count - 1 }
    public var inputWidth: Int { sizes[0] }
    public var outputWidth: Int { sizes[sizes.count - 1] }
    public var parameterCount: Int { parameters.count }

    public static func parameterCount(sizes: [Int]) -> Int {
        var n = 0
        for l in 0..<(sizes.count - 1) { n += sizes[l + 1] * sizes[l] + sizes[l + 1] }
        return n
    }

    /// Offset of `W_l` in `parameters`.
    public func weightOffset(_ l: Int) -> Int {
        var o = 0
        for k in 0..<l { o += sizes[k + 1] * sizes[k] + sizes[k + 1] }
        return o
    }

    /// Offset of `b_l` in `parameters`.
    public func biasOffset(_ l: Int) -> Int { weightOffset(l) + sizes[l + 1] * sizes[l] }

    /// PyTorch's default `nn.Linear` initialisation, layer by layer (weight, then bias):
    /// W, b ~ U(−1/√n_l, 1/√n_l) (Kaiming-uniform with a = √5 gives the same bound for W).
    public init(sizes: [Int], random: inout RandomStream) {
        precondition(sizes.count >= 2 && sizes.allSatisfy { $0 >= 1 }, "MLP needs ≥ 2 positive widths")
        self.sizes = sizes
        var p: [Float] = []
        p.reserveCapacity(MLP.parameterCount(sizes: sizes))
        for l in 0..<(sizes.count - 1) {
            let bound = 1 / Float(sizes[l]).squareRoot()
            for _ in 0..<(sizes[l + 1] * sizes[l] + sizes[l + 1]) { p.append(bound * (2 * random.unitFloat() - 1)) }
        }
        parameters = p
    }

    public init(sizes: [Int], parameters: [Float]) {
        precondition(sizes.count >= 2 && sizes.allSatisfy { $0 >= 1 })
        precondition(parameters.count == MLP.parameterCount(sizes: sizes), "MLP: parameter count mismatch")
        self.sizes = sizes
        self.parameters = parameters
    }

    /// Re-draws layer l's weights from U(−bound, bound) (e.g. the actor's last layer, ±3e−3).
    public mutating func reinitializeWeights(layer l: Int, bound: Float, random: inout RandomStream) {
        let o = weightOffset(l)
        for k in o..<(o + sizes[l + 1] * sizes[l]) { parameters[k] = bound * (2 * random.unitFloat() - 1) }
    }

    /// Soft (Polyak) update towards `source`: θ′ ← θ′ + τ(θ − θ′), i.e. (1−τ)θ′ + τθ as torch `lerp_`.
    public mutating func softUpdate(toward source: MLP, tau: Float) {
        precondition(source.sizes == sizes)
        parameters.withUnsafeMutableBufferPointer { t in
            source.parameters.withUnsafeBufferPointer { s in
                for i in 0..<t.count { t[i] += tau * (s[i] - t[i]) }
            }
        }
    }

    /// Single-row convenience forward (tests, debugging); allocates.
    public func evaluate(_ x: [Float]) -> [Float] {
        precondition(x.count % inputWidth == 0)
        let rows = x.count / inputWidth
        let ws = MLPWorkspace(sizes: sizes, capacity: max(rows, 1))
        return x.withUnsafeBufferPointer { xp in
            let out = forward(xp.baseAddress!, rows: rows, workspace: ws)
            return Array(UnsafeBufferPointer(start: out, count: rows * outputWidth))
        }
    }

    // MARK: forward

    /// Forward pass of `rows` input rows (`rows × n₀`, row-major). Keeps every hidden activation
    /// (post-ReLU) in `workspace` for `backward` and returns a pointer to the `rows × n_L` output
    /// (owned by the workspace; valid until its next use).
    @discardableResult
    public func forward(_ input: UnsafePointer<Float>, rows: Int, workspace ws: MLPWorkspace) -> UnsafeMutablePointer<Float> {
        precondition(ws.sizes == sizes && rows <= ws.capacity, "MLP.forward: workspace too small or of another shape")
        parameters.withUnsafeBufferPointer { pp in
            let p = pp.baseAddress!
            var x = input
            for l in 0..<layerCount {
                let out = l == layerCount - 1 ? ws.output.base : ws.activations[l].base
                let nIn = sizes[l], nOut = sizes[l + 1]
                let w = p + weightOffset(l), b = p + biasOffset(l)
                let relu = l < layerCount - 1
                if nIn <= MLP.thinWidth {
                    MLPKernels.thinForward(x: x, rows: rows, nIn: nIn, nOut: nOut, w: w, b: b, out: out,
                                           transposed: ws.transposedWeights.base, relu: relu, serial: ws.serial)
                } else if nOut == 1 {
                    MLPKernels.dotForward(x: x, rows: rows, n: nIn, w: w, b: b[0], out: out, relu: relu, serial: ws.serial)
                } else {
                    Sgemm.raw(m: rows, n: nOut, k: nIn, alpha: 1, a: x, lda: nIn, transposeA: false,
                              b: w, ldb: nIn, transposeB: true, beta: 0, c: out, ldc: nOut)
                    MLPKernels.biasActivate(out, rows: rows, n: nOut, b: b, relu: relu, serial: ws.serial)
                }
                x = UnsafePointer(out)
            }
        }
        return ws.output.base
    }

    // MARK: backward

    /// Backward pass after `forward(input, rows, ws)` with the same arguments.
    ///
    /// `outputGrad` is ∂L/∂y (`rows × n_L`). Writes (overwrites) ∂L/∂θ into `parameterGrads`
    /// (flat, same layout as `parameters`) when given, and ∂L/∂x (`rows × n₀`) into `inputGrad`
    /// when given. ReLU′ is taken as 1[h > 0] on the stored post-activation h (torch's rule).
    public func backward(input: UnsafePointer<Float>, rows: Int, outputGrad: UnsafePointer<Float>,
                         workspace ws: MLPWorkspace,
                         parameterGrads: UnsafeMutablePointer<Float>?, inputGrad: UnsafeMutablePointer<Float>?) {
        precondition(ws.sizes == sizes && rows <= ws.capacity)
        let wantParams = parameterGrads != nil
        parameters.withUnsafeBufferPointer { pp in
            let p = pp.baseAddress!
            // g: ∂L/∂(pre-activation output of layer l); db_l: its column sums.
            var g = outputGrad
            if let pg = parameterGrads {
                let L = layerCount - 1
                MLPKernels.columnSums(g, rows: rows, n: sizes[L + 1], into: pg + biasOffset(L), partials: ws.partials.base, serial: ws.serial)
            }
            var ping = true
            for l in stride(from: layerCount - 1, through: 0, by: -1) {
                let nIn = sizes[l], nOut = sizes[l + 1]
                let x: UnsafePointer<Float> = l == 0 ? input : UnsafePointer(ws.activations[l - 1].base)
                let w = p + weightOffset(l)
                if let pg = parameterGrads {
                    let dw = pg + weightOffset(l)
                    if nOut == 1 {
                        MLPKernels.scaledColumnSums(x, weights: g, rows: rows, n: nIn, into: dw, partials: ws.partials.base, serial: ws.serial)
                    } else if nIn <= MLP.thinWidth {
                        MLPKernels.thinWeightGrad(g: g, x: x, rows: rows, nIn: nIn, nOut: nOut, into: dw,
                                                  partials: ws.partials.base, serial: ws.serial)
                    } else {
                        Sgemm.raw(m: nOut, n: nIn, k: rows, alpha: 1, a: g, lda: nOut, transposeA: true,
                                  b: x, ldb: nIn, transposeB: false, beta: 0, c: dw, ldc: nIn)
                    }
                }
                if l > 0 {
                    // ∂L/∂h_{l-1} = g·W_l, masked by ReLU′, plus the column sums for b_{l-1}.
                    let dx = ping ? ws.gradA.base : ws.gradB.base
                    ping.toggle()
                    let db: UnsafeMutablePointer<Float>? = wantParams ? parameterGrads! + biasOffset(l - 1) : nil
                    if nOut == 1 {
                        MLPKernels.outerMask(g: g, w: w, h: x, rows: rows, n: nIn, into: dx, serial: ws.serial)
                    } else {
                        Sgemm.raw(m: rows, n: nIn, k: nOut, alpha: 1, a: g, lda: nOut, transposeA: false,
                                  b: w, ldb: nIn, transposeB: false, beta: 0, c: dx, ldc: nIn)
                        MLPKernels.reluMask(dx, h: x, rows: rows, n: nIn, serial: ws.serial)
                    }
                    if let db { MLPKernels.columnSums(dx, rows: rows, n: nIn, into: db, partials: ws.partials.base, serial: ws.serial) }
                    g = UnsafePointer(dx)
                } else if let dx = inputGrad {
                    if nIn <= MLP.thinWidth {
                        MLPKernels.thinInputGrad(g: g, w: w, rows: rows, nIn: nIn, nOut: nOut, into: dx, serial: ws.serial)
                    } else {
                        Sgemm.raw(m: rows, n: nIn, k: nOut, alpha: 1, a: g, lda: nOut, transposeA: false,
                                  b: w, ldb: nIn, transposeB: false, beta: 0, c: dx, ldc: nIn)
                    }
                }
            }
        }
    }
}

extension MLP: Codable {
    enum CodingKeys: String, CodingKey { case sizes, parameters }
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let sizes = try c.decode([Int].self, forKey: .sizes)
        let p = try FloatArrayCoding.floats(try c.decode(Data.self, forKey: .parameters))
        guard sizes.count >= 2, p.count == MLP.parameterCount(sizes: sizes) else {
            throw DecodingError.dataCorruptedError(forKey: .parameters, in: c, debugDescription: "MLP parameter count mismatch")
        }
        self.init(sizes: sizes, parameters: p)
    }
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(sizes, forKey: .sizes)
        try c.encode(FloatArrayCoding.data(parameters), forKey: .parameters)
    }
}

/// Scratch memory of one `MLP` shape for batches of up to `capacity` rows: the hidden activations
/// kept for backward, the output, two ping-pong gradient blocks and reduction partials. Holds no
/// state between calls; one workspace must not be used by two passes at the same time.
public final class MLPWorkspace: @unchecked Sendable {
    public let sizes: [Int]
    public let capacity: Int
    /// Run the hand-written kernels in the calling thread (for callers that already run several
    /// passes in parallel). Does not change any result.
    public var serial = false
    let activations: [AlignedFloatBuffer]
    let output: AlignedFloatBuffer
    let gradA: AlignedFloatBuffer
    let gradB: AlignedFloatBuffer
    let partials: AlignedFloatBuffer
    let transposedWeights: AlignedFloatBuffer

    public init(sizes: [Int], capacity: Int) {
        precondition(capacity >= 1)
        self.sizes = sizes
        self.capacity = capacity
        activations = (1..<(sizes.count - 1)).map { AlignedFloatBuffer(count: capacity * sizes[$0]) }
        output = AlignedFloatBuffer(count: capacity * sizes[sizes.count - 1])
        let hiddenMax = sizes.dropFirst().dropLast().max() ?? 1
        gradA = AlignedFloatBuffer(count: capacity * hiddenMax)
        gradB = AlignedFloatBuffer(count: capacity * hiddenMax)
        let widest = sizes.max()!
        let chunks = (capacity + MLPKernels.rowGrain - 1) / MLPKernels.rowGrain
        partials = AlignedFloatBuffer(count: chunks * widest * (MLP.thinWidth + 1))
        transposedWeights = AlignedFloatBuffer(count: MLP.thinWidth * widest)
    }
}
