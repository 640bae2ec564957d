import Foundation

/// How a training run gets its `EmbeddingSizes`, as written on the command line:
/// `full` (every size = dMax), `equal:D` (every size = D, 1 ≤ D ≤ dMax), or `file:PATH`
/// (a JSON object `{"dMax": 128, "users": [...], "items": [...]}`, one size per entity in the
/// dataset's contiguous id order, or a binary size vector as `ciess search` writes them,
/// see `SizeVectorFile`).
public enum SizesSpec: Sendable, Equatable, Codable, CustomStringConvertible {
    case full
    case equal(Int)
    case file(String)

    public init(parsing text: String) throws {
        if text == "full" { self = .full; return }
        if text.hasPrefix("equal:") {
            guard let d = Int(text.dropFirst(6)), d >= 1, d <= 128 else {
                throw SizesSpecError.invalid("'\(text)': equal:D needs an integer D in 1...128")
            }
            self = .equal(d)
            return
        }
        if text.hasPrefix("file:"), text.count > 5 { self = .file(String(text.dropFirst(5))); return }
        throw SizesSpecError.invalid("'\(text)': expected full, equal:D (1 ≤ D ≤ 128) or file:PATH")
    }

    public var description: String {
        switch self {
        case .full: return "full"
        case .equal(let d): return "equal:\(d)"
        case .file(let p): return "file:\(p)"
        }
    }

    /// The sizes for a dataset of `userCount` users and `itemCount` items.
    public func resolve(userCount: Int, itemCount: Int, dMax: Int = 128) throws -> EmbeddingSizes {
        switch self {
        case .full: return .full(userCount: userCount, itemCount: itemCount, dMax: dMax)
        case .equal(let d): return .uniform(userCount: userCount, itemCount: itemCount, size: d, dMax: dMax)
        case .file(let path): return try Self.load(path: path, userCount: userCount, itemCount: itemCount, dMax: dMax)
        }
    }

    static func load(path: String, userCount: Int, itemCount: Int, dMax: Int) throws -> EmbeddingSizes {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw SizesSpecError.invalid("\(path): cannot read the sizes file")
        }
        if SizeVectorFile.hasMagic(data) {
            let s = try SizeVectorFile.read(URL(fileURLWithPath: path))
            guard s.dMax == dMax, s.users.count == userCount, s.items.count == itemCount else {
                throw SizesSpecError.invalid("\(path): has \(s.users.count) user and \(s.items.count) item sizes at dMax \(s.dMax), the run needs \(userCount), \(itemCount) at \(dMax)")
            }
            return s
        }
        struct Numbers: Decodable { var dMax: Double?; var users: [Double]; var items: [Double] }
        let numbers: Numbers
        do { numbers = try JSONDecoder().decode(Numbers.self, from: data) } catch {
            throw SizesSpecError.invalid("\(path): expected a JSON object {\"dMax\": 128, \"users\": [...], \"items\": [...]}")
        }
        for (name, list) in [("users", numbers.users), ("items", numbers.items)] {
            if let k = list.firstIndex(where: { $0 != $0.rounded() || abs($0) > 1e9 }) {
                throw SizesSpecError.invalid("\(path): \(name)[\(k)] is \(list[k]), not a whole number; every size must be a whole number in 1...\(dMax)")
            }
        }
        struct Raw { var dMax: Int?; var users: [Int]; var items: [Int] }
        let raw = Raw(dMax: numbers.dMax.map { Int($0) }, users: numbers.users.map { Int($0) }, items: numbers.items.map { Int($0) })
        if let d = raw.dMax, d != dMax {
            throw SizesSpecError.invalid("\(path): dMax is \(d), this run uses \(dMax)")
        }
        guard raw.users.count == userCount, raw.items.count == itemCount else {
            throw SizesSpecError.invalid("\(path): has \(raw.users.count) user and \(raw.items.count) item sizes, the dataset has \(userCount) users and \(itemCount) items")
        }
        if let bad = (raw.users + raw.items).first(where: { $0 < 1 || $0 > dMax }) {
            throw SizesSpecError.invalid("\(path): size \(bad) is outside 1...\(dMax)")
        }
        return EmbeddingSizes(users: raw.users.map { UInt8($0) }, items: raw.items.map { UInt8($0) }, dMax: dMax)
    }
}

extension SizesSpec {
    /// Encoded as its command-line form (`"equal:25"`), so results read like the command that made them.
    public init(from decoder: Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        do { try self.init(parsing: text) } catch {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "\(error)"))
        }
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(description)
    }
}

public enum SizesSpecError: Error, CustomStringConvertible, Equatable {
    case invalid(String)
    public var description: String {
        switch self { case .invalid(let s): return s }
    }
}
