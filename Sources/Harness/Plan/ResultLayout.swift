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

    public func failedFile(_ id: StageID) -> URL { directory(id).appendingPathComponent("failed.json") }
    public func log(_ id: StageID) -> URL { logs.appendingPathComponent(id.logName) }

    /// The search directory relative to the profile root, as `CellResult.searchDirectory` records it.
    public static func relativeSearchPath(_ s: SearchID) -> String { "search/\(s.path)" }
}
