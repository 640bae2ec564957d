import Foundation

/// What the interaction-file parsers share: reading a file (memory-mapped) or `Data` and handing
/// its bytes to the format's own `parse(_:fileName:)`, and the empty-file check every format makes.
public protocol InteractionFileParser {
    /// The sentence that follows `file:line:` when a line does not parse.
    static var expectation: String { get }
    static func parse(_ raw: UnsafeRawBufferPointer, fileName: String) throws -> RawInteractions
}

extension InteractionFileParser {
    public static func parse(contentsOf url: URL, displayName: String? = nil) throws -> RawInteractions {
        let data: Data
        do { data = try Data(contentsOf: url, options: .alwaysMapped) } catch {
            throw DataError.io(file: url.path, problem: "cannot read: \(error)")
        }
        return try parse(data, fileName: displayName ?? url.lastPathComponent)
    }

    public static func parse(_ data: Data, fileName: String) throws -> RawInteractions {
        try data.withUnsafeBytes { try parse($0, fileName: fileName) }
    }

    /// The bytes of a file that holds at least one non-blank line, or `file:0: <expectation>, got an empty file`.
    static func nonEmptyBytes(_ raw: UnsafeRawBufferPointer, fileName: String) throws -> UnsafePointer<UInt8> {
        guard raw.count > 0, let base = raw.baseAddress,
              !LineScanner.onlyLineBreaks(base.assumingMemoryBound(to: UInt8.self), 0, raw.count) else {
            throw ParseError(file: fileName, line: 0, message: "\(expectation), got an empty file")
        }
        return base.assumingMemoryBound(to: UInt8.self)
    }
}
