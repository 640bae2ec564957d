import Foundation
import XCTest
@testable import RecData

final class FileLockTests: XCTestCase {
    func scratch() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("filelock-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: dir) }
        return dir
    }

    /// A second writer is refused with the holder's pid while the first holds the lock, and gets it afterwards.
    func testSecondWriterIsRefusedWithTheHolderThenSucceeds() throws {
        let file = FileLock.lockFile(for: try scratch().appendingPathComponent("stage"))
        XCTAssertEqual(file.lastPathComponent, "stage.lock")
        let first = try FileLock.acquire(file, wait: false)
        XCTAssertThrowsError(try FileLock.acquire(file, wait: false)) { e in
            guard case .held(let path, let holder)? = e as? FileLockError else { return XCTFail("\(e)") }
            XCTAssertEqual(path, file.path)
            XCTAssertTrue(holder.hasPrefix("pid \(getpid()) on "), holder)
            XCTAssertTrue("\(e)".contains("another run is writing this stage"))
        }
        first.release()
        XCTAssertNoThrow(try FileLock.acquire(file, wait: false).release())
    }

    /// A waiting writer gets the lock once the holder releases it.
    func testWaitingWriterProceedsAfterRelease() throws {
        let file = try scratch().appendingPathComponent("w.lock")
        let first = try FileLock.acquire(file, wait: false)
        let done = expectation(description: "second writer got the lock")
        DispatchQueue.global().async {
            if let l = try? FileLock.acquire(file, wait: true) { l.release(); done.fulfill() }
        }
        Thread.sleep(forTimeInterval: 0.2)
        first.release()
        wait(for: [done], timeout: 10)
    }

    func testLeftoverTemporariesAreRemovedOnlyForTheirFile() throws {
        let dir = try scratch()
        for name in [".tmp-ck.plist-A", ".tmp-ck.plist-B", ".tmp-other.json-C", "ck.plist"] {
            try Data("x".utf8).write(to: dir.appendingPathComponent(name))
        }
        XCTAssertEqual(AtomicFile.removeLeftoverTemporaries(in: dir, of: "ck.plist"), [".tmp-ck.plist-A", ".tmp-ck.plist-B"])
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted(), [".tmp-other.json-C", "ck.plist"])
        XCTAssertEqual(AtomicFile.removeLeftoverTemporaries(in: dir), [".tmp-other.json-C"])
    }

    /// A write below a regular file fails with one sentence naming the path, not a Foundation dump.
    func testWriteBelowAFileIsOneSentence() throws {
        let dir = try scratch()
        let file = dir.appendingPathComponent("plain")
        try Data("x".utf8).write(to: file)
        XCTAssertThrowsError(try AtomicFile.write(Data("y".utf8), to: file.appendingPathComponent("x.json"))) { e in
            let text = "\(e)"
            XCTAssertTrue(text.contains(file.path), text)
            XCTAssertTrue(text.contains("is a file, not a directory") || text.contains("already exists"), text)
            XCTAssertFalse(text.contains("NSCocoaErrorDomain"), text)
        }
    }
}
