import Foundation

/// Stable JSON for results: sorted keys, pretty-printed, snake_case keys (decode with `decoder`).
public enum JSONOutput {
    public static func encode<T: Encodable>(_ value: T) throws -> String {
        String(decoding: try encodeRaw(value), as: UTF8.self)
    }

    public static func encodeRaw<T: Encodable>(_ value: T) throws -> Data {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .prettyPrinted]
        e.keyEncodingStrategy = .convertToSnakeCase
        e.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return try e.encode(value)
    }
}

extension JSONOutput {
    /// The decoder matching `encode` (snake_case keys, non-finite numbers as strings).
    public static var decoder: JSONDecoder {
        let d = JSONDecoder()
        d.keyDecodingStrategy = .convertFromSnakeCase
        d.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return d
    }
}
