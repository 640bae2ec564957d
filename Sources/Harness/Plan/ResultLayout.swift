import Foundation

/// Where a profile's stages live on disk (the shared layout of `results/<P>/`).
public struct ResultLayout: Sendable, Equatable {
    /// `results/<P>` (or `$CIESS_RESULTS_DIR/<P>`).
    public let root: URL

    public init(resultsDirectory: URL, profile: String) {
        root = resultsDirectory.appendingPathComponent(profile)
    }

    /// `--results` when given, else `$CIESS_RESULTS_DIR`, else `results`.
    public static func resultsDirectory(option: String?, environment: [String: String] = ProcessInfo.processInfo.environment) -> URL {
        URL(fileURLWithPath: option ?? environment["CIESS_RESULTS_DIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "results")
    }

    public var makefile: URL { root.appendingPathComponent("cells.mk") }
    public var logs: URL { root.appendingPathComponent("logs") }

    public func directory(_ s: SearchID) -> URL { root.appendingPathComponent("search/\(s.path)") }
    public func directory(_ c: CellID) -> URL { root.appendingPathComponent("cells/\(c.description)") }

    public func directory(_ id: StageID) -> URL {
        switch id {
        case .search(let s): return directory(s)
        case .cell(let c): return directory(c)
        }
    }

    /// The file whose existence means "done": search.json or result.json.
    public func doneFile(_ id: StageID) -> URL {
        switch id {
        case .search(let s): return directory(s).appendingPathComponent("search.json")
        case .cell(let c): return directory(c).appendingPathComponent("result.json")
        }
    }

    /// The make target of a stage: `done-<config hash>` in its directory, written once the stage is finished
    /// for exactly these settings. A changed profile changes the hash, so make reruns exactly the stages it reaches.
    public func stampFile(_ id: StageID, configHash: String) -> URL {
        directory(id).appendingPathComponent("done-\(configHash)")
    }

    /// The config hashes of the stamps present in a stage directory.
    public func stampHashes(_ id: StageID) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory(id).path)) ?? [])
            .filter { $0.hasPrefix("done-") }.map { String($0.dropFirst(5)) }.sorted()
    }

    public func failedFile(_ id: StageID) -> URL { directory(id).appendingPathComponent("failed.json") }
    public func log(_ id: StageID) -> URL { logs.appendingPathComponent(id.logName) }

    /// The search directory relative to the profile root, as `CellResult.searchDirectory` records it.
    public static func relativeSearchPath(_ s: SearchID) -> String { "search/\(s.path)" }
}
