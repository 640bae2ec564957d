import Foundation

/// One Slurm task: an array task "<job>_<index>" or a plain job "<job>" (`index` nil).
public struct SlurmTaskRef: Sendable, Hashable, Codable, CustomStringConvertible {
    public var job: String
    public var index: Int?

    public init(job: String, index: Int?) {
        self.job = job
        self.index = index
    }

    public var description: String { index.map { "\(job)_\($0)" } ?? job }
}

/// The state Slurm reports for a task, reduced to what `ciess submit` and `status` need.
public struct SlurmTaskState: Sendable, Equatable {
    /// Slurm's state name, upper case, without qualifiers ("CANCELLED by 0" → "CANCELLED").
    public var state: String
    /// squeue's reason or sacct's exit code ("" when absent).
    public var detail: String

    public init(state: String, detail: String) {
        self.state = state
        self.detail = detail
    }

    static let activeStates: Set<String> = ["PENDING", "RUNNING", "CONFIGURING", "COMPLETING", "REQUEUED", "REQUEUE_FED",
                                            "REQUEUE_HOLD", "RESIZING", "SUSPENDED", "STOPPED", "SIGNALING", "STAGE_OUT",
                                            "RESV_DEL_HOLD", "SPECIAL_EXIT"]
    static let failedStates: Set<String> = ["FAILED", "CANCELLED", "TIMEOUT", "OUT_OF_MEMORY", "NODE_FAIL", "PREEMPTED",
                                            "BOOT_FAIL", "DEADLINE", "REVOKED"]

    /// Queued or running: submitting the stage again would duplicate it.
    public var isActive: Bool { Self.activeStates.contains(state) }
    /// Ended without success: the stage may be resubmitted (`--only-failed`).
    public var isFailed: Bool { Self.failedStates.contains(state) }
}

/// Parses squeue and sacct output into task states.
///
/// Expected formats (the commands `SlurmQueue` runs):
/// - `squeue -h -r --states=all -o '%i|%T|%r'`: `123_4|RUNNING|None`, `125|PENDING|Dependency`;
/// - `sacct -n -P -X -o JobID,State,ExitCode`: `123_4|FAILED|1:0`, `123_[5-7,9%2]|PENDING|0:0`,
///   `124|CANCELLED by 0|0:15`.
/// Compressed array ranges are expanded. A line that does not fit (wrong field count, a job id
/// that is not `<digits>[_<index>|_[<ranges>]]`, an empty state) is skipped and counted.
public enum SlurmStateParser {
    public struct Parsed: Sendable, Equatable {
        public var states: [SlurmTaskRef: SlurmTaskState] = [:]
        /// Lines that did not fit the format (blank lines are not counted).
        public var malformed: [String] = []
    }

    public static func parse(_ text: String) -> Parsed {
        var out = Parsed()
        for raw in text.split(separator: "\n", omittingEmptySubsequences: true) {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty { continue }
            let fields = line.split(separator: "|", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            guard fields.count == 3, let refs = expand(jobID: fields[0]),
                  let state = fields[1].split(separator: " ").first.map(String.init), !state.isEmpty,
                  state.allSatisfy({ $0.isUppercase || $0 == "_" }) else {
                out.malformed.append(line)
                continue
            }
            for r in refs { out.states[r] = SlurmTaskState(state: state, detail: fields[2]) }
        }
        return out
    }

    /// "123" → [123]; "123_4" → [123_4]; "123_[1-3,7%2]" → [123_1, 123_2, 123_3, 123_7]; nil when malformed.
    /// sacct's step suffixes ("123_4.batch") are malformed here (the query asks for allocations only).
    public static func expand(jobID: String) -> [SlurmTaskRef]? {
        let parts = jobID.split(separator: "_", maxSplits: 1, omittingEmptySubsequences: false)
        let job = String(parts[0])
        guard !job.isEmpty, job.allSatisfy(\.isSlurmDigit) else { return nil }
        if parts.count == 1 { return [SlurmTaskRef(job: job, index: nil)] }
        let rest = parts[1]
        if let i = Int(rest), i >= 0, rest.allSatisfy(\.isSlurmDigit) { return [SlurmTaskRef(job: job, index: i)] }
        guard rest.hasPrefix("["), rest.hasSuffix("]") else { return nil }
        var body = rest.dropFirst().dropLast()
        if let pct = body.firstIndex(of: "%") { body = body[..<pct] }
        var refs: [SlurmTaskRef] = []
        for piece in body.split(separator: ",", omittingEmptySubsequences: false) {
            guard let range = indexRange(piece) else { return nil }
            refs += range.map { SlurmTaskRef(job: job, index: $0) }
        }
        return refs.isEmpty ? nil : refs
    }

    /// "5" or "5-9" (bounded to 100 000 indices so a corrupt line cannot exhaust memory).
    static func indexRange(_ piece: Substring) -> ClosedRange<Int>? {
        let ends = piece.split(separator: "-", omittingEmptySubsequences: false)
        guard (1...2).contains(ends.count), ends.allSatisfy({ !$0.isEmpty && $0.allSatisfy(\.isSlurmDigit) }),
              let lo = Int(ends[0]), let hi = Int(ends.last!), lo <= hi, hi - lo < 100_000 else { return nil }
        return lo...hi
    }
}

extension Character {
    /// 0–9 only (Slurm ids, sizes and times are ASCII).
    var isSlurmDigit: Bool { ("0"..."9").contains(self) }
}
