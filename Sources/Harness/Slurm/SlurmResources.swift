import Foundation

/// What one Slurm task asks for: CPUs, memory and a time limit, written as `#SBATCH` directives
/// (so `SBATCH_*` environment variables and command-line options of the user still override them).
///
/// `memory` is a Slurm size ("4G", "500M", "8000"); `time` a Slurm time limit ("30", "02:00:00",
/// "2-00:00:00"). `validate` rejects anything else with a sentence naming the field.
public struct SlurmResources: Sendable, Codable, Equatable {
    public var cpus: Int
    public var memory: String
    public var time: String

    public init(cpus: Int, memory: String, time: String) {
        self.cpus = cpus
        self.memory = memory
        self.time = time
    }

    /// Throws `SlurmError.invalidResources` naming `field` (e.g. "slurm.search") when a value is out of shape.
    public func validate(field: String) throws {
        guard cpus >= 1 else { throw SlurmError.invalidResources("\(field).cpus must be at least 1 (got \(cpus))") }
        guard Self.isMemory(memory) else {
            throw SlurmError.invalidResources("\(field).memory must be a Slurm size such as 4G, 500M or 8000 (got '\(memory)')")
        }
        guard Self.isTimeLimit(time) else {
            throw SlurmError.invalidResources(
                "\(field).time must be a Slurm time limit: MM, MM:SS, HH:MM:SS, D-HH, D-HH:MM or D-HH:MM:SS (got '\(time)')")
        }
    }

    /// Digits with an optional unit K, M, G or T.
    static func isMemory(_ s: String) -> Bool {
        var digits = Substring(s)
        if let last = digits.last, "KMGT".contains(last) { digits = digits.dropLast() }
        return !digits.isEmpty && digits.allSatisfy(\.isSlurmDigit)
    }

    /// Slurm's time formats; every component is 1–3 digits (days) or 1–2 digits (the rest), minutes
    /// may be longer when they stand alone.
    static func isTimeLimit(_ s: String) -> Bool {
        func number(_ t: Substring, maxDigits: Int) -> Bool { !t.isEmpty && t.count <= maxDigits && t.allSatisfy(\.isSlurmDigit) }
        let dayParts = s.split(separator: "-", omittingEmptySubsequences: false)
        guard dayParts.count <= 2 else { return false }
        let clock = dayParts.last!.split(separator: ":", omittingEmptySubsequences: false)
        if dayParts.count == 2 {
            return number(dayParts[0], maxDigits: 3) && (1...3).contains(clock.count) && clock.allSatisfy { number($0, maxDigits: 2) }
        }
        switch clock.count {
        case 1: return number(clock[0], maxDigits: 6)
        case 2, 3: return number(clock[0], maxDigits: clock.count == 2 ? 6 : 3) && clock.dropFirst().allSatisfy { number($0, maxDigits: 2) }
        default: return false
        }
    }
}

/// The resources of each kind of Slurm task for one profile: the optional `"slurm"` object of a
/// profile in experiments/profiles.json, e.g.
/// `"slurm": {"search": {"cpus": 1, "memory": "4G", "time": "02:00:00"}, "retrain": {…}, "aggregate": {…}}`.
/// Every part is optional; a missing part takes `defaults(threadsPerCell:)`.
public struct SlurmProfileResources: Sendable, Codable, Equatable {
    public var search: SlurmResources
    public var retrain: SlurmResources
    public var aggregate: SlurmResources

    public init(search: SlurmResources, retrain: SlurmResources, aggregate: SlurmResources) {
        self.search = search
        self.retrain = retrain
        self.aggregate = aggregate
    }

    /// Without a `"slurm"` object: cpus = threads_per_cell, 4G; searches 24 h, retrain cells 12 h,
    /// the aggregation 1 CPU, 2G, 1 h. Generous on purpose: a task that hits its limit fails
    /// (TIMEOUT) and must be resubmitted; set tighter limits per profile to queue faster.
    public static func defaults(threadsPerCell: Int) -> SlurmProfileResources {
        SlurmProfileResources(search: SlurmResources(cpus: threadsPerCell, memory: "4G", time: "1-00:00:00"),
                              retrain: SlurmResources(cpus: threadsPerCell, memory: "4G", time: "12:00:00"),
                              aggregate: SlurmResources(cpus: 1, memory: "2G", time: "01:00:00"))
    }

    /// The resources of a stage kind.
    public func resources(_ kind: SlurmStageKind) -> SlurmResources {
        switch kind {
        case .search: return search
        case .retrain: return retrain
        }
    }

    /// Reads the `"slurm"` object of `profile` in a profiles file (already validated by
    /// `ExperimentProfiles.load`, which ignores this object), filling missing parts with the defaults.
    public static func load(profilesData data: Data, profile: String, threadsPerCell: Int, source: String) throws -> SlurmProfileResources {
        struct Partial: Decodable { var search: SlurmResources?; var retrain: SlurmResources?; var aggregate: SlurmResources? }
        struct Profile: Decodable { var slurm: Partial? }
        struct File: Decodable { var profiles: [String: Profile] }
        let file: File
        do {
            file = try JSONOutput.decoder.decode(File.self, from: data)
        } catch {
            throw SlurmError.invalidResources("\(source): the \"slurm\" object of profile '\(profile)' is malformed "
                                              + "(each of search, retrain, aggregate needs cpus, memory and time): \(error)")
        }
        let d = defaults(threadsPerCell: threadsPerCell)
        let p = file.profiles[profile]?.slurm
        let r = SlurmProfileResources(search: p?.search ?? d.search, retrain: p?.retrain ?? d.retrain, aggregate: p?.aggregate ?? d.aggregate)
        try r.search.validate(field: "\(source): profiles.\(profile).slurm.search")
        try r.retrain.validate(field: "\(source): profiles.\(profile).slurm.retrain")
        try r.aggregate.validate(field: "\(source): profiles.\(profile).slurm.aggregate")
        return r
    }
}

/// The two kinds of array tasks.
public enum SlurmStageKind: String, Sendable, Codable, CaseIterable {
    case search, retrain

    public init(_ id: StageID) {
        if case .search = id { self = .search } else { self = .retrain }
    }
}
