import Linalg

/// Per-step buffers of `NeuMF` (reused across steps, grown on demand). Rows are per batch *slot*
/// (`NeuMFBatchIndex`), `stride` floats each, zero-padded beyond dMax.
final class NeuMFWorkspace: @unchecked Sendable {
    /// Pairs per chunk of the pair pass (fixed: the partial sums do not depend on the thread count).
    static let pairGrain = 256
    let dMax: Int
    let stride: Int
    private(set) var userCapacity = 0
    private(set) var itemCapacity = 0
    private(set) var batchCapacity = 0
    /// Masked MLP / GMF rows, tower halves (a_u incl. b_t, c_v) and their gradients.
    private(set) var userMlp = AlignedFloatBuffer(count: 0), userGmf = AlignedFloatBuffer(count: 0)
    private(set) var userTower = AlignedFloatBuffer(count: 0), userTowerGrad = AlignedFloatBuffer(count: 0)
    private(set) var userMlpGrad = AlignedFloatBuffer(count: 0), userGmfGrad = AlignedFloatBuffer(count: 0)
    private(set) var itemMlp = AlignedFloatBuffer(count: 0), itemGmf = AlignedFloatBuffer(count: 0)
    private(set) var itemTower = AlignedFloatBuffer(count: 0), itemTowerGrad = AlignedFloatBuffer(count: 0)
    private(set) var itemMlpGrad = AlignedFloatBuffer(count: 0), itemGmfGrad = AlignedFloatBuffer(count: 0)
    /// ∂L/∂s(u, j_b) per pair (∂L/∂s(u, i_b) is its negative).
    private(set) var coefficients = AlignedFloatBuffer(count: 0)
    /// Per-chunk partial sums of ∂L/∂w_tower, ∂L/∂w_gmf (stride each) and ∂L/∂b_p.
    private(set) var partialTower = AlignedFloatBuffer(count: 0), partialGmf = AlignedFloatBuffer(count: 0)
    private(set) var partialBias = AlignedFloatBuffer(count: 0)
    /// w_tower and w_gmf padded to `stride`.
    let outTower: AlignedFloatBuffer
    let outGmf: AlignedFloatBuffer
    /// Gradients of the dense parameters (logical shapes).
    var towerWeightGrad: [Float]
    var towerBiasGrad: [Float]
    var predictorWeightGrad: [Float]
    var predictorBiasGrad: [Float] = [0]

    init(dMax: Int, stride: Int) {
        self.dMax = dMax
        self.stride = stride
        outTower = AlignedFloatBuffer(count: stride)
        outGmf = AlignedFloatBuffer(count: stride)
        towerWeightGrad = [Float](repeating: 0, count: dMax * 2 * dMax)
        towerBiasGrad = [Float](repeating: 0, count: dMax)
        predictorWeightGrad = [Float](repeating: 0, count: 2 * dMax)
    }

    func reserve(users: Int, items: Int, batch: Int) {
        if users > userCapacity {
            userCapacity = max(users, userCapacity * 5 / 4)
            let n = userCapacity * stride
            userMlp = AlignedFloatBuffer(count: n); userGmf = AlignedFloatBuffer(count: n)
            userTower = AlignedFloatBuffer(count: n); userTowerGrad = AlignedFloatBuffer(count: n)
            userMlpGrad = AlignedFloatBuffer(count: n); userGmfGrad = AlignedFloatBuffer(count: n)
        }
        if items > itemCapacity {
            itemCapacity = max(items, itemCapacity * 5 / 4)
            let n = itemCapacity * stride
            itemMlp = AlignedFloatBuffer(count: n); itemGmf = AlignedFloatBuffer(count: n)
            itemTower = AlignedFloatBuffer(count: n); itemTowerGrad = AlignedFloatBuffer(count: n)
            itemMlpGrad = AlignedFloatBuffer(count: n); itemGmfGrad = AlignedFloatBuffer(count: n)
        }
        if batch > batchCapacity {
            batchCapacity = batch
            coefficients = AlignedFloatBuffer(count: batch)
            let chunks = (batch + NeuMFWorkspace.pairGrain - 1) / NeuMFWorkspace.pairGrain
            partialTower = AlignedFloatBuffer(count: chunks * stride)
            partialGmf = AlignedFloatBuffer(count: chunks * stride)
            partialBias = AlignedFloatBuffer(count: chunks)
        }
    }
}
