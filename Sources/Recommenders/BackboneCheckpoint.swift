import Linalg

/// A backbone's full training state: named parameter tensors (row-major, logical shapes) and
/// the Adam state of each, plus the number of steps taken. Codable (JSON or property-list
/// bytes); restoring it into a backbone of the same kind and shape continues training exactly.
public struct BackboneCheckpoint: Sendable, Equatable, Codable {
    public var backbone: String
    public var tensors: [String: CheckpointTensor]
    public var optimizer: [String: AdamState]
    public var steps: Int

    public init(backbone: String, tensors: [String: CheckpointTensor], optimizer: [String: AdamState], steps: Int) {
        self.backbone = backbone
        self.tensors = tensors
        self.optimizer = optimizer
        self.steps = steps
    }

    /// Every stored array by name (tensors, then the Adam moments), in a fixed order: for validation.
    public var allValues: [(String, [Float])] {
        tensors.keys.sorted().map { ("tensor '\($0)'", tensors[$0]!.values) }
            + optimizer.keys.sorted().flatMap { k in [("Adam m of '\(k)'", optimizer[k]!.m), ("Adam v of '\(k)'", optimizer[k]!.v)] }
    }
}

/// Why a checkpoint could not be restored.
public enum BackboneCheckpointError: Error, Equatable, CustomStringConvertible {
    case wrongBackbone(expected: String, found: String)
    case missingTensor(String)
    case shapeMismatch(name: String, expected: String, found: String)

    public var description: String {
        switch self {
        case let .wrongBackbone(e, f): return "checkpoint is for backbone \(f), expected \(e)"
        case let .missingTensor(n): return "checkpoint lacks tensor or optimiser state '\(n)'"
        case let .shapeMismatch(n, e, f): return "checkpoint tensor '\(n)' has shape \(f), expected \(e)"
        }
    }
}

/// A row-major `Float` tensor in a checkpoint.
public struct CheckpointTensor: Sendable, Equatable, Codable {
    public var rows: Int
    public var cols: Int
    public var values: [Float]

    public init(_ m: Matrix) {
        rows = m.rows
        cols = m.cols
        values = m.storage
    }

    public var matrix: Matrix { Matrix(rows: rows, cols: cols, storage: values) }
}
