import Foundation

/// What a program run by `ExternalTool.launch` left: its exit status and everything it wrote.
public struct ToolResult: Sendable, Equatable {
    public var status: Int32
    public var stdout: Data
    public var stderr: Data
}

/// The one way the project starts another program (`curl` and `unzip` here; `sbatch`, `squeue`,
/// `sacct` and `git` in Harness): `/usr/bin/env <tool> <arguments…>`, so the tool is looked up on
/// `PATH`, with this process's environment inherited (so `SLURM_CONF` and every `SBATCH_*`
/// variable reach sbatch) plus `environment`'s overrides, standard input from /dev/null, and
/// stdout and stderr captured in full. Synchronous on purpose: every caller is; swift-subprocess
/// offers only `async` calls.
public enum ExternalTool {
    /// Runs `tool` to its end. Throws `DataError.tool` (status -1) only when it cannot be started;
    /// a tool that is not on `PATH` exits with 127 (from `env`) instead.
    public static func launch(_ tool: String, _ arguments: [String], environment: [String: String] = [:],
                              currentDirectory: URL? = nil) throws -> ToolResult {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [tool] + arguments
        if !environment.isEmpty {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        }
        if let currentDirectory { process.currentDirectoryURL = currentDirectory }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        do { try process.run() } catch {
            throw DataError.tool(command: commandLine(tool, arguments), status: -1,
                                 stderr: "cannot start: \(error.localizedDescription)")
        }
        // Drain stderr on its own thread while reading stdout here, so a tool that fills either
        // pipe cannot block.
        let errReader = PipeReader(err)
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return ToolResult(status: process.terminationStatus, stdout: stdout, stderr: errReader.wait())
    }

    /// The stdout of a tool that must succeed; a non-zero exit status throws `DataError.tool` with
    /// the command line and the tail of stderr.
    static func run(_ tool: String, _ arguments: [String]) throws -> Data {
        let r = try launch(tool, arguments)
        guard r.status == 0 else {
            throw DataError.tool(command: commandLine(tool, arguments), status: r.status,
                                 stderr: String(decoding: r.stderr.suffix(2000), as: UTF8.self))
        }
        return r.stdout
    }

    private static func commandLine(_ tool: String, _ arguments: [String]) -> String {
        ([tool] + arguments).joined(separator: " ")
    }
}

/// Reads a pipe to its end on a separate thread (not a Dispatch queue, whose workers may all be busy).
private final class PipeReader: @unchecked Sendable {
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
