/// Everything that can go wrong in the data pipeline besides a malformed line (`ParseError`).
/// Each case's description is one sentence naming the file and what was expected.
public enum DataError: Error, CustomStringConvertible, Equatable, Sendable {
    /// A file's size or digest differs from the manifest. The copy was deleted.
    case integrity(file: String, check: String, expected: String, actual: String)
    /// No source (cache, mirror, download) could provide the file.
    case unavailable(file: String, tried: [String])
    /// The manifest is missing, unreadable or inconsistent.
    case manifest(file: String, problem: String)
    /// The dataset name is not in the manifest.
    case unknownDataset(name: String, known: [String])
    /// Counts after preprocessing differ from the manifest's expected counts.
    case statistics(dataset: String, mismatches: [String])
    /// An external tool (curl, unzip) failed.
    case tool(command: String, status: Int32, stderr: String)
    /// Reading or writing a file failed.
    case io(file: String, problem: String)

    public var description: String {
        switch self {
        case let .integrity(file, check, expected, actual):
            return "\(file): \(check) mismatch: expected \(expected), actual \(actual); the copy was deleted"
        case let .unavailable(file, tried):
            return "\(file): not available from any source; tried: \(tried.joined(separator: "; "))"
        case let .manifest(file, problem):
            return "\(file): invalid manifest: \(problem)"
        case let .unknownDataset(name, known):
            return "unknown dataset '\(name)'; valid names are: \(known.joined(separator: ", "))"
        case let .statistics(dataset, mismatches):
            return "\(dataset): statistics differ from the manifest: \(mismatches.joined(separator: "; "))"
        case let .tool(command, status, stderr):
            return "'\(command)' failed with status \(status): \(stderr)"
        case let .io(file, problem):
            return "\(file): \(problem)"
        }
    }
}
