import Foundation

/// Makes each required raw file of a dataset available, verified, in `<dataRoot>/raw/<dataset>/`.
///
/// Order for each required file (manifest `files`): (1) the raw cache — any source form whose
/// `cacheName` exists there and verifies (a cached copy that fails is deleted and fetched again);
/// (2) the offline mirror `$DATA_MIRROR/<mirrorPath>` for sources that have a mirror form — the
/// file is copied to a temporary name in the cache directory, verified, then renamed into the
/// cache, so later runs hit (1); (3) download of sources with a `url` via
/// `curl -fL --retry 3 --connect-timeout 20 --max-time 1800` into a temporary name, verified, then
/// renamed. Verification (size and every digest the manifest gives) happens before any use; on a
/// mismatch from the mirror or a download the copy is deleted and `DataError.integrity` names the
/// file, the expected and the actual digest. The mirror is only ever read here.
public struct DatasetFetcher: Sendable {
    public var dataRoot: URL
    public var mirror: URL?
    /// Whether step (3) may run; tests turn it off to stay offline.
    public var allowDownload: Bool

    public init(dataRoot: URL, mirror: URL?, allowDownload: Bool = true) {
        self.dataRoot = dataRoot
        self.mirror = mirror
        self.allowDownload = allowDownload
    }

    /// A verified raw file ready to parse.
    public struct FetchedFile: Sendable, Equatable {
        public var role: String
        public var source: DatasetManifest.Source
        public var path: URL
        public var bytes: Int
        public var sha256: String
        /// "cache", "mirror" or "download".
        public var origin: String
    }

    public func rawDirectory(_ dataset: String) -> URL {
        dataRoot.appendingPathComponent("raw").appendingPathComponent(dataset)
    }

    public func fetch(_ dataset: DatasetManifest.Dataset, progress: ((String) -> Void)? = nil) throws -> [FetchedFile] {
        try dataset.files.map { try fetch($0, of: dataset.name, progress: progress) }
    }

    public func fetch(_ file: DatasetManifest.RequiredFile, of dataset: String,
                      progress: ((String) -> Void)? = nil) throws -> FetchedFile {
        let dir = rawDirectory(dataset)
        var tried: [String] = []
        // (1) cache
        for s in file.sources {
            let cached = dir.appendingPathComponent(s.cacheName)
            guard FileManager.default.fileExists(atPath: cached.path) else { continue }
            do {
                let v = try FileVerification.verify(cached, against: s, displayName: cached.path)
                return FetchedFile(role: file.role, source: s, path: cached, bytes: v.bytes, sha256: v.sha256, origin: "cache")
            } catch let e as DataError {
                progress?("\(dataset): cached \(s.cacheName) failed verification and was deleted (\(e)); fetching again")
                tried.append("cache \(cached.path): \(e)")
            }
        }
        // (2) mirror
        if let mirror {
            for s in file.sources {
                guard let rel = s.mirrorPath else { continue }
                let src = mirror.appendingPathComponent(rel)
                guard FileManager.default.fileExists(atPath: src.path) else {
                    tried.append("mirror \(src.path): missing")
                    continue
                }
                progress?("\(dataset): copying \(src.path) from the mirror")
                let dest = dir.appendingPathComponent(s.cacheName)
                try AtomicFile.createParent(of: dest)
                let tmp = AtomicFile.temporaryPath(for: dest)
                do { try FileManager.default.copyItem(at: src, to: tmp) } catch {
                    try? FileManager.default.removeItem(at: tmp)
                    throw DataError.io(file: src.path, problem: "copy from the mirror failed: \(error.localizedDescription)")
                }
                // The mirror may be read-only; the cache copy is ours to replace or delete.
                try? FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: tmp.path)
                let v = try FileVerification.verify(tmp, against: s, displayName: src.path)
                try AtomicFile.replace(dest, with: tmp)
                return FetchedFile(role: file.role, source: s, path: dest, bytes: v.bytes, sha256: v.sha256, origin: "mirror")
            }
        } else {
            tried.append("mirror: DATA_MIRROR not set")
        }
        // (3) download
        for s in file.sources {
            guard let url = s.url else { continue }
            guard allowDownload else { tried.append("download \(url): disabled"); continue }
            progress?("\(dataset): downloading \(url)")
            let dest = dir.appendingPathComponent(s.cacheName)
            try AtomicFile.createParent(of: dest)
            let tmp = AtomicFile.temporaryPath(for: dest)
            do {
                _ = try ExternalTool.run("curl", ["-fL", "--retry", "3", "--connect-timeout", "20", "--max-time", "1800",
                                                  "-sS", "-o", tmp.path, url])
            } catch {
                try? FileManager.default.removeItem(at: tmp)
                tried.append("download \(url): \(error)")
                continue
            }
            let v = try FileVerification.verify(tmp, against: s, displayName: url)
            try AtomicFile.replace(dest, with: tmp)
            return FetchedFile(role: file.role, source: s, path: dest, bytes: v.bytes, sha256: v.sha256, origin: "download")
        }
        throw DataError.unavailable(file: "\(dataset)/\(file.role)", tried: tried)
    }
}
