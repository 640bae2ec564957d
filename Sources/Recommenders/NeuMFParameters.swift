import Linalg

/// All NeuMF parameters in logical (unpadded) shapes, d = dMax, N = U + I (users first). Also used
/// as the container of a gradient (same shapes).
///
/// * `gmf` G (N × d) and `mlp` P (N × d): the embedding tables, raw (the mask is applied on use).
/// * `towerWeight` W_t (d × 2d, PyTorch layout out × in) and `towerBias` b_t (d):
///   tower(x) = W_t x + b_t on x = [p_u ; p_v]; W_t = [W_u | W_v].
/// * `predictorWeight` w_p (2d) = [w_tower ; w_gmf] and `predictorBias` b_p: the logit
///   s = w_towerᵀ ReLU(tower) + w_gmfᵀ (g_u ⊙ g_v) + b_p.
public struct NeuMFParameters: Sendable, Equatable {
    public var gmf: Matrix
    public var mlp: Matrix
    public var towerWeight: Matrix
    public var towerBias: [Float]
    public var predictorWeight: [Float]
    public var predictorBias: Float

    public init(gmf: Matrix, mlp: Matrix, towerWeight: Matrix, towerBias: [Float], predictorWeight: [Float],
                predictorBias: Float) {
        let d = gmf.cols
        precondition(mlp.cols == d && mlp.rows == gmf.rows, "NeuMFParameters: G and P must have the same shape")
        precondition(towerWeight.rows == d && towerWeight.cols == 2 * d, "NeuMFParameters: W_t must be d × 2d")
        precondition(towerBias.count == d && predictorWeight.count == 2 * d, "NeuMFParameters: bias/predictor sizes")
        self.gmf = gmf
        self.mlp = mlp
        self.towerWeight = towerWeight
        self.towerBias = towerBias
        self.predictorWeight = predictorWeight
        self.predictorBias = predictorBias
    }
}
