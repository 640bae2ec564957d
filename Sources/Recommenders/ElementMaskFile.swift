import Foundation
import RecData

/// An `ElementMask` on disk: magic `CIESSM1\0`; dMax, user count, item count, table count (UInt32 LE
/// each); per table its name (UInt32 LE byte length, UTF-8); then per table the packed rows,
/// N × ⌈dMax/64⌉ UInt64 LE words (bit c of word c/64). Written atomically; reading checks the
/// exact length and that no bit at c ≥ dMax is set.
public enum ElementMaskFile {
    static let magic = Array("CIESSM1\0".utf8)

    public static func hasMagic(_ data: Data) -> Bool { data.count >= 8 && Array(data.prefix(8)) == magic }

    public static func encode(_ m: ElementMask) -> Data {
        var d = Data(magic)
        func u32(_ v: Int) { withUnsafeBytes(of: UInt32(v).littleEndian) { d.append(contentsOf: $0) } }
        u32(m.dMax); u32(m.userCount); u32(m.itemCount); u32(m.tableNames.count)
        for name in m.tableNames {
            let bytes = Array(name.utf8)
            u32(bytes.count)
            d.append(contentsOf: bytes)
        }
        for table in m.bits {
            for w in table { withUnsafeBytes(of: w.littleEndian) { d.append(contentsOf: $0) } }
        }
        return d
    }

    public static func write(_ m: ElementMask, to url: URL) throws {
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try AtomicFile.write(StateChecksum.seal(encode(m)), to: url)
    }

    public static func read(_ url: URL) throws -> ElementMask {
        guard let d = FileManager.default.contents(atPath: url.path) else { throw ElementMaskFileError.unreadable(url.path) }
        return try decode([UInt8](d), path: url.path)
    }

    /// Decodes a file's bytes: its `StateChecksum` trailer is checked and removed first (a file written
    /// before checksums existed has none).
    public static func decode(_ file: [UInt8], path: String) throws -> ElementMask {
        func bad(_ why: String) -> ElementMaskFileError { .malformed(path, why) }
        let b: [UInt8]
        do { b = [UInt8](try StateChecksum.open(Data(file), path: path).payload) } catch {
            throw bad("its content does not match its checksum: the file is damaged")
        }
        guard b.count >= 24, Array(b[0..<8]) == magic else { throw bad("bad magic, expected CIESSM1") }
        var at = 8
        func u32() throws -> Int {
            guard at + 4 <= b.count else { throw bad("truncated header") }
            defer { at += 4 }
            return Int(UInt32(b[at]) | UInt32(b[at + 1]) << 8 | UInt32(b[at + 2]) << 16 | UInt32(b[at + 3]) << 24)
        }
        let dMax = try u32(), users = try u32(), items = try u32(), tables = try u32()
        guard dMax >= 1, dMax <= 255 else { throw bad("dMax \(dMax) outside 1...255") }
        guard tables >= 1, tables <= 8 else { throw bad("table count \(tables) outside 1...8") }
        var names: [String] = []
        for _ in 0..<tables {
            let len = try u32()
            guard len >= 1, len <= 64, at + len <= b.count, let name = String(bytes: b[at..<(at + len)], encoding: .utf8) else {
                throw bad("table name unreadable")
            }
            names.append(name)
            at += len
        }
        let words = (dMax + 63) / 64, perTable = (users + items) * words
        let expected = at + tables * perTable * 8
        guard b.count == expected else { throw bad("expected \(expected) bytes, found \(b.count)") }
        var bits: [[UInt64]] = []
        let tailMask: UInt64 = dMax % 64 == 0 ? 0 : ~((UInt64(1) << UInt64(dMax % 64)) - 1)
        for _ in 0..<tables {
            var table = [UInt64](repeating: 0, count: perTable)
            for k in 0..<perTable {
                var w: UInt64 = 0
                for j in 0..<8 { w |= UInt64(b[at + j]) << UInt64(8 * j) }
                at += 8
                if k % words == words - 1, w & tailMask != 0 { throw bad("a bit beyond column \(dMax) is set") }
                table[k] = w
            }
            bits.append(table)
        }
        return ElementMask(tableNames: names, userCount: users, itemCount: items, dMax: dMax, bits: bits)
    }
}

public enum ElementMaskFileError: Error, CustomStringConvertible, Equatable {
    case unreadable(String)
    case malformed(String, String)
    public var description: String {
        switch self {
        case .unreadable(let p): return "\(p): cannot read the element mask"
        case .malformed(let p, let why): return "\(p): not an element mask file (\(why))"
        }
    }
}
