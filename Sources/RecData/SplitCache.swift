import Crypto
import Foundation

/// The processed split on disk: `<dataRoot>/processed/<name>/split-<key>.bin`, where `key` is the
/// first 16 hex digits of a SHA-256 over everything that determines the split (raw digests, split
/// parameters, each source's within-user order and order seed, preprocessing rule, `codeVersion`).
/// Change any of them and the key changes.
///
/// Binary layout (all integers little-endian):
/// ```
/// "CIESSPLT"                         8 bytes magic
/// version UInt32 (= 2)
/// U, I, nTrain, nValid, nTest,       UInt64 each
/// len(name), len(rawDigest), len(splitDigest), len(sourceOrder)   UInt64 each
/// name, rawDigest, splitDigest, sourceOrder   UTF-8 bytes
/// userRawIds  Int64 × U,  itemRawIds Int64 × I
/// for TRAIN, VAL, TEST: offsets Int64 × (U+1), items Int32 × n
/// SHA-256 of all preceding bytes    32 bytes
/// ```
/// Loading checks the magic, version, checksum, exact length and every structural invariant of
/// `UserItemLists` (offsets from 0 to n, ascending; items sorted, unique, in range). A file that
/// fails any check is deleted and `load` returns nil, so the caller rebuilds it; it is never
/// trusted. Writes are atomic.
public enum SplitCache {
    /// Bump when parsing, preprocessing, splitting or this format changes meaning.
    public static let codeVersion = "recdata-split-2"
    static let magic = Array("CIESSPLT".utf8)
    static let formatVersion: UInt32 = 2

    public static func key(dataset: DatasetManifest.Dataset, rawDigest: String, sourceOrder: String) -> String {
        let sp = dataset.split
        let excl = dataset.preprocessing.excludePairs.map { $0.map(String.init).joined(separator: ":") }.joined(separator: ",")
        let text = "code=\(codeVersion)|dataset=\(dataset.name)|raw=\(rawDigest)|seed=\(sp.seed)|"
            + "train=\(sp.trainFraction)|validEnd=\(sp.validEnd)|rounding=\(sp.rounding)|exclude=\(excl)|"
            + "dedupe=\(dataset.preprocessing.deduplicate)|reindex=users-ascending,items-first-appearance-train-valid-test|"
            + "order=\(sourceOrder)"
        return String(SHA256.hex(Array(text.utf8)).prefix(16))
    }

    public static func path(dataRoot: URL, dataset: String, key: String) -> URL {
        dataRoot.appendingPathComponent("processed").appendingPathComponent(dataset)
            .appendingPathComponent("split-\(key).bin")
    }

    public static func encode(_ d: SplitDataset) -> Data {
        var out = Data()
        out.reserveCapacity(64 + 8 * (d.userCount + d.itemCount) + 24 * (d.userCount + 1) + 4 * d.interactionCount)
        out.append(contentsOf: magic)
        appendLE(&out, formatVersion)
        let name = Array(d.name.utf8), raw = Array(d.rawDigest.utf8), split = Array(d.splitDigest.utf8)
        let order = Array(d.sourceOrder.utf8)
        for v in [d.userCount, d.itemCount, d.train.interactionCount, d.valid.interactionCount,
                  d.test.interactionCount, name.count, raw.count, split.count, order.count] { appendLE(&out, UInt64(v)) }
        out.append(contentsOf: name); out.append(contentsOf: raw); out.append(contentsOf: split); out.append(contentsOf: order)
        appendArray(&out, d.userRawIds.map { $0.littleEndian })
        appendArray(&out, d.itemRawIds.map { $0.littleEndian })
        for part in [d.train, d.valid, d.test] {
            appendArray(&out, part.offsets.map { Int64($0).littleEndian })
            appendArray(&out, part.items.map { $0.littleEndian })
        }
        let sum = Array(SHA256.hash(data: out))
        out.append(contentsOf: sum)
        return out
    }

    public static func save(_ d: SplitDataset, to url: URL) throws {
        try AtomicFile.write(encode(d), to: url)
    }

    /// The cached split, or nil if the file is absent or invalid (an invalid file is deleted;
    /// `problem` receives why).
    public static func load(from url: URL, problem: ((String) -> Void)? = nil) -> SplitDataset? {
        guard FileManager.default.fileExists(atPath: url.path) else { return nil }
        do {
            let data = try Data(contentsOf: url)
            return try decode(data, file: url.path)
        } catch {
            try? FileManager.default.removeItem(at: url)
            problem?("\(error)")
            return nil
        }
    }

    struct Invalid: Error, CustomStringConvertible {
        let file: String, reason: String
        var description: String { "\(file): invalid split cache (\(reason)); deleted, will rebuild" }
    }

    public static func decode(_ data: Data, file: String = "split cache") throws -> SplitDataset {
        try data.withUnsafeBytes { raw -> SplitDataset in
            func bad(_ r: String) -> Invalid { Invalid(file: file, reason: r) }
            guard raw.count >= 8 + 4 + 64 + 32 else { throw bad("too short") }
            guard Array(raw[0..<8]) == magic else { throw bad("wrong magic") }
            let body = UnsafeRawBufferPointer(rebasing: raw[0..<(raw.count - 32)])
            guard Array(SHA256.hash(data: body)) == Array(raw[(raw.count - 32)...]) else { throw bad("checksum mismatch") }
            var pos = 8
            func u32() -> UInt32 { defer { pos += 4 }; return UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: pos, as: UInt32.self)) }
            func count() throws -> Int {
                guard pos + 8 <= body.count else { throw bad("truncated header") }
                let v = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: pos, as: UInt64.self))
                pos += 8
                guard v <= UInt64(body.count) else { throw bad("length \(v) exceeds the file") }
                return Int(v)
            }
            guard u32() == formatVersion else { throw bad("unsupported version") }
            let users = try count(), items = try count()
            let n = [try count(), try count(), try count()]
            let nameLen = try count(), rawLen = try count(), splitLen = try count(), orderLen = try count()
            let expectedSize = pos + nameLen + rawLen + splitLen + orderLen + 8 * (users + items) + 3 * 8 * (users + 1) + 4 * (n[0] + n[1] + n[2])
            guard expectedSize == body.count else { throw bad("length \(body.count) does not match the header (\(expectedSize))") }
            func string(_ len: Int) -> String {
                defer { pos += len }
                return String(decoding: UnsafeRawBufferPointer(rebasing: raw[pos..<(pos + len)]), as: UTF8.self)
            }
            func int64s(_ k: Int) -> [Int64] {
                defer { pos += 8 * k }
                return (0..<k).map { Int64(littleEndian: raw.loadUnaligned(fromByteOffset: pos + 8 * $0, as: Int64.self)) }
            }
            func int32s(_ k: Int) -> [Int32] {
                defer { pos += 4 * k }
                return (0..<k).map { Int32(littleEndian: raw.loadUnaligned(fromByteOffset: pos + 4 * $0, as: Int32.self)) }
            }
            let name = string(nameLen), rawDigest = string(rawLen), splitDigest = string(splitLen)
            let sourceOrder = string(orderLen)
            let userRaw = int64s(users), itemRaw = int64s(items)
            var parts: [UserItemLists] = []
            for p in 0..<3 {
                let offsets = int64s(users + 1).map { Int($0) }
                let list = int32s(n[p])
                guard offsets.first == 0, offsets.last == n[p] else { throw bad("offsets of part \(p) do not span its items") }
                for u in 0..<users {
                    guard offsets[u] <= offsets[u + 1] else { throw bad("offsets of part \(p) decrease at user \(u)") }
                    var prev: Int32 = -1
                    for k in offsets[u]..<offsets[u + 1] {
                        let i = list[k]
                        guard i > prev, Int(i) < items else { throw bad("items of part \(p) unsorted or out of range at user \(u)") }
                        prev = i
                    }
                }
                parts.append(UserItemLists(userCount: users, itemCount: items, offsets: offsets, items: list))
            }
            return SplitDataset(name: name, userRawIds: userRaw, itemRawIds: itemRaw, train: parts[0], valid: parts[1],
                                test: parts[2], rawDigest: rawDigest, splitDigest: splitDigest, sourceOrder: sourceOrder)
        }
    }

    private static func appendLE<T: FixedWidthInteger>(_ out: inout Data, _ v: T) {
        withUnsafeBytes(of: v.littleEndian) { out.append(contentsOf: $0) }
    }

    private static func appendArray<T>(_ out: inout Data, _ a: [T]) {
        a.withUnsafeBytes { out.append(contentsOf: $0) }
    }
}
