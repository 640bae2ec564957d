import Crypto
import Foundation

/// The check of a file against a manifest source, and the file's size and SHA-256.
///
/// Checks, in order: the size (when the manifest gives it), then the strongest digest it gives:
/// SHA-256 if present; otherwise the git blob id (and the MD5 too, if given). SHA-256 alone is
/// sufficient, so the weaker digests are not recomputed when it is known (one pass over the data).
/// The SHA-256 is always computed, because it names the raw data in `rawDigest` and provenance.
/// On any mismatch the file is deleted before the error is thrown: nothing unverified is kept.
public struct FileVerification: Sendable, Equatable {
    public var bytes: Int
    public var sha256: String

    /// Verifies `file` against `source` (see the type's comment for which checks run).
    /// `displayName` names the file in the error (the error also carries expected and actual).
    public static func verify(_ file: URL, against source: DatasetManifest.Source,
                              displayName: String) throws -> FileVerification {
        let data: Data
        do { data = try Data(contentsOf: file, options: .alwaysMapped) } catch {
            throw DataError.io(file: file.path, problem: "cannot read: \(error.localizedDescription)")
        }
        var failure: DataError?
        var sha = ""
        data.withUnsafeBytes { raw in
            if let b = source.bytes, b != raw.count {
                failure = .integrity(file: displayName, check: "size", expected: "\(b) bytes", actual: "\(raw.count) bytes")
                return
            }
            sha = SHA256.hex(raw)
            if let want = source.sha256, want != sha {
                failure = .integrity(file: displayName, check: "SHA-256", expected: want, actual: sha)
                return
            }
            if source.sha256 != nil { return }
            if let want = source.md5 {
                let got = Insecure.MD5.hex(raw)
                if want != got { failure = .integrity(file: displayName, check: "MD5", expected: want, actual: got); return }
            }
            if let want = source.gitBlob {
                let got = Insecure.SHA1.gitBlobId(of: raw)
                if want != got { failure = .integrity(file: displayName, check: "git blob id", expected: want, actual: got) }
            }
        }
        if let failure {
            try? FileManager.default.removeItem(at: file)
            throw failure
        }
        return FileVerification(bytes: data.count, sha256: sha)
    }
}
