import ArgumentParser
import Foundation
import Harness
import Linalg

/// `ciess bench`: the benchmark workloads on a reference graph, one JSON line per figure.
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Time the benchmark workloads on a graph exported from the PyTorch reference (JSON lines on stdout).")

    @Option(help: "Directory with train.txt, test.txt and graph.json (see bench/export_graph.py).")
    var graph: String

    @Option(help: "Comma-separated workloads: \(BenchSuite.workloadNames.joined(separator: ", ")).")
    var workloads: String = BenchSuite.workloadNames.joined(separator: ",")

    @Option(help: "Worker threads.")
    var threads: Int = Threads.defaultCount()

    @Option(name: .customLong("repeat"), help: "Timed iterations per figure.")
    var repeatCount: Int = 10

    @Option(help: "Untimed warm-up iterations per training figure (evaluation uses 1).")
    var warmup: Int = 2

    @Option(help: "Seed for initialisation, masks and batches.")
    var seed: UInt64 = 2024

    var selected: [String] { workloads.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }

    func validate() throws {
        let unknown = selected.filter { !BenchSuite.workloadNames.contains($0) }
        guard unknown.isEmpty, !selected.isEmpty else {
            throw ValidationError("--workloads must be a comma-separated subset of \(BenchSuite.workloadNames.joined(separator: ", ")); got '\(workloads)'.")
        }
        guard threads >= 1 else { throw ValidationError("--threads must be at least 1, got \(threads).") }
        guard repeatCount >= 1 else { throw ValidationError("--repeat must be at least 1, got \(repeatCount).") }
        guard warmup >= 0 else { throw ValidationError("--warmup must be 0 or more, got \(warmup).") }
    }

    func run() throws {
        Threads.set(threads)
        let g = try BenchGraph(directory: URL(fileURLWithPath: graph))
        FileHandle.standardError.write(Data("bench: graph \(g.name) sha256 \(g.digest) users=\(g.userCount) items=\(g.itemCount) train=\(g.train.interactionCount)\n".utf8))
        let options = BenchSuite.Options(workloads: selected, warmup: warmup, repeatCount: repeatCount, seed: seed)
        BenchSuite.run(graph: g, options: options) { r in
            FileHandle.standardOutput.write(Data((r.jsonLine() + "\n").utf8))
            let median = String(format: "%.4f", r.timing.times.median)
            FileHandle.standardError.write(Data("bench: \(r.workload) batch=\(r.batch.map(String.init) ?? "-") median \(median)s\n".utf8))
        }
    }
}

/// `ciess bench-report`: pairs ciess and PyTorch benchmark lines and prints the speed-ups.
struct BenchReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-report",
        abstract: "Print the speed-up of ciess over the PyTorch reference from a JSON-lines file of both.")

    @Argument(help: "JSON-lines file written by `make bench`.")
    var file: String

    func run() throws {
        let text = try String(contentsOfFile: file, encoding: .utf8)
        print(try BenchComparison(jsonLines: text).table(), terminator: "")
    }
}
