import ArgumentParser
import Linalg

@main
struct Ciess: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ciess",
        abstract: "Reproduce 'Continuous Input Embedding Size Search for Recommender Systems' (SIGIR 2023).",
        subcommands: [DataCommand.self, TrainCommand.self, SearchCommand.self, RetrainCommand.self, BenchCommand.self, BenchReportCommand.self,
                      PlanCommand.self, RunCommand.self, StatusCommand.self, AggregateCommand.self, ReportCommand.self,
                      SubmitCommand.self, DeterminismCommand.self])

    /// Pins the BLAS kernel family before anything runs (`BLASKernel`), then parses and runs the command.
    static func main() {
        BLASKernel.pinOrReexec()
        main(nil)
    }
}
