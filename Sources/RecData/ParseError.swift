/// A malformed input file. Its description is `file:line: what was expected` (line is 1-based;
/// line 0 means the file as a whole, e.g. an empty file), so an editor can jump to the spot.
public struct ParseError: Error, CustomStringConvertible, Equatable, Sendable {
    public let file: String
    public let line: Int
    public let message: String

    public init(file: String, line: Int, message: String) {
        self.file = file
        self.line = line
        self.message = message
    }

    public var description: String { "\(file):\(line): \(message)" }
}
