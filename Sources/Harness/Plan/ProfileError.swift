import Foundation

/// Why `experiments/profiles.json` (or a profile in it) was rejected; every message names the
/// file, the profile and the field, and says what would be valid.
public enum ProfileError: Error, CustomStringConvertible, Equatable {
    case unreadable(String)
    case malformed(String, String)
    case invalid(source: String, profile: String, field: String, problem: String)
    case unknownProfile(String, [String])

    public var description: String {
        switch self {
        case .unreadable(let path):
            if !FileManager.default.fileExists(atPath: path) {
                return "\(path): no such profiles file (the default is experiments/profiles.json: run from the repository root, or pass --profiles)"
            }
            return "\(path): the profiles file exists but cannot be read (check its permissions)"
        case .malformed(let path, let why):
            return "\(path): \(why)"
        case .invalid(let source, let profile, let field, let problem):
            return "\(source): profile '\(profile)', field '\(field)': \(problem)"
        case .unknownProfile(let name, let known):
            return "unknown profile '\(name)'; the profiles file defines: \(known.joined(separator: ", "))"
        }
    }

    /// "batchSize" → "batch_size", as the file spells the field.
    static func snakeCase(_ key: String) -> String {
        var out = ""
        for ch in key {
            if ch.isUppercase { out += "_" + ch.lowercased() } else { out.append(ch) }
        }
        return out
    }

    /// A one-line account of a decoding error: the key path and what was wrong.
    static func describe(_ e: DecodingError) -> String {
        func path(_ keys: [CodingKey]) -> String {
            let p = keys.map { $0.intValue.map { "[\($0)]" } ?? snakeCase($0.stringValue) }.joined(separator: ".")
            return p.isEmpty ? "(top level)" : p.replacingOccurrences(of: ".[", with: "[")
        }
        switch e {
        case .keyNotFound(let key, let ctx):
            return "missing field '\(path(ctx.codingPath + [key]))'"
        case .typeMismatch(let type, let ctx):
            return "field '\(path(ctx.codingPath))' has the wrong type (expected \(type))"
        case .valueNotFound(let type, let ctx):
            return "field '\(path(ctx.codingPath))' is null (expected \(type))"
        case .dataCorrupted(let ctx):
            return "invalid JSON at '\(path(ctx.codingPath))': \(ctx.debugDescription)"
        @unknown default:
            return "\(e)"
        }
    }
}
