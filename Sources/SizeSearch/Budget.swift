import Recommenders

/// The parameter budget of a target sparsity c (docs/method.md §3.0): B_c = ⌊(1−c)·dMax·N⌋ usable entries
/// per table, and the audit of a result against it.
public enum Budget {
    public static func entries(targetSparsity c: Double, entities: Int, dMax: Int = 128) -> Int {
        precondition(c >= 0 && c < 1)
        // A tiny epsilon keeps exact products such as 0.2·128·N from flooring one below.
        return Int(((1 - c) * Double(dMax) * Double(entities) + 1e-6).rounded(.down))
    }

    /// Methods whose budget is part of their definition; their over-budget results never enter a table.
    public enum Control: String, Sendable, Codable { case controlled, uncontrolled }

    public struct Audit: Sendable, Codable, Equatable {
        public var targetSparsity: Double?
        public var achievedSparsity: Double
        public var usedEntries: Int
        public var budgetEntries: Int?
        public var control: Control
        /// False only for a controlled method above its budget.
        public var withinBudget: Bool
    }

    /// Audits prefix sizes: the achieved sparsity is computed from the sizes themselves.
    public static func audit(_ sizes: EmbeddingSizes, targetSparsity c: Double?, control: Control) -> Audit {
        let used = sizes.usedEntries
        let budget = c.map { entries(targetSparsity: $0, entities: sizes.entityCount, dMax: sizes.dMax) }
        let within = control == .uncontrolled || budget.map { used <= $0 } ?? true
        return Audit(targetSparsity: c, achievedSparsity: sizes.sparsity, usedEntries: used,
                     budgetEntries: budget, control: control, withinBudget: within)
    }

    /// Audits an element mask (PEP, OptEmbed): used = nnz over all tables, budget = B_c per table
    /// times the table count (NeuMF's two tables), sparsity from the bits.
    public static func audit(_ mask: ElementMask, targetSparsity c: Double?, control: Control) -> Audit {
        let used = mask.nonzeroCount
        let budget = c.map { entries(targetSparsity: $0, entities: mask.nodeCount, dMax: mask.dMax) * mask.tableNames.count }
        let within = control == .uncontrolled || budget.map { used <= $0 } ?? true
        return Audit(targetSparsity: c, achievedSparsity: mask.sparsity, usedEntries: used,
                     budgetEntries: budget, control: control, withinBudget: within)
    }
}
