import Foundation

/// Where a retrain cell sits in the grid, read from its id
/// `<dataset>/<backbone>/<method>/<variant>/<cTag>/seed<N>/<protocol>` (cTag "c0.80" or "cnone").
public struct CellCoordinates: Sendable, Hashable {
    public var dataset: String
    public var backbone: String
    public var method: String
    public var variant: String
    /// "0.80" style, "" for an uncontrolled method.
    public var target: String
    public var seed: UInt64
    public var finalProtocol: String

    public init(dataset: String, backbone: String, method: String, variant: String, target: String, seed: UInt64,
                finalProtocol: String) {
        self.dataset = dataset
        self.backbone = backbone
        self.method = method
        self.variant = variant
        self.target = target
        self.seed = seed
        self.finalProtocol = finalProtocol
    }

    /// Parses a cell id; nil when it does not have the seven components of a retrain cell.
    public init?(id: String) {
        let p = id.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard p.count == 7, p[4].hasPrefix("c"), p[5].hasPrefix("seed"), let seed = UInt64(p[5].dropFirst(4)),
              p.allSatisfy({ !$0.isEmpty }) else { return nil }
        let tag = String(p[4].dropFirst())
        guard tag == "none" || Double(tag) != nil else { return nil }
        self.init(dataset: p[0], backbone: p[1], method: p[2], variant: p[3], target: tag == "none" ? "" : tag,
                  seed: seed, finalProtocol: p[6])
    }

    /// The coordinates a result states about itself.
    public init(_ r: CellResult) {
        self.init(dataset: r.dataset, backbone: r.backbone, method: r.method, variant: r.variant,
                  target: CSVNumber.target(r.targetSparsity), seed: r.seed, finalProtocol: r.finalProtocol)
    }

    /// The cell id these coordinates name.
    public var id: String {
        "\(dataset)/\(backbone)/\(method)/\(variant)/c\(target.isEmpty ? "none" : target)/seed\(seed)/\(finalProtocol)"
    }
}
