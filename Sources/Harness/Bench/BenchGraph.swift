import Crypto
import Foundation
import RecData

/// A benchmark graph in the reference's `--dump-graph` form: `train.txt` and `test.txt`
/// (`user item item …`, 0-based ids) and `graph.json` (users, items, graph_sha256).
///
/// `digest` is computed as the reference defines it — the first 16 hex digits of SHA-256 over
/// int64 little-endian `[U, I]`, the sorted training keys `u·I + i`, then the sorted held-out keys —
/// and loading fails if it differs from `graph.json`, so both implementations time the same graph.
public struct BenchGraph: Sendable {
    public let name: String
    public let train: UserItemLists
    public let heldOut: UserItemLists
    public let digest: String

    public var userCount: Int { train.userCount }
    public var itemCount: Int { train.itemCount }

    public init(directory: URL) throws {
        let meta = directory.appendingPathComponent("graph.json")
        guard let data = try? Data(contentsOf: meta),
              let obj = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let users = obj["users"] as? Int, let items = obj["items"] as? Int,
              let expected = obj["graph_sha256"] as? String else {
            throw BenchGraphError.metadata(meta.path)
        }
        name = obj["shape"] as? String ?? directory.lastPathComponent
        train = try Self.lists(directory.appendingPathComponent("train.txt"), users: users, items: items)
        heldOut = try Self.lists(directory.appendingPathComponent("test.txt"), users: users, items: items)
        digest = Self.digest(train: train, heldOut: heldOut)
        guard digest == expected else {
            throw BenchGraphError.digestMismatch(directory.path, expected: expected, actual: digest)
        }
    }

    static func lists(_ url: URL, users: Int, items: Int) throws -> UserItemLists {
        let raw = try AdjacencyListParser.parse(contentsOf: url)
        var perUser = [[Int32]](repeating: [], count: users)
        for k in 0..<raw.count {
            let u = raw.users[k], i = raw.items[k]
            guard u < users, i < items else { throw BenchGraphError.idOutOfRange(url.path, user: u, item: i) }
            perUser[Int(u)].append(Int32(i))
        }
        return UserItemLists(userCount: users, itemCount: items, lists: perUser)
    }

    /// The reference's `Graph.digest()`.
    public static func digest(train: UserItemLists, heldOut: UserItemLists) -> String {
        var h = SHA256()
        func put(_ v: Int64) { withUnsafeBytes(of: v.littleEndian) { h.update(bufferPointer: $0) } }
        put(Int64(train.userCount))
        put(Int64(train.itemCount))
        for lists in [train, heldOut] {
            // Keys u·I + i are ascending because users ascend and items ascend within a user.
            var buf: [Int64] = []
            buf.reserveCapacity(lists.interactionCount)
            for u in 0..<lists.userCount {
                for i in lists.items(of: u) { buf.append((Int64(u) * Int64(lists.itemCount) + Int64(i)).littleEndian) }
            }
            buf.withUnsafeBytes { h.update(bufferPointer: $0) }
        }
        return String(h.finalize().hex.prefix(16))
    }
}

public enum BenchGraphError: Error, CustomStringConvertible {
    case metadata(String)
    case digestMismatch(String, expected: String, actual: String)
    case idOutOfRange(String, user: Int64, item: Int64)

    public var description: String {
        switch self {
        case .metadata(let p): return "\(p): expected a JSON object with users, items and graph_sha256"
        case .digestMismatch(let d, let e, let a):
            return "\(d): graph_sha256 is \(a) but graph.json says \(e); re-export the graph (make bench does)"
        case .idOutOfRange(let p, let u, let i): return "\(p): pair (\(u), \(i)) is outside the users/items of graph.json"
        }
    }
}
