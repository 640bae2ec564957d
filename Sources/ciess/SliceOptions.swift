import ArgumentParser
import Harness

/// `--datasets/--backbones/--methods/--artifacts`: a slice of the profile (`PlanSlice`), shared by
/// `ciess plan` and `ciess status`. Lists are comma-separated; an absent option selects everything.
struct SliceOptions: ParsableArguments {
    @Option(help: "Only these datasets (comma-separated), e.g. ml-1m.") var datasets: String?
    @Option(help: "Only these backbones, e.g. lightgcn,neumf.") var backbones: String?
    @Option(help: "Only these methods, e.g. ciess,es.") var methods: String?
    @Option(help: "Only the stages these tables/figures use: table-1, table-2, figure-3 … figure-6.") var artifacts: String?

    /// The slice, checked against the plan's profile.
    func slice(of plan: ExperimentPlan) throws -> PlanSlice {
        let slice = PlanSlice(datasets: datasets, backbones: backbones, methods: methods, artifacts: artifacts)
        do { try slice.validate(against: plan) } catch let e as PlanSliceError { throw ValidationError(e.description + ".") }
        return slice
    }
}
