import Foundation
import Linalg

/// The on-disk form of a `BackboneCheckpoint`: every float array as its exact IEEE-754 bytes
/// (`FloatArrayCoding`), so a binary property list stays compact (4 bytes per value) and a
/// restored model continues bit for bit. Every resumable stage (PEP, ESAPN, OptEmbed, final
/// training) stores its models in this one layout:
/// `{backbone, steps, tensors: {name: {rows, cols, values}}, optimizer: {name: {m, v, step, beta1, beta2, epsilon}}}`.
public struct PackedBackboneCheckpoint: Codable, Sendable {
    public struct Tensor: Codable, Sendable { var rows: Int; var cols: Int; var values: Data }
    public struct Adam: Codable, Sendable {
        var m: Data; var v: Data; var step: Int; var beta1: Float; var beta2: Float; var epsilon: Float
    }

    public var backbone: String
    public var steps: Int
    public var tensors: [String: Tensor]
    public var optimizer: [String: Adam]

    public init(_ c: BackboneCheckpoint) {
        backbone = c.backbone
        steps = c.steps
        tensors = c.tensors.mapValues { Tensor(rows: $0.rows, cols: $0.cols, values: FloatArrayCoding.data($0.values)) }
        optimizer = c.optimizer.mapValues {
            Adam(m: FloatArrayCoding.data($0.m), v: FloatArrayCoding.data($0.v), step: $0.step, beta1: $0.beta1,
                 beta2: $0.beta2, epsilon: $0.epsilon)
        }
    }

    /// The checkpoint back in memory; throws when a tensor's byte count does not match its shape.
    public func unpacked() throws -> BackboneCheckpoint {
        var ts: [String: CheckpointTensor] = [:], os: [String: AdamState] = [:]
        for (k, t) in tensors {
            let values = try FloatArrayCoding.floats(t.values)
            guard t.rows >= 0, t.cols >= 0, values.count == t.rows * t.cols else {
                throw BackboneCheckpointError.shapeMismatch(name: k, expected: "\(t.rows)×\(t.cols)", found: "\(values.count) values")
            }
            ts[k] = CheckpointTensor(Matrix(rows: t.rows, cols: t.cols, storage: values))
        }
        for (k, a) in optimizer {
            var s = AdamState(count: 0, beta1: a.beta1, beta2: a.beta2, epsilon: a.epsilon)
            s.m = try FloatArrayCoding.floats(a.m)
            s.v = try FloatArrayCoding.floats(a.v)
            guard s.m.count == s.v.count else {
                throw BackboneCheckpointError.shapeMismatch(name: k, expected: "m and v of one length", found: "\(s.m.count) and \(s.v.count)")
            }
            s.step = a.step
            os[k] = s
        }
        return BackboneCheckpoint(backbone: backbone, tensors: ts, optimizer: os, steps: steps)
    }
}
