import Foundation

/// Where a number came from: code version, machine, toolchain and threads.
///
/// Every result and benchmark line carries one, so a printed number can be traced to the commit
/// and the machine that produced it.
public struct Provenance: Codable, Sendable, Equatable {
    public var gitCommit: String
    public var gitDirty: Bool
    public var toolchain: String
    public var machine: String
    public var cpu: String
    public var threads: Int

    public static func current(threads: Int) -> Provenance {
        let commit = run(["git", "rev-parse", "HEAD"])?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "unknown"
        let status = run(["git", "status", "--porcelain", "--untracked-files=no"]) ?? ""
        return Provenance(gitCommit: commit.isEmpty ? "unknown" : commit,
                          gitDirty: !status.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty,
                          toolchain: toolchainVersion(),
                          machine: ProcessInfo.processInfo.hostName,
                          cpu: cpuModel(),
                          threads: threads)
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

    static func run(_ args: [String]) -> String? {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = args
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        do { try p.run() } catch { return nil }
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else { return nil }
        return String(decoding: data, as: UTF8.self)
    }
}
