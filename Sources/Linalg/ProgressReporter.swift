import Foundation

/// Progress lines for long work, on standard error.
///
/// On a terminal, `update` rewrites one status line (at most ~4 times a second); otherwise it
/// prints a line at most every `interval` seconds, so logs of batch runs stay short. `log`
/// always prints a full line. ETA = phase elapsed · (total − done)/done, where a phase starts at
/// creation or at `beginPhase()` (e.g. each CONVERGE chunk), so the ETA refers to the same work as
/// `done`/`total`.
public final class ProgressReporter: @unchecked Sendable {
    private let label: String
    private let isTerminal: Bool
    private let interval: Double
    private let start = Date()
    private var phaseStart = Date()
    private var lastPrint = Date.distantPast
    private var dirtyLine = false
    private let quiet: Bool

    public init(label: String, interval: Double = 30, quiet: Bool = false) {
        self.label = label
        self.isTerminal = isatty(2) != 0
        self.interval = interval
        self.quiet = quiet || ProcessInfo.processInfo.environment["CIESS_QUIET"] == "1"
    }

    public var elapsed: Double { Date().timeIntervalSince(start) }

    /// Starts a new phase: `update` measures elapsed time and ETA from here.
    public func beginPhase() { phaseStart = Date() }

    /// A status update for `done` of `total` units.
    public func update(done: Int, total: Int, _ detail: @autoclosure () -> String = "") {
        guard !quiet else { return }
        let now = Date()
        let minGap = isTerminal ? 0.25 : interval
        guard now.timeIntervalSince(lastPrint) >= minGap || done == total else { return }
        lastPrint = now
        let phase = now.timeIntervalSince(phaseStart)
        let text = "\(label) \(done)/\(total) \(detail()) elapsed \(Self.clock(phase)) ETA \(Self.eta(elapsed: phase, done: done, total: total))"
        if isTerminal {
            FileHandle.standardError.write(Data("\r\u{1B}[K\(text)".utf8))
            dirtyLine = true
        } else {
            FileHandle.standardError.write(Data("\(text)\n".utf8))
        }
    }

    /// A permanent line.
    public func log(_ text: String) {
        guard !quiet else { return }
        let prefix = dirtyLine ? "\r\u{1B}[K" : ""
        dirtyLine = false
        FileHandle.standardError.write(Data("\(prefix)\(label) \(text)\n".utf8))
    }

    public static func eta(elapsed: Double, done: Int, total: Int) -> String {
        guard done > 0, total >= done else { return "?" }
        return clock(elapsed * Double(total - done) / Double(done))
    }

    public static func clock(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        return s >= 3600 ? String(format: "%dh%02dm", s / 3600, (s % 3600) / 60)
                         : String(format: "%dm%02ds", s / 60, s % 60)
    }
}
