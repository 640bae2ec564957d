/// The three parts of the per-user split. Raw values are the on-disk codes (split digest, cache).
public enum SplitRole: UInt8, Sendable, CaseIterable, Codable {
    case train = 0
    case valid = 1
    case test = 2

    public var name: String {
        switch self {
        case .train: "train"
        case .valid: "valid"
        case .test: "test"
        }
    }
}
