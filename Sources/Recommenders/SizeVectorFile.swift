import Foundation
import RecData


/// The executed size vector of one search iteration on disk: magic `CIESSZ1\0`, dMax, user and item
/// counts (UInt32 LE each), then one byte per user and per item, then the `StateChecksum` trailer (a
/// file written before checksums existed has none and is still read). Written atomically.
public enum SizeVectorFile {
    static let magic = Array("CIESSZ1\0".utf8)

    public static func hasMagic(_ data: Data) -> Bool { data.count >= 8 && Array(data.prefix(8)) == magic }

    public static func write(_ s: EmbeddingSizes, to url: URL) throws {
        var d = Data(magic)
        for v in [UInt32(s.dMax), UInt32(s.users.count), UInt32(s.items.count)] {
            withUnsafeBytes(of: v.littleEndian) { d.append(contentsOf: $0) }
        }
        d.append(contentsOf: s.users)
        d.append(contentsOf: s.items)
        try AtomicFile.write(StateChecksum.seal(d), to: url)
    }

    public static func read(_ url: URL) throws -> EmbeddingSizes {
        guard let file = FileManager.default.contents(atPath: url.path) else {
            throw SizeVectorFileError.unreadable(url.path)
        }
        let d: Data
        do { d = try StateChecksum.open(file, path: url.path).payload } catch {
            throw SizeVectorFileError.malformed(url.path, "its content does not match its checksum: the file is damaged")
        }
        let bytes = [UInt8](d)
        guard bytes.count >= 20, Array(bytes[0..<8]) == magic else { throw SizeVectorFileError.malformed(url.path, "bad magic") }
        func u32(_ o: Int) -> Int { Int(UInt32(bytes[o]) | UInt32(bytes[o + 1]) << 8 | UInt32(bytes[o + 2]) << 16 | UInt32(bytes[o + 3]) << 24) }
        let dMax = u32(8), users = u32(12), items = u32(16)
        guard dMax >= 1, dMax <= 255, bytes.count == 20 + users + items else {
            throw SizeVectorFileError.malformed(url.path, "expected \(20 + users + items) bytes, found \(bytes.count)")
        }
        let u = Array(bytes[20..<(20 + users)]), i = Array(bytes[(20 + users)...])
        guard (u + i).allSatisfy({ $0 >= 1 && Int($0) <= dMax }) else {
            throw SizeVectorFileError.malformed(url.path, "a size lies outside 1...\(dMax)")
        }
        return EmbeddingSizes(users: u, items: i, dMax: dMax)
    }
}

public enum SizeVectorFileError: Error, CustomStringConvertible, Equatable {
    case unreadable(String)
    case malformed(String, String)
    public var description: String {
        switch self {
        case .unreadable(let p): return "\(p): cannot read the size vector"
        case .malformed(let p, let why): return "\(p): not a size vector file (\(why))"
        }
    }
}
