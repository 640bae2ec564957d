import Foundation

/// `build-info.json`, written by `make build` next to the `ciess` binary: the commit and dirty flag
/// of the tree the binary was compiled from, and the compiler version. Provenance prefers it to
/// the working tree at run time, which may have moved on since the build.
public struct BuildInfo: Codable, Sendable, Equatable {
    public var gitCommit: String
    public var gitDirty: Bool
    public var toolchain: String?

    public static let fileName = "build-info.json"

    /// The record beside the running executable (`/proc/self/exe`), if any and readable.
    public static func besideExecutable() -> BuildInfo? {
        let exe = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        return read(exe.deletingLastPathComponent().appendingPathComponent(fileName))
    }

    public static func read(_ url: URL) -> BuildInfo? {
        guard let data = FileManager.default.contents(atPath: url.path) else { return nil }
        let d = JSONDecoder()
        d.keyDecodingStrategy = .convertFromSnakeCase
        return try? d.decode(BuildInfo.self, from: data)
    }
}
