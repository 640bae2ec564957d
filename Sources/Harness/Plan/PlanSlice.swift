import Foundation

/// A part of a profile's grid (`make reproduce DATASETS=ml-1m BACKBONES=lightgcn ARTIFACTS=table-1`):
/// the stages whose dataset, backbone and method are among the given ones and that serve one of the
/// given artefacts, plus the searches those cells read (`ExperimentPlan.prerequisites`). A nil set
/// selects every value.
///
/// A slice never changes a stage: ids, settings and config hashes are the whole profile's, so a
/// slice's results are the whole profile's cells and a later run of the whole profile reuses them.
public struct PlanSlice: Sendable, Equatable, CustomStringConvertible {
    public var datasets: Set<String>?
    public var backbones: Set<String>?
    public var methods: Set<String>?
    public var artifacts: Set<String>?

    public init(datasets: Set<String>? = nil, backbones: Set<String>? = nil, methods: Set<String>? = nil,
                artifacts: Set<String>? = nil) {
        self.datasets = datasets
        self.backbones = backbones
        self.methods = methods
        self.artifacts = artifacts
    }

    public static let whole = PlanSlice()
    public var isWhole: Bool { self == .whole }

    /// Parses comma- or space-separated lists; an empty or absent list selects everything.
    public init(datasets: String?, backbones: String?, methods: String?, artifacts: String?) {
        func set(_ s: String?) -> Set<String>? {
            let names = (s ?? "").split(whereSeparator: { $0 == "," || $0 == " " }).map(String.init)
            return names.isEmpty ? nil : Set(names)
        }
        self.init(datasets: set(datasets), backbones: set(backbones), methods: set(methods), artifacts: set(artifacts))
    }

    /// Throws a sentence naming the valid values when a name is not in the profile.
    public func validate(against plan: ExperimentPlan) throws {
        let p = plan.profile
        let known: [(String, Set<String>?, [String])] = [
            ("dataset", datasets, p.datasets), ("backbone", backbones, p.backbones),
            ("method", methods, p.methods), ("artefact", artifacts, ExperimentPlan.artifacts),
        ]
        for (what, chosen, valid) in known {
            for name in (chosen ?? []).sorted() where !valid.contains(name) {
                throw PlanSliceError(message: "\(what) '\(name)' is not in profile '\(plan.profileName)'; valid: \(valid.joined(separator: ", "))")
            }
        }
    }

    func selects(dataset: String, backbone: String, method: String, id: String, plan: ExperimentPlan) -> Bool {
        (datasets?.contains(dataset) ?? true) && (backbones?.contains(backbone) ?? true)
            && (methods?.contains(method) ?? true)
            && (artifacts.map { !(plan.uses[id] ?? []).isDisjoint(with: $0) } ?? true)
    }

    /// The slice's searches and cells, in the plan's order.
    public func stages(of plan: ExperimentPlan) -> (searches: [SearchID], cells: [CellID]) {
        if isWhole { return (plan.searches, plan.cells) }
        let cells = plan.cells.filter {
            selects(dataset: $0.dataset, backbone: $0.backbone, method: $0.method, id: $0.description, plan: plan)
        }
        var searches = Set(plan.searches.filter {
            selects(dataset: $0.dataset, backbone: $0.backbone, method: $0.method, id: $0.description, plan: plan)
        })
        for c in cells { searches.formUnion(plan.prerequisites(c)) }
        return (plan.searches.filter(searches.contains), cells)
    }

    public var description: String {
        if isWhole { return "the whole profile" }
        let parts: [(String, Set<String>?)] = [("datasets", datasets), ("backbones", backbones), ("methods", methods),
                                                ("artefacts", artifacts)]
        return parts.compactMap { name, set in set.map { "\(name) \($0.sorted().joined(separator: ","))" } }
            .joined(separator: "; ")
    }
}

/// A slice naming something the profile does not have.
public struct PlanSliceError: Error, CustomStringConvertible, Equatable {
    public var message: String
    public var description: String { message }
}
