import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Checks, before any work starts, that an output path can be written: a problem found after hours of
/// training would lose the result. Each check returns nil or one sentence naming the path and the fix.
public enum OutputLocation {
    /// A file to be created or replaced: not a directory, and its directory exists and is writable or can
    /// be created (no component of the path is a file).
    public static func problem(file path: String) -> String? {
        var isDirectory: ObjCBool = false
        if path.isEmpty || path.hasSuffix("/") { return "'\(path)' must name a file" }
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
            return "\(path) is a directory; name a file"
        }
        return problem(directory: (path as NSString).deletingLastPathComponent.isEmpty ? "." : (path as NSString).deletingLastPathComponent)
    }

    /// A directory to be created or written into: no component of the path is a file, and the deepest
    /// existing directory on it is writable.
    public static func problem(directory path: String) -> String? {
        var current = URL(fileURLWithPath: path).standardizedFileURL
        while true {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: current.path, isDirectory: &isDirectory) {
                guard isDirectory.boolValue else {
                    return "\(current.path) is a file, so \(path) cannot be a directory; choose another path"
                }
                guard access(current.path, W_OK) == 0 else {
                    return "\(current.path) is not writable, so nothing can be written to \(path); choose a writable location"
                }
                return nil
            }
            let parent = current.deletingLastPathComponent()
            if parent.path == current.path { return nil }
            current = parent
        }
    }
}
