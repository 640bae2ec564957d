import Foundation
import RecData

/// The JSON conventions of every search stage's files: sorted keys, non-finite numbers written as
/// "inf", "-inf", "nan"; `history.jsonl` holds one compact record per line, and a resumed stage
/// first cuts it back to the lines its checkpoint knows (an interrupted chunk or episode leaves
/// more, possibly a torn last line).
public enum SearchHistoryFile {
    public static func encoder(pretty: Bool) -> JSONEncoder {
        let e = JSONEncoder()
        e.outputFormatting = pretty ? [.sortedKeys, .prettyPrinted] : [.sortedKeys]
        e.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return e
    }

    public static func decoder() -> JSONDecoder {
        let d = JSONDecoder()
        d.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return d
    }

    /// Pretty JSON (config.json, search.json).
    public static func json<T: Encodable>(_ v: T) throws -> String { String(decoding: try encoder(pretty: true).encode(v), as: UTF8.self) }

    /// One history line, without the newline: the record's compact JSON with its own checksum as the last
    /// key, `"line_sha256"` = SHA-256 (hex) of the line as it would read without that key.
    public static func jsonLine<T: Encodable>(_ v: T) throws -> String {
        let base = String(decoding: try encoder(pretty: false).encode(v), as: UTF8.self)
        precondition(base.hasPrefix("{") && base.hasSuffix("}") && base != "{}", "history records are non-empty JSON objects")
        return String(base.dropLast()) + ",\"\(checksumKey)\":\"\(StateChecksum.sha256Hex(Array(base.utf8)))\"}"
    }

    static let checksumKey = "line_sha256"

    /// Checks a line's own checksum; a line without one (written before checksums existed) passes.
    static func lineIsIntact(_ line: Substring) -> Bool {
        let marker = ",\"\(checksumKey)\":\""
        guard line.hasSuffix("\"}"), let range = line.range(of: marker, options: .backwards) else { return true }
        let hex = line[range.upperBound..<line.index(line.endIndex, offsetBy: -2)]
        guard hex.count == 64 else { return false }
        let base = line[line.startIndex..<range.lowerBound] + "}"
        return StateChecksum.sha256Hex(Array(base.utf8)) == hex
    }

    /// Keeps the first `n` complete lines of `url` (atomically); fewer than `n` is a corrupt file.
    public static func truncate(_ url: URL, toLines n: Int) throws {
        let data = try Data(contentsOf: url)
        var lines = 0, end = 0
        for (k, b) in data.enumerated() where b == UInt8(ascii: "\n") {
            if lines == n { break }
            lines += 1
            end = k + 1
        }
        guard lines == n else {
            throw SearchStageError.corrupt(url.path, "has \(lines) complete lines, the checkpoint expects \(n)")
        }
        if end < data.count { try AtomicFile.write(data.prefix(end), to: url) }
    }

    /// Every line of `url` decoded as `T`; a bad line is reported as `path:line: expected <what>`.
    public static func read<T: Decodable>(_ url: URL, as: T.Type, what: String) throws -> [T] {
        let text = try String(contentsOf: url, encoding: .utf8)
        let d = decoder()
        return try text.split(separator: "\n").enumerated().map { n, line in
            guard lineIsIntact(line) else {
                throw SearchStageError.corrupt("\(url.path):\(n + 1)", "this line does not match its checksum (damaged)")
            }
            do { return try d.decode(T.self, from: Data(line.utf8)) } catch {
                throw SearchStageError.corrupt("\(url.path):\(n + 1)", "expected \(what)")
            }
        }
    }
}
