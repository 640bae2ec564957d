import Foundation

/// When PEP saves its masks (docs/method.md §3.3): target c has the budget
/// B_c = ⌊(1−c)·dMax·N⌋ entries per table (`Budget.entries`), i.e. `tableCount · B_c` non-zeros
/// over all tables (both NeuMF tables count). After every batch the caller reports
/// nnz = Σ_t #{Ṽ_t ≠ 0}; each target not yet captured, taken from the largest budget to the
/// smallest, is captured the first time nnz ≤ tableCount · B_c, and its mask is M_c = 1[Ṽ ≠ 0]
/// of that step. One step can capture several targets (the same mask). nnz need not fall
/// monotonically, but a captured target is never replaced; a target never reached stays
/// uncaptured ("not reached", never faked).
public struct PEPMaskCapture: Sendable, Codable, Equatable {
    public struct Target: Sendable, Codable, Equatable {
        public var targetSparsity: Double
        /// tableCount · B_c: the largest allowed Σ_t nnz.
        public var budget: Int
        /// Batches completed when captured (0 = before training); nil while not reached.
        public var step: Int?
        /// Σ_t nnz of the captured mask.
        public var nonzeros: Int?
    }

    /// Ordered from the largest budget (smallest c) to the smallest.
    public private(set) var targets: [Target]

    public init(targets cs: [Double], entitiesPerTable n: Int, tableCount: Int, dMax: Int = 128) {
        precondition(Set(cs).count == cs.count, "PEPMaskCapture: duplicate targets \(cs)")
        precondition(tableCount >= 1 && n >= 1)
        targets = cs.sorted().map {
            Target(targetSparsity: $0, budget: tableCount * Budget.entries(targetSparsity: $0, entities: n, dMax: dMax))
        }
    }

    /// Records step `step` with Σ_t nnz = `nonzeros`; returns the targets captured now (largest budget first).
    public mutating func observe(nonzeros: Int, step: Int) -> [Target] {
        var captured: [Target] = []
        for k in targets.indices where targets[k].step == nil && nonzeros <= targets[k].budget {
            targets[k].step = step
            targets[k].nonzeros = nonzeros
            captured.append(targets[k])
        }
        return captured
    }

    public var isComplete: Bool { targets.allSatisfy { $0.step != nil } }

    public func target(_ c: Double) -> Target? { targets.first { $0.targetSparsity == c } }

    /// Where the mask of target c is stored, relative to the search directory.
    public static func maskPath(_ c: Double) -> String { String(format: "masks/pep-c%.2f.mask", c) }
}
