import Crypto
import Foundation

/// A content checksum for the state files a stage resumes from or reads back, so a damaged file is
/// refused with its path instead of silently changing a result (one flipped byte in a size vector
/// changes the retrained metrics; one in a training checkpoint changes the rest of the training).
///
/// - Binary files (size vectors, element masks, training and search checkpoints) end in a 72-byte
///   trailer: the tag `CIESSUM1` and the SHA-256 (64 hex digits) of every byte before it (`seal` / `open`).
/// - Text files other programs read (JSON) keep their bytes and get a sidecar `<name>.sha256` holding
///   the file's SHA-256 in hex (`writeSidecar` / `verifySidecar`).
/// - `history.jsonl` carries one per line (`SearchHistoryFile`).
///
/// Files written before checksums existed carry none: they are read as they are (`legacy`), so a run's
/// existing state still resumes. A file that carries one and does not match is refused, never repaired;
/// the error names the file and the file is kept.
public enum StateChecksum {
    static let tag = Array("CIESSUM1".utf8)

    /// SHA-256 of `bytes` as 64 lowercase hex digits (for modules that do not import the hash library).
    public static func sha256Hex(_ bytes: [UInt8]) -> String { SHA256.hex(bytes) }
    public static let trailerSize = 8 + 64

    /// `payload` followed by its trailer.
    public static func seal(_ payload: Data) -> Data {
        var out = payload
        out.append(contentsOf: tag)
        out.append(contentsOf: Array(SHA256.hex([UInt8](payload)).utf8))
        return out
    }

    /// The payload of a sealed file, after checking its trailer; a file without a trailer is returned whole
    /// (`sealed: false`, written before checksums existed).
    public static func open(_ data: Data, path: String) throws -> (payload: Data, sealed: Bool) {
        let start = data.startIndex
        guard data.count >= trailerSize,
              Array(data[(start + data.count - trailerSize)..<(start + data.count - 64)]) == tag else { return (data, false) }
        let payload = data.prefix(data.count - trailerSize)
        guard Array(SHA256.hex([UInt8](payload)).utf8) == Array(data.suffix(64)) else { throw StateChecksumError.mismatch(path) }
        return (Data(payload), true)
    }

    public static func sidecar(of url: URL) -> URL {
        url.deletingLastPathComponent().appendingPathComponent(url.lastPathComponent + ".sha256")
    }

    /// Writes `data` to `url` and its checksum to the sidecar, both atomically (the file first).
    public static func writeWithSidecar(_ data: Data, to url: URL) throws {
        try AtomicFile.write(data, to: url)
        try AtomicFile.write(Data((SHA256.hex([UInt8](data)) + "\n").utf8), to: sidecar(of: url))
    }

    /// Checks `data` (the content of `url`) against its sidecar, when there is one.
    public static func verifySidecar(_ data: Data, of url: URL) throws {
        guard let side = FileManager.default.contents(atPath: sidecar(of: url).path) else { return }
        let expected = String(decoding: side, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard expected == SHA256.hex([UInt8](data)) else { throw StateChecksumError.mismatch(url.path) }
    }
}

public enum StateChecksumError: Error, Equatable, CustomStringConvertible {
    case mismatch(String)

    public var description: String {
        switch self {
        case .mismatch(let path):
            return "\(path): its content does not match its checksum (the file is damaged); it was kept as it is. "
                + "Restore it from a copy, or rerun the stage afresh (ciess run … --restart moves the stage aside)"
        }
    }
}
