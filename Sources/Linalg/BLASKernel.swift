import CBLAS
import Foundation

/// The OpenBLAS kernel family every harness run uses, so that the same inputs give the same bits on
/// any x86-64 machine, not only at any thread count.
///
/// Why: a DYNAMIC_ARCH OpenBLAS (Debian's) picks its sgemm kernels and blocking by processor at load
/// time; two CPUs then sum the products of NGCF's and NeuMF's dense layers in different orders, and
/// their results differ in the 3rd–4th decimal. Pinning one kernel family removes that.
///
/// Rule: the kernel is `$CIESS_BLAS_CORETYPE`, default `pinnedDefault` (Haswell: AVX2 + FMA, which every
/// x86-64 server CPU since 2013 has). OpenBLAS reads `OPENBLAS_CORETYPE` only when it is loaded, so
/// `pinOrReexec` — the first thing `ciess` does — sets it and re-executes the binary when it differs.
/// `CIESS_BLAS_CORETYPE=auto` leaves OpenBLAS's own choice (results are then machine-specific).
/// A CPU without AVX2/FMA cannot run the pinned kernel: the run goes on with OpenBLAS's choice and
/// `description` says so, as every result's provenance records it.
public enum BLASKernel {
    public static let pinnedDefault = "Haswell"
    static let requestVariable = "CIESS_BLAS_CORETYPE"
    static let openBLASVariable = "OPENBLAS_CORETYPE"
    /// Set on the re-executed process, so a failed pin can never loop.
    static let reexecMarker = "CIESS_BLAS_PINNED"

    /// The kernel this process should run with, or nil for OpenBLAS's own choice.
    public static func requested(environment: [String: String] = ProcessInfo.processInfo.environment,
                                 cpuFlags: Set<String> = cpuFlags()) -> String? {
        let value = environment[requestVariable].flatMap { $0.isEmpty ? nil : $0 } ?? pinnedDefault
        if value.lowercased() == "auto" { return nil }
        if value == pinnedDefault && !(cpuFlags.contains("avx2") && cpuFlags.contains("fma")) { return nil }
        return value
    }

    /// Call first in `main`: re-executes this binary with `OPENBLAS_CORETYPE` set when the loaded
    /// OpenBLAS was not started with the requested kernel. Returns when nothing is to do (or exec failed).
    public static func pinOrReexec() {
        let env = ProcessInfo.processInfo.environment
        guard let want = requested(environment: env), env[openBLASVariable] != want, (env[reexecMarker] ?? "").isEmpty else { return }
        setenv(openBLASVariable, want, 1)
        setenv(reexecMarker, "1", 1)
        let args = CommandLine.arguments
        var argv: [UnsafeMutablePointer<CChar>?] = args.map { strdup($0) }
        argv.append(nil)
        execv("/proc/self/exe", &argv)
        // exec failed (no /proc): continue unpinned; `description` tells.
    }

    /// The loaded kernel family as OpenBLAS names it, e.g. "Haswell" or "Zen".
    public static var loadedCore: String { String(cString: openblas_get_corename()) }

    /// For provenance: "<core> (pinned)" when the loaded kernel is the requested one, else
    /// "<core> (not pinned: …)".
    public static var description: String {
        let core = loadedCore
        guard let want = requested() else {
            let why = ProcessInfo.processInfo.environment[requestVariable]?.lowercased() == "auto"
                ? "\(requestVariable)=auto" : "this CPU lacks AVX2/FMA for \(pinnedDefault)"
            return "OpenBLAS \(core) (not pinned: \(why))"
        }
        return core.lowercased() == want.lowercased() ? "OpenBLAS \(core) (pinned)" : "OpenBLAS \(core) (not pinned: \(want) requested)"
    }

    /// The CPU's feature flags from /proc/cpuinfo (empty where it is not readable).
    public static func cpuFlags() -> Set<String> {
        guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix("flags") }),
              let colon = line.firstIndex(of: ":") else { return [] }
        return Set(line[line.index(after: colon)...].split(separator: " ").map(String.init))
    }
}
