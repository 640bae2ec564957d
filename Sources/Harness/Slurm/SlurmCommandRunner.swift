import Foundation

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

/// The real runner: `/usr/bin/env <command> <arguments…>`, inheriting the environment (so
/// `SLURM_CONF` and every `SBATCH_*` variable reach sbatch).
public struct ProcessSlurmCommandRunner: SlurmCommandRunner {
    public init() {}

    public func run(_ command: String, _ arguments: [String]) throws -> SlurmCommandOutput {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = [command] + arguments
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        // Read both pipes before waiting so a large output cannot block the child.
        let errReader = PipeReader(err)
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return SlurmCommandOutput(status: p.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
                                  stderr: String(decoding: errReader.wait(), as: UTF8.self))
    }
}

/// Reads a pipe to its end on a separate thread.
final class PipeReader: @unchecked Sendable {
    private var data = Data()
    private let done = DispatchSemaphore(value: 0)

    init(_ pipe: Pipe) {
        Thread.detachNewThread { [self] in
            data = pipe.fileHandleForReading.readDataToEndOfFile()
            done.signal()
        }
    }

    func wait() -> Data {
        done.wait()
        return data
    }
}
