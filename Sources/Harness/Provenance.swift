import Foundation
import Linalg
import RecData

/// Where a number came from: code version, machine, toolchain and threads.
///
/// Every result and benchmark line carries one, so a printed number can be traced to the commit
/// and the machine that produced it.
public struct Provenance: Codable, Sendable, Equatable {
    public var gitCommit: String
    public var gitDirty: Bool
    /// Where the commit was read: "build" (recorded by `make build` next to the binary, the code
    /// that actually ran) or "working tree" (the checkout at run time, for binaries built otherwise).
    public var commitSource: String = "working tree"

    public var toolchain: String
    public var machine: String
    public var cpu: String
    public var threads: Int
    /// The BLAS kernel family the run used (`BLASKernel.description`), e.g. "OpenBLAS Haswell (pinned)".
    public var blas: String? = BLASKernel.description

    public init(gitCommit: String, gitDirty: Bool, commitSource: String = "working tree", toolchain: String,
                machine: String, cpu: String, threads: Int) {
        self.gitCommit = gitCommit
        self.gitDirty = gitDirty
        self.commitSource = commitSource
        self.toolchain = toolchain
        self.machine = machine
        self.cpu = cpu
        self.threads = threads
    }

    public static func current(threads: Int) -> Provenance {
        var p = Provenance(gitCommit: "unknown", gitDirty: true, toolchain: toolchainVersion(),
                           machine: ProcessInfo.processInfo.hostName, cpu: cpuModel(), threads: threads)
        if let build = BuildInfo.besideExecutable() {
            p.gitCommit = build.gitCommit
            p.gitDirty = build.gitDirty
            p.commitSource = "build"
            p.toolchain = build.toolchain ?? p.toolchain
        } else if let commit = run("git", ["rev-parse", "HEAD"])?.trimmingCharacters(in: .whitespacesAndNewlines),
                  !commit.isEmpty {
            let status = run("git", ["status", "--porcelain", "--untracked-files=no"]) ?? ""
            p.gitCommit = commit
            p.gitDirty = !status.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty
        }
        return p
    }

    /// "<model name> x<cores>" from /proc/cpuinfo (as the PyTorch reference reports it).
    public static func cpuModel() -> String {
        let cores = ProcessInfo.processInfo.activeProcessorCount
        if let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
           let line = text.split(separator: "\n").first(where: { $0.hasPrefix("model name") }),
           let colon = line.firstIndex(of: ":") {
            return "\(line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)) x\(cores)"
        }
        return "unknown x\(cores)"
    }

    /// The compiler that built this binary.
    public static func toolchainVersion() -> String {
        #if swift(>=6.3)
        return "swift 6.3+"
        #elseif swift(>=6.0)
        return "swift 6.x"
        #else
        return "swift <6"
        #endif
    }

    /// The stdout of a command that succeeded; nil if it could not start or failed.
    static func run(_ tool: String, _ arguments: [String]) -> String? {
        guard let r = try? ExternalTool.launch(tool, arguments), r.status == 0 else { return nil }
        return String(decoding: r.stdout, as: UTF8.self)
    }
}
