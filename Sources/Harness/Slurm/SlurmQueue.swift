import Foundation

/// The current Slurm state of a profile's jobs: sacct (finished and running tasks, when accounting
/// is enabled) overlaid with squeue (queued, running and recently ended tasks, always available). A command that
/// is missing or fails contributes nothing and adds a note (e.g. "sacct: accounting disabled").
public struct SlurmQueue: Sendable {
    public var states: [SlurmTaskRef: SlurmTaskState]
    /// Why part of the picture is missing, and how many lines did not parse.
    public var notes: [String]

    public init(states: [SlurmTaskRef: SlurmTaskState], notes: [String]) {
        self.states = states
        self.notes = notes
    }

    /// Queries the jobs `jobIDs` (none: no query at all).
    public static func query(jobIDs: [String], runner: SlurmCommandRunner) -> SlurmQueue {
        guard !jobIDs.isEmpty else { return SlurmQueue(states: [:], notes: []) }
        let wanted = Set(jobIDs)
        var states: [SlurmTaskRef: SlurmTaskState] = [:]
        var notes: [String] = []
        let commands: [(String, [String])] = [
            ("sacct", ["-n", "-P", "-X", "-o", "JobID,State,ExitCode", "-j", jobIDs.joined(separator: ",")]),
            // squeue -j fails as a whole when one id has been purged, so list all and filter; --states=all
            // also shows jobs that ended within the controller's MinJobAge (useful without accounting).
            ("squeue", ["-h", "-r", "--states=all", "-o", "%i|%T|%r"]),
        ]
        for (command, args) in commands {
            guard let out = try? runner.run(command, args) else {
                notes.append("\(command): not available")
                continue
            }
            guard out.status == 0 else {
                let why = out.stderr.split(separator: "\n").first.map(String.init) ?? "exit \(out.status)"
                notes.append("\(command): \(why)")
                continue
            }
            let parsed = SlurmStateParser.parse(out.stdout)
            if !parsed.malformed.isEmpty { notes.append("\(command): \(parsed.malformed.count) unparsable lines skipped") }
            for (ref, s) in parsed.states where wanted.contains(ref.job) { states[ref] = s }
        }
        return SlurmQueue(states: states, notes: notes)
    }

    /// The state of a task; an array task without its own line takes its job's line, if any.
    public func state(_ ref: SlurmTaskRef) -> SlurmTaskState? {
        states[ref] ?? states[SlurmTaskRef(job: ref.job, index: nil)]
    }
}
