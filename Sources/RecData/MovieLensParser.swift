import Foundation

/// Parser for MovieLens `::`-separated interaction files.
///
/// Accepted lines: `UserID::MovieID::Rating::Timestamp` (the official `ratings.dat`) or
/// `UserID::MovieID` (the offline mirror's `interactions.dat`). All fields are non-negative
/// decimal integers (at most 18 digits). The first line fixes the field count (2 or 4) for the
/// whole file. Line ends are `\n`; a `\r` before it (CRLF) is accepted and ignored, because it
/// cannot change the meaning of an integer field. Trailing blank lines are allowed, blank lines
/// elsewhere are not. An empty file is an error (a dataset with no interactions is never meant).
/// Rows are returned in file order, ratings and timestamps are checked but not kept (every
/// rating counts as a positive interaction, docs/method.md §4.1).
public enum MovieLensParser: InteractionFileParser {
    public static let expectation = "expected 'UserID::MovieID[::Rating::Timestamp]' with integer ids"

    public static func parse(_ raw: UnsafeRawBufferPointer, fileName: String) throws -> RawInteractions {
        let count = raw.count
        let p = try nonEmptyBytes(raw, fileName: fileName)
        var users: [Int64] = [], items: [Int64] = []
        users.reserveCapacity(count / 10)
        items.reserveCapacity(count / 10)
        var fieldCount = 0
        var fields = (Int64(0), Int64(0), Int64(0), Int64(0))
        try LineScanner.forEachLine(p, count) { line, start, end in
            var n = 0
            var fieldStart = start
            var k = start
            var ok = true
            while ok {
                let atSep = k + 1 < end && p[k] == 58 && p[k + 1] == 58
                if k == end || atSep {
                    guard n < 4, let v = LineScanner.nonNegativeInteger(p, fieldStart, k) else { ok = false; break }
                    switch n { case 0: fields.0 = v; case 1: fields.1 = v; case 2: fields.2 = v; default: fields.3 = v }
                    n += 1
                    if k == end { break }
                    k += 2
                    fieldStart = k
                } else {
                    k += 1
                }
            }
            if fieldCount == 0 && ok && (n == 2 || n == 4) { fieldCount = n }
            guard ok, n == fieldCount else {
                let what = fieldCount == 0 || !ok || n == 0
                    ? "" : " (\(fieldCount) fields like line 1)"
                throw ParseError(file: fileName, line: line,
                                 message: "\(expectation)\(what), got '\(LineScanner.excerpt(p, start, end))'")
            }
            users.append(fields.0)
            items.append(fields.1)
        }
        return RawInteractions(users: users, items: items)
    }
}
