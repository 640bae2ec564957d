import Evaluation
import Linalg

/// What the trainer and the size-search methods need from a recommender backbone
/// (LightGCN, NGCF, NeuMF). A backbone owns its parameters and Adam state, is built for one
/// training set and one `EmbeddingSizes` (prefix masks on its layer-0 embeddings), and trains
/// with BPR. The learning-rate schedule belongs to the caller (`StepDecaySchedule`).
public protocol Backbone: AnyObject {
    /// Short lower-case name, e.g. "lightgcn".
    var name: String { get }
    var sizes: EmbeddingSizes { get }
    /// One full training step on `batch` (forward, BPR loss + regulariser, backward, Adam at
    /// `learningRate`). Returns the batch loss before the update.
    func trainStep(_ batch: BPRBatch, learningRate: Float) -> Float
    /// A scorer of the current parameters for full-ranking evaluation (a snapshot: later
    /// training does not change it).
    func makeScorer() -> any BlockScorer
    /// Parameters and optimiser state.
    func checkpoint() -> BackboneCheckpoint
    func restore(_ checkpoint: BackboneCheckpoint) throws
}
