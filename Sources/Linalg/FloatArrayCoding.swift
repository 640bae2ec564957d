import Foundation

/// Exact, compact `Codable` form of a `[Float]`: the IEEE-754 bit patterns as little-endian bytes
/// in one `Data` value (base64 in JSON). Decoding gives back the identical bits (NaN payloads
/// included), which checkpoint/resume relies on; a JSON number array would be ~3× larger.
public enum FloatArrayCoding {
    public static func data(_ values: [Float]) -> Data {
        var out = Data(count: values.count * 4)
        out.withUnsafeMutableBytes { raw in
            let p = raw.bindMemory(to: UInt32.self)
            for i in values.indices { p[i] = values[i].bitPattern.littleEndian }
        }
        return out
    }

    public static func floats(_ data: Data) throws -> [Float] {
        guard data.count % 4 == 0 else {
            throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "float blob of \(data.count) bytes"))
        }
        let n = data.count / 4
        var out = [Float](repeating: 0, count: n)
        data.withUnsafeBytes { raw in
            for i in 0..<n {
                out[i] = Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self)))
            }
        }
        return out
    }
}
