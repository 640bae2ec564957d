import ArgumentParser
import Foundation
import Harness

/// `ciess plan`: expands a profile of experiments/profiles.json into results/<P>/cells.mk.
struct PlanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Expand a profile into search stages and retrain cells; write results/<profile>/cells.mk.",
        discussion: """
        One make rule per search stage (target: its search.json) and per retrain cell (target: its result.json, \
        prerequisite: its search's search.json). Run it with `make -k -j N -f results/<profile>/cells.mk all`.
        """)

    @Option(help: "Profile: paper, quick or smoke (as defined in --profiles).") var profile: String
    @Option(help: "The profiles file.") var profiles: String = ExperimentProfiles.defaultPath
    @Option(help: "Results directory (default: $CIESS_RESULTS_DIR or results).") var results: String?
    @Flag(help: "Also list every stage id.") var list = false

    func run() throws {
        let plan = try loadPlan(profile: profile, profiles: profiles)
        let layout = ResultLayout(resultsDirectory: ResultLayout.resultsDirectory(option: results), profile: profile)
        try CellsMakefile.write(plan, layout: layout, profilesPath: profiles)
        if list {
            for s in plan.searches { print(s) }
            for c in plan.cells { print(c) }
        }
        print("plan \(profile): \(plan.searches.count) search stages, \(plan.cells.count) retrain cells → \(layout.makefile.path)")
    }
}

/// Loads the profiles file and expands one profile; errors become a clean exit with the message.
func loadPlan(profile: String, profiles: String) throws -> ExperimentPlan {
    do {
        let file = try ExperimentProfiles.load(URL(fileURLWithPath: profiles))
        return ExperimentPlan(profileName: profile, profile: try file.profile(profile))
    } catch let e as ProfileError {
        throw ValidationError(e.description)
    }
}
