import ArgumentParser
import Foundation
import Harness
import RecData

/// `ciess plan`: expands a profile of experiments/profiles.json into results/<P>/cells.mk.
struct PlanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Expand a profile into search stages and retrain cells; write results/<profile>/cells.mk.",
        discussion: """
        One make rule per search stage (target: its search.json) and per retrain cell (target: its result.json, \
        prerequisites: the search.json of its search and, under P-code, of the search whose pretraining gives K*). \
        Run it with `make -k -j N -f results/<profile>/cells.mk all`. With a slice (--datasets, --backbones, \
        --methods, --artifacts), `all` runs only that part of the grid; stage ids and settings stay the profile's.
        """)

    @Option(help: "Profile: paper, quick or smoke (as defined in --profiles).") var profile: String
    @Option(help: "The profiles file.") var profiles: String = ExperimentProfiles.defaultPath
    @Option(help: "Results directory (default: $CIESS_RESULTS_DIR or results).") var results: String?
    @Flag(help: "Also list every stage id (of the slice).") var list = false
    @OptionGroup var sliceOptions: SliceOptions

    func validate() throws {
        let dir = ResultLayout.resultsDirectory(option: results).path
        if let problem = OutputLocation.problem(directory: dir) { throw ValidationError("results directory: \(problem).") }
        // cells.mk names every stage by path: make splits targets at spaces and treats # $ : % specially.
        if let bad = dir.first(where: { " \t#$:%;\"'\\".contains($0) }) {
            throw ValidationError("the results directory '\(dir)' contains '\(bad)', which make cannot use in a target; choose a path without spaces or # $ : % ; quotes or backslashes (e.g. RESULTS=results).")
        }
    }

    func run() throws {
        let plan = try loadPlan(profile: profile, profiles: profiles)
        let slice = try sliceOptions.slice(of: plan)
        let layout = ResultLayout(resultsDirectory: ResultLayout.resultsDirectory(option: results), profile: profile)
        try CellsMakefile.write(plan, layout: layout, profilesPath: profiles, slice: slice)
        let (searches, cells) = slice.stages(of: plan)
        if list {
            for s in searches { print(s) }
            for c in cells { print(c) }
        }
        let what = slice.isWhole ? "" : " (slice: \(slice); the profile has \(plan.searches.count) and \(plan.cells.count))"
        print("plan \(profile): \(searches.count) search stages, \(cells.count) retrain cells\(what) → \(layout.makefile.path)")
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
