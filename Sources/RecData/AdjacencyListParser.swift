import Foundation

/// Parser for LightGCN adjacency-list files (`train.txt`, `test.txt`): one line per user,
/// `user item item …`, fields separated by single spaces, all non-negative decimal integers.
///
/// A line with a user and no items is allowed (it contributes no interaction). Doubled,
/// leading or trailing spaces and tabs are rejected, matching LightGCN's own reader
/// (`line.strip('\n').split(' ')` then `int(...)`, which fails on an empty field). A `\r`
/// before `\n` (CRLF) is accepted and ignored. Trailing blank lines are allowed, blank lines
/// elsewhere are not; an empty file is an error. Pairs are returned in file order: lines in
/// order, items within a line in order.
public enum AdjacencyListParser: InteractionFileParser {
    public static let expectation =
        "expected 'user item item ...' with non-negative integer ids separated by single spaces"

    public static func parse(_ raw: UnsafeRawBufferPointer, fileName: String) throws -> RawInteractions {
        let count = raw.count
        let p = try nonEmptyBytes(raw, fileName: fileName)
        var users: [Int64] = [], items: [Int64] = []
        users.reserveCapacity(count / 5)
        items.reserveCapacity(count / 5)
        try LineScanner.forEachLine(p, count) { line, start, end in
            var fieldStart = start
            var k = start
            var user: Int64 = -1
            while true {
                if k == end || p[k] == 32 {
                    guard let v = LineScanner.nonNegativeInteger(p, fieldStart, k) else {
                        throw ParseError(file: fileName, line: line,
                                         message: "\(expectation), got '\(LineScanner.excerpt(p, start, end))'")
                    }
                    if user < 0 { user = v } else { users.append(user); items.append(v) }
                    if k == end { break }
                    fieldStart = k + 1
                }
                k += 1
            }
        }
        return RawInteractions(users: users, items: items)
    }
}
