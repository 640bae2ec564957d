import Crypto
import XCTest
import Linalg
import RecData
@testable import Recommenders
@testable import Harness
import SizeSearch

/// A final training killed after a chunk and run again with the same checkpoint file must give
/// exactly the outcome of an uninterrupted run; a damaged or foreign checkpoint is refused with
/// a message naming the file, and the file is kept.
final class TrainingResumeTests: XCTestCase {
    /// 36 users × 28 items, 10–15 interactions per user, split 50/25/25 in drawing order.
    static func dataset() -> SplitDataset {
        var rng = RandomStream(seed: 29, purpose: "training-resume-fixture")
        var parts: [[[Int32]]] = [[], [], []]
        for _ in 0..<36 {
            var items = (0..<28).map(Int32.init)
            items.shuffle(using: &rng)
            let n = 10 + rng.below(6), a = n / 2, b = (3 * n) / 4
            parts[0].append(items[0..<a].sorted()); parts[1].append(items[a..<b].sorted()); parts[2].append(items[b..<n].sorted())
        }
        let lists = parts.map { UserItemLists(userCount: 36, itemCount: 28, lists: $0) }
        return SplitDataset(name: "resume-fixture", userRawIds: (0..<36).map(Int64.init), itemRawIds: (0..<28).map(Int64.init),
                            train: lists[0], valid: lists[1], test: lists[2], rawDigest: "raw", splitDigest: "split")
    }

    private func request(_ backbone: BackboneKind, _ p: FinalProtocol, sizes: SizesSpec = .equal(9), seed: UInt64 = 4) -> TrainingRequest {
        // Patience 3 and a cap of 5 make the run long enough for an interruption in the middle.
        TrainingRequest(dataset: "resume-fixture", backbone: backbone, sizes: sizes, finalProtocol: p, seed: seed,
                        batchSize: 24, converge: ConvergeConfig(chunkBatches: 4, patience: 3, maxChunks: 5))
    }

    private func scratch() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("training-resume-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: dir) }
        return dir
    }

    /// Everything but the wall times.
    private func assertSameTraining(_ a: TrainingOutcome, _ b: TrainingOutcome, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(a.test, b.test, file: file, line: line)
        XCTAssertEqual(a.valid, b.valid, file: file, line: line)
        XCTAssertEqual(a.bestChunk, b.bestChunk, file: file, line: line)
        XCTAssertEqual(a.chunksRun, b.chunksRun, file: file, line: line)
        XCTAssertEqual(a.history.map(\.meanLoss), b.history.map(\.meanLoss), file: file, line: line)
        XCTAssertEqual(a.history.map(\.monitorAvg), b.history.map(\.monitorAvg), file: file, line: line)
        XCTAssertEqual(a.history.map(\.improved), b.history.map(\.improved), file: file, line: line)
    }

    func testInterruptedTrainingResumesToTheUninterruptedResult() throws {
        let d = Self.dataset()
        let dir = try scratch()
        // NGCF: its dropout masks depend on the restored step count; NeuMF: two tables; P-code and P-clean.
        for (backbone, p) in [(BackboneKind.lightgcn, FinalProtocol.clean), (.ngcf, .code), (.neumf, .clean)] {
            let r = request(backbone, p)
            let whole = try TrainingRun.run(r, dataset: d)
            for stop in [1, 2] {
                let file = dir.appendingPathComponent("\(backbone.rawValue)-\(stop).plist")
                XCTAssertNil(try TrainingRun.run(r, dataset: d, checkpoint: file, progress: nil, stopAfterChunk: stop))
                XCTAssertTrue(FileManager.default.fileExists(atPath: file.path))
                let resumed = try XCTUnwrap(try TrainingRun.run(r, dataset: d, checkpoint: file, progress: nil, stopAfterChunk: nil))
                assertSameTraining(whole, resumed)
                XCTAssertGreaterThan(whole.chunksRun, stop, "\(backbone): the interruption must fall inside the run")
            }
        }
    }

    func testAnElementMaskTrainingResumesToo() throws {
        let d = Self.dataset()
        let dir = try scratch()
        var mask = ElementMask(tableNames: ["embedding"], userCount: 36, itemCount: 28)
        var rng = RandomStream(seed: 3, purpose: "mask")
        for row in 0..<mask.nodeCount { for col in 0..<128 where rng.below(5) == 0 { mask[0, row, col] = true } }
        let maskFile = dir.appendingPathComponent("mask.bin")
        try ElementMaskFile.write(mask, to: maskFile)
        let r = request(.lightgcn, .code, sizes: .file(maskFile.path))
        let whole = try TrainingRun.run(r, dataset: d)
        let file = dir.appendingPathComponent("masked.plist")
        XCTAssertNil(try TrainingRun.run(r, dataset: d, checkpoint: file, progress: nil, stopAfterChunk: 2))
        assertSameTraining(whole, try TrainingRun.run(r, dataset: d, checkpoint: file))
    }

    func testACheckpointOfAnotherRunIsRefusedAndKept() throws {
        let d = Self.dataset()
        let file = try scratch().appendingPathComponent("other.plist")
        XCTAssertNil(try TrainingRun.run(request(.lightgcn, .clean), dataset: d, checkpoint: file, progress: nil, stopAfterChunk: 1))
        let before = try Data(contentsOf: file)
        for other in [request(.lightgcn, .clean, seed: 5), request(.lightgcn, .code), request(.lightgcn, .clean, sizes: .equal(8))] {
            XCTAssertThrowsError(try TrainingRun.run(other, dataset: d, checkpoint: file)) { error in
                XCTAssertEqual(error as? TrainingCheckpointError, .otherRun(file.path))
                XCTAssertTrue("\(error)".contains(file.path))
            }
        }
        XCTAssertEqual(try Data(contentsOf: file), before)
    }

    func testADamagedCheckpointIsRefusedWithItsPathAndKept() throws {
        let d = Self.dataset()
        let dir = try scratch()
        let good = dir.appendingPathComponent("good.plist")
        XCTAssertNil(try TrainingRun.run(request(.neumf, .code), dataset: d, checkpoint: good, progress: nil, stopAfterChunk: 1))
        let bytes = try Data(contentsOf: good)
        let damaged: [(String, Data)] = [
            ("empty", Data()),
            ("text", Data("not a checkpoint\n".utf8)),
            ("truncated", bytes.prefix(bytes.count / 2)),
            ("json", Data("{\"format\": 1}".utf8)),
        ]
        for (name, data) in damaged {
            let file = dir.appendingPathComponent("\(name).plist")
            try data.write(to: file)
            XCTAssertThrowsError(try TrainingRun.run(request(.neumf, .code), dataset: d, checkpoint: file), name) { error in
                guard case .unreadable(let path, _)? = error as? TrainingCheckpointError else {
                    return XCTFail("\(name): expected an unreadable-checkpoint error, got \(error)")
                }
                XCTAssertEqual(path, file.path)
            }
            XCTAssertEqual(try Data(contentsOf: file), data, "\(name): the file must be kept")
        }
    }

    /// A checkpoint whose parameters hold a NaN (a damaged file, or a diverged run) is refused and kept.
    func testACheckpointHoldingANaNIsRefusedAndKept() throws {
        let d = Self.dataset()
        let file = try scratch().appendingPathComponent("nan.plist")
        XCTAssertNil(try TrainingRun.run(request(.lightgcn, .code), dataset: d, checkpoint: file, progress: nil, stopAfterChunk: 1))
        var stored = try PropertyListDecoder().decode(TrainingCheckpointFile.Stored.self, from: StateChecksum.open(Data(contentsOf: file), path: file.path).payload)
        var model = try stored.model.unpacked()
        model.tensors["embedding"]!.values[17] = .nan
        stored.model = PackedBackboneCheckpoint(model)
        let e = PropertyListEncoder(); e.outputFormat = .binary
        let bytes = StateChecksum.seal(try e.encode(stored))   // a valid checksum: the NaN itself must be caught
        try bytes.write(to: file)
        XCTAssertThrowsError(try TrainingRun.run(request(.lightgcn, .code), dataset: d, checkpoint: file)) { error in
            guard case .unreadable(let path, let why)? = error as? TrainingCheckpointError else { return XCTFail("got \(error)") }
            XCTAssertEqual(path, file.path)
            XCTAssertTrue(why.contains("tensor 'embedding' holds a non-finite value"), why)
        }
        XCTAssertEqual(try Data(contentsOf: file), bytes)
    }

    /// One flipped bit anywhere in a checkpoint is refused by its checksum (before it could change a result).
    func testAFlippedBitIsRefusedByTheChecksum() throws {
        let d = Self.dataset()
        let file = try scratch().appendingPathComponent("flip.plist")
        XCTAssertNil(try TrainingRun.run(request(.lightgcn, .clean), dataset: d, checkpoint: file, progress: nil, stopAfterChunk: 1))
        var bytes = try Data(contentsOf: file)
        bytes[bytes.count / 2] ^= 0x01
        try bytes.write(to: file)
        XCTAssertThrowsError(try TrainingRun.run(request(.lightgcn, .clean), dataset: d, checkpoint: file)) { error in
            guard case .unreadable(let path, let why)? = error as? TrainingCheckpointError else { return XCTFail("got \(error)") }
            XCTAssertEqual(path, file.path)
            XCTAssertTrue(why.contains("checksum"), why)
        }
        XCTAssertEqual(try Data(contentsOf: file), bytes, "kept")
    }

    func testACheckpointWithTheWrongShapesIsRefused() throws {
        // Same fingerprint, but the stored tables come from another backbone: restore must fail cleanly.
        let d = Self.dataset()
        let dir = try scratch()
        let lightgcn = dir.appendingPathComponent("lightgcn.plist"), neumf = dir.appendingPathComponent("neumf.plist")
        XCTAssertNil(try TrainingRun.run(request(.lightgcn, .code), dataset: d, checkpoint: lightgcn, progress: nil, stopAfterChunk: 1))
        XCTAssertNil(try TrainingRun.run(request(.neumf, .code), dataset: d, checkpoint: neumf, progress: nil, stopAfterChunk: 1))
        var stored = try PropertyListDecoder().decode(TrainingCheckpointFile.Stored.self, from: StateChecksum.open(Data(contentsOf: lightgcn), path: "").payload)
        let other = try PropertyListDecoder().decode(TrainingCheckpointFile.Stored.self, from: StateChecksum.open(Data(contentsOf: neumf), path: "").payload)
        stored.model = other.model
        let e = PropertyListEncoder(); e.outputFormat = .binary
        try StateChecksum.seal(try e.encode(stored)).write(to: lightgcn)
        XCTAssertThrowsError(try TrainingRun.run(request(.lightgcn, .code), dataset: d, checkpoint: lightgcn)) { error in
            guard case .unreadable? = error as? TrainingCheckpointError else { return XCTFail("got \(error)") }
        }
    }

    func testTheRetrainStageResumesAKilledTrainingAndRemovesItsCheckpoint() throws {
        let d = Self.dataset()
        let dir = try scratch()
        _ = try FixedSizeSearch.run(method: "es", dataset: d, backbone: .lightgcn, targets: [0.9], seed: 1, directory: dir)
        let converge = ConvergeConfig(chunkBatches: 4, patience: 3, maxChunks: 5)
        func retrain(in search: URL) throws -> SelectiveRetraining.Result {
            try SelectiveRetraining.run(searchDirectory: search, dataset: d, backbone: .lightgcn, targetSparsity: 0.9,
                                        finalProtocol: .clean, seed: 2, converge: converge, batchSize: 24)
        }
        let copy = try scratch().appendingPathComponent("search")
        try FileManager.default.copyItem(at: dir, to: copy)
        let whole = try retrain(in: dir)

        // Kill the copy's training after chunk 2: the checkpoint the stage names is what TrainingRun leaves behind.
        let sel = try XCTUnwrap(try CIESSCandidates.read(searchDirectory: copy).first)
        let spec = SizesSpec.file(copy.appendingPathComponent(sel.candidates[0].sizesFile).path)
        let request = TrainingRequest(dataset: d.name, backbone: .lightgcn, sizes: spec, finalProtocol: .clean, seed: 2,
                                      batchSize: 24, converge: converge)
        let hash = String(SHA256.hex([UInt8](try Data(contentsOf: URL(fileURLWithPath: copy.appendingPathComponent(sel.candidates[0].sizesFile).path)))).prefix(16))
        let partial = copy.appendingPathComponent("retrain/\(hash)-clean-s2-\(try TrainingRun.fingerprint(request, dataset: d).prefix(12)).checkpoint.plist")
        XCTAssertNil(try TrainingRun.run(request, dataset: d, checkpoint: partial, progress: nil, stopAfterChunk: 2))
        let saved = try Data(contentsOf: partial)
        try Data("damaged".utf8).write(to: partial)     // proves the stage reads exactly this file
        XCTAssertThrowsError(try retrain(in: copy)) { XCTAssertTrue("\($0)".contains(partial.path), "\($0)") }
        try saved.write(to: partial)

        let resumed = try retrain(in: copy)
        XCTAssertFalse(FileManager.default.fileExists(atPath: partial.path), "the checkpoint is removed once the result is cached")
        assertSameTraining(try XCTUnwrap(whole.chosen), try XCTUnwrap(resumed.chosen))
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: dir.appendingPathComponent("retrain").path)
        XCTAssertEqual(leftovers.filter { $0.hasSuffix(".plist") }, [])
    }
}
