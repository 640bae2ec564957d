import Foundation
import RecData

/// A search stage's binary state (checkpoints of CIESS, PEP, ESAPN, OptEmbed): one binary property list,
/// sealed with a content checksum (`StateChecksum`) and written atomically. Reading checks the checksum
/// (a file written before checksums existed is read as it is) and reports any problem as
/// `SearchStageError` naming the file, which is kept.
public enum SearchStateFile {
    public static func write<T: Encodable>(_ value: T, to url: URL) throws {
        let e = PropertyListEncoder()
        e.outputFormat = .binary
        try AtomicFile.write(StateChecksum.seal(try e.encode(value)), to: url)
    }

    /// `missing`: the error for an absent file (`.missing` where absence means "not started", `.corrupt` elsewhere).
    public static func read<T: Decodable>(_ type: T.Type, from url: URL, absent: SearchStageError? = nil) throws -> T {
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw absent ?? SearchStageError.corrupt(url.path, "cannot read")
        }
        let payload: Data
        do { payload = try StateChecksum.open(data, path: url.path).payload } catch {
            throw SearchStageError.corrupt(url.path, "its content does not match its checksum (damaged)")
        }
        do { return try PropertyListDecoder().decode(T.self, from: payload) } catch {
            throw SearchStageError.corrupt(url.path, "\(error)")
        }
    }
}
