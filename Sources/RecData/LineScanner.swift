/// Byte-level helpers shared by the text parsers: line splitting (LF, with an optional CR before
/// it) and non-negative decimal integers. Working on raw bytes keeps a 10 MB file well under
/// half a second; `String.split` over a million lines would not be.
enum LineScanner {
    /// Parses `bytes[start..<end]` as a non-negative decimal integer with 1 to 18 digits (no sign,
    /// no spaces), or returns nil.
    @inline(__always)
    static func nonNegativeInteger(_ p: UnsafePointer<UInt8>, _ start: Int, _ end: Int) -> Int64? {
        let len = end - start
        if len <= 0 || len > 18 { return nil }
        var v: Int64 = 0
        var k = start
        while k < end {
            let d = p[k] &- 48
            if d > 9 { return nil }
            v = v * 10 + Int64(d)
            k += 1
        }
        return v
    }

    /// The text of a line for an error message (at most 80 characters, invalid UTF-8 repaired).
    static func excerpt(_ p: UnsafePointer<UInt8>, _ start: Int, _ end: Int) -> String {
        let cut = min(end, start + 80)
        let s = String(decoding: UnsafeBufferPointer(start: p + start, count: cut - start), as: UTF8.self)
        return cut < end ? s + "…" : s
    }

    /// Whether every byte from `start` on is a line break (`\n` or `\r`): trailing blank lines.
    static func onlyLineBreaks(_ p: UnsafePointer<UInt8>, _ start: Int, _ count: Int) -> Bool {
        var k = start
        while k < count {
            if p[k] != 10 && p[k] != 13 { return false }
            k += 1
        }
        return true
    }

    /// Calls `body(lineNumber, start, end)` for each line (1-based numbers; `end` excludes the
    /// `\n` and one `\r` before it). Stops at the first blank line if only line breaks follow it
    /// (trailing blank lines are allowed); a blank line with content after it is passed on so
    /// that the parser rejects it.
    static func forEachLine(_ p: UnsafePointer<UInt8>, _ count: Int,
                            _ body: (Int, Int, Int) throws -> Void) rethrows {
        var start = 0
        var line = 1
        while start < count {
            var end = start
            while end < count && p[end] != 10 { end += 1 }
            let next = end + 1
            if end > start && p[end - 1] == 13 { end -= 1 }
            if end == start && onlyLineBreaks(p, start, count) { return }
            try body(line, start, end)
            line += 1
            start = next
        }
    }
}
