import Foundation

/// Atomic file replacement: bytes go to a uniquely named temporary file in the destination's
/// directory, which is then renamed over the destination (`rename(2)` is atomic within one file
/// system). A reader therefore sees the old file or the complete new one, never a partial write;
/// a crash leaves at most a `.tmp-*` file behind, which no reader looks at.
public enum AtomicFile {
    /// A fresh temporary path next to `destination` (same directory, hence same file system).
    public static func temporaryPath(for destination: URL) -> URL {
        destination.deletingLastPathComponent()
            .appendingPathComponent(".tmp-\(destination.lastPathComponent)-\(UUID().uuidString)")
    }

    /// Writes `data` to `url` atomically, creating parent directories as needed.
    public static func write(_ data: Data, to url: URL) throws {
        try createParent(of: url)
        let tmp = temporaryPath(for: url)
        do {
            try data.write(to: tmp)
            try replace(url, with: tmp)
        } catch {
            try? FileManager.default.removeItem(at: tmp)
            throw DataError.io(file: url.path, problem: IOErrorText.sentence(error, action: "write it"))
        }
    }

    /// Removes the temporary files a killed writer left in `directory` (`.tmp-*`, not recursive). Call it
    /// only while holding the lock of everything written there (`FileLock`), so no live write is touched.
    /// Returns the names removed.
    /// With `destination`, only the temporaries of that one file (`.tmp-<name>-<UUID>`) are removed.
    @discardableResult
    public static func removeLeftoverTemporaries(in directory: URL, of destination: String? = nil) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        let prefix = destination.map { ".tmp-\($0)-" } ?? ".tmp-"
        let leftovers = names.filter { $0.hasPrefix(prefix) }.sorted()
        for name in leftovers { try? FileManager.default.removeItem(at: directory.appendingPathComponent(name)) }
        return leftovers
    }

    /// Copies `source` to `destination` atomically.
    public static func copy(_ source: URL, to destination: URL) throws {
        try createParent(of: destination)
        let tmp = temporaryPath(for: destination)
        do {
            try FileManager.default.copyItem(at: source, to: tmp)
            try replace(destination, with: tmp)
        } catch {
            try? FileManager.default.removeItem(at: tmp)
            throw DataError.io(file: destination.path, problem: "atomic copy from \(source.path) failed: \(error)")
        }
    }

    /// Renames `tmp` over `destination` (atomic replacement).
    public static func replace(_ destination: URL, with tmp: URL) throws {
        if rename(tmp.path, destination.path) != 0 {
            let code = errno
            throw DataError.io(file: destination.path, problem: "rename from \(tmp.path) failed: \(String(cString: strerror(code)))")
        }
    }

    public static func createParent(of url: URL) throws {
        let parent = url.deletingLastPathComponent()
        do { try FileManager.default.createDirectory(at: parent, withIntermediateDirectories: true) } catch {
            throw DataError.io(file: parent.path, problem: IOErrorText.sentence(error, action: "create this directory"))
        }
    }
}
