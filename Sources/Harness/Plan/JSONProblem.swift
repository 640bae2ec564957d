import Foundation

/// Where a JSON text that a typed decoder rejected without a field path goes wrong, in words a person
/// can act on: a syntax error by line and column, or the first number that fits no count, seed or size
/// (negative or fractional where a non-negative integer is expected).
enum JSONProblem {
    static func locate(_ data: Data) -> String? {
        let object: Any
        do { object = try JSONSerialization.jsonObject(with: data) } catch {
            let text = ((error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String) ?? ""
            guard let range = text.range(of: #"character (\d+)"#, options: .regularExpression),
                  let offset = Int(text[range].dropFirst("character ".count)) else { return "not valid JSON" }
            let (line, column) = lineAndColumn(data, offset: offset)
            return "not valid JSON: syntax error at line \(line), column \(column)"
        }
        return firstNonCount(object, path: "")
    }

    /// 1-based line and column of a byte offset.
    static func lineAndColumn(_ data: Data, offset: Int) -> (Int, Int) {
        var line = 1, column = 1
        for b in data.prefix(offset) {
            if b == UInt8(ascii: "\n") { line += 1; column = 1 } else { column += 1 }
        }
        return (line, column)
    }

    /// Seeds, counts and sizes are non-negative integers: the first number under a key of that kind that is not.
    static func firstNonCount(_ value: Any, path: String, inCountField: Bool = false) -> String? {
        if let dict = value as? [String: Any] {
            for key in dict.keys.sorted() {
                let counting = inCountField || ["seeds", "method_seeds", "episodes", "iterations", "batch_size", "threads_per_cell",
                                                 "chunk_batches", "patience", "max_chunks", "candidates", "intervals"].contains(key)
                if let p = firstNonCount(dict[key]!, path: path.isEmpty ? key : "\(path).\(key)", inCountField: counting) { return p }
            }
        } else if let array = value as? [Any] {
            for (k, v) in array.enumerated() {
                if let p = firstNonCount(v, path: "\(path)[\(k)]", inCountField: inCountField) { return p }
            }
        } else if inCountField, !(value is Bool), let n = value as? NSNumber {
            let d = n.doubleValue
            if d < 0 || d != d.rounded() { return "field '\(path)' is \(n): it must be a non-negative integer" }
        }
        return nil
    }
}
