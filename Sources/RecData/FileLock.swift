import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// An exclusive advisory lock (`flock(2)`) on a lock file, held until `release()` or the process ends
/// (the kernel drops it on exit, even after SIGKILL, so a crashed writer never leaves a stage locked).
///
/// One writer per stage: `ciess run` locks `<stage directory>.lock`, `ciess search --out DIR` locks
/// `DIR.lock`, a resumable training locks `<checkpoint>.lock`, and the Slurm tasks go through `ciess run`
/// with `wait: true`. The holder writes "pid P on HOST since TIME" into the file, so a refused second
/// writer can say who holds it. The lock file itself is not state: deleting it is harmless while no one
/// holds it.
public final class FileLock {
    public let url: URL
    private var descriptor: Int32

    private init(url: URL, descriptor: Int32) {
        self.url = url
        self.descriptor = descriptor
    }

    /// Takes the lock; with `wait` blocks until it is free, else throws `FileLockError.held` naming the holder.
    public static func acquire(_ url: URL, wait: Bool) throws -> FileLock {
        try AtomicFile.createParent(of: url)
        let fd = open(url.path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw DataError.io(file: url.path, problem: IOErrorText.sentence(errno: errno, action: "open the lock file")) }
        while flock(fd, LOCK_EX | (wait ? 0 : LOCK_NB)) != 0 {
            let code = errno
            if code == EINTR { continue }
            let holder = holderText(fd)
            close(fd)
            if code == EWOULDBLOCK { throw FileLockError.held(path: url.path, holder: holder) }
            throw DataError.io(file: url.path, problem: IOErrorText.sentence(errno: code, action: "lock"))
        }
        let note = "pid \(getpid()) on \(ProcessInfo.processInfo.hostName) since \(ISO8601DateFormatter().string(from: Date()))\n"
        _ = ftruncate(fd, 0)
        _ = note.withCString { pwrite(fd, $0, strlen($0), 0) }
        return FileLock(url: url, descriptor: fd)
    }

    /// The lock of a stage directory or state file: the sibling `<path>.lock` (outside the directory, so the
    /// directory itself can be moved aside while the lock is held).
    public static func lockFile(for path: URL) -> URL {
        path.deletingLastPathComponent().appendingPathComponent(path.lastPathComponent + ".lock")
    }

    /// What the current holder wrote, e.g. "pid 4242 on box since 2026-12-07T23:41:00Z".
    static func holderText(_ fd: Int32) -> String {
        var buffer = [UInt8](repeating: 0, count: 256)
        let n = pread(fd, &buffer, buffer.count, 0)
        let text = n > 0 ? String(decoding: buffer[0..<n], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines) : ""
        return text.isEmpty ? "another process" : text
    }

    public func release() {
        guard descriptor >= 0 else { return }
        flock(descriptor, LOCK_UN)
        close(descriptor)
        descriptor = -1
    }

    deinit { release() }
}

public enum FileLockError: Error, Equatable, CustomStringConvertible {
    case held(path: String, holder: String)

    public var description: String {
        switch self {
        case let .held(path, holder):
            return "\(path) is held by \(holder): another run is writing this stage; wait for it to finish (or stop it) and run again"
        }
    }
}

/// One sentence for a failed file-system call, from its errno: what went wrong and what to do.
public enum IOErrorText {
    public static func sentence(errno code: Int32, action: String) -> String {
        switch code {
        case ENOTDIR: return "cannot \(action): a component of the path is a file, not a directory; choose another path"
        case EISDIR: return "cannot \(action): the path is a directory; name a file"
        case EACCES, EPERM: return "cannot \(action): permission denied; choose a writable location or fix the permissions"
        case EROFS: return "cannot \(action): the file system is read-only; choose a writable location"
        case ENOSPC: return "cannot \(action): no space left on the device; free some space and run again"
        case ENOENT: return "cannot \(action): a directory on the path does not exist"
        case EEXIST: return "cannot \(action): something already exists there"
        default: return "cannot \(action): \(String(cString: strerror(code)))"
        }
    }

    /// The errno behind a Foundation file error, when there is one.
    public static func errno(of error: Error) -> Int32? {
        let ns = error as NSError
        if ns.domain == NSPOSIXErrorDomain { return Int32(ns.code) }
        if let underlying = ns.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
            return Int32(underlying.code)
        }
        switch ns.code {
        case NSFileWriteNoPermissionError, NSFileReadNoPermissionError: return EACCES
        case NSFileWriteVolumeReadOnlyError: return EROFS
        case NSFileWriteOutOfSpaceError: return ENOSPC
        case NSFileNoSuchFileError, NSFileReadNoSuchFileError: return ENOENT
        case NSFileWriteFileExistsError: return EEXIST
        default: return nil
        }
    }

    /// The sentence for a Foundation error (its errno when known, else its own description).
    public static func sentence(_ error: Error, action: String) -> String {
        if let e = error as? DataError { return "\(e)" }
        if let code = errno(of: error) { return sentence(errno: code, action: action) }
        return "cannot \(action): \((error as NSError).localizedDescription)"
    }
}
