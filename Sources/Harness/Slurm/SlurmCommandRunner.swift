import Foundation
import RecData

/// Runs the Slurm client commands (sbatch, squeue, sacct). Tests substitute a fake.
public protocol SlurmCommandRunner {
    /// Runs `command` (looked up on PATH) with `arguments`; returns its exit status and output.
    func run(_ command: String, _ arguments: [String]) throws -> SlurmCommandOutput
}

public struct SlurmCommandOutput: Sendable, Equatable {
    public var status: Int32
    public var stdout: String
    public var stderr: String

    public init(status: Int32, stdout: String, stderr: String) {
        self.status = status
        self.stdout = stdout
        self.stderr = stderr
    }
}

/// The real runner: `ExternalTool.launch`, i.e. `/usr/bin/env <command> <arguments…>` inheriting
/// the environment (so `SLURM_CONF` and every `SBATCH_*` variable reach sbatch).
public struct ProcessSlurmCommandRunner: SlurmCommandRunner {
    public init() {}

    public func run(_ command: String, _ arguments: [String]) throws -> SlurmCommandOutput {
        let r = try ExternalTool.launch(command, arguments)
        return SlurmCommandOutput(status: r.status, stdout: String(decoding: r.stdout, as: UTF8.self),
                                  stderr: String(decoding: r.stderr, as: UTF8.self))
    }
}
