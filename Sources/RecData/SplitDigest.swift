import Crypto

/// A machine-independent fingerprint of a split, so two machines can compare splits by one string.
///
/// Definition: SHA-256 (hex) of the ASCII tag `ciess-split-v2\n`, the UTF-8 line
/// `source order: <sourceOrder>\n` (how the raw rows were ordered before the split,
/// `SplitDataset.sourceOrder`), then one 17-byte record per interaction: raw user id (Int64,
/// little-endian), raw item id (Int64, little-endian), role (UInt8: 0 TRAIN, 1 VAL, 2 TEST);
/// records sorted by raw user, then raw item (numerically). Beyond the source order it depends only
/// on which raw pair went to which role, not on the internal numbering. Each (user, item) pair must
/// occur once over the three parts.
public enum SplitDigest {
    public static func compute(userRawIds: [Int64], itemRawIds: [Int64],
                               train: UserItemLists, valid: UserItemLists, test: UserItemLists,
                               sourceOrder: String) -> String {
        // Flatten to (user, item, role) arrays, then order by raw item and stably by raw user.
        let n = train.interactionCount + valid.interactionCount + test.interactionCount
        var users = [Int32](), items = [Int32](), roles = [UInt8]()
        users.reserveCapacity(n); items.reserveCapacity(n); roles.reserveCapacity(n)
        for (role, part) in [(UInt8(0), train), (1, valid), (2, test)] {
            for u in 0..<part.userCount {
                for k in part.offsets[u]..<part.offsets[u + 1] {
                    users.append(Int32(u)); items.append(part.items[k]); roles.append(role)
                }
            }
        }
        let userRank = CountingSort.ranks(userRawIds), itemRank = CountingSort.ranks(itemRawIds)
        let byItem = CountingSort.stableOrder(Array(0..<n), by: items.map { itemRank[Int($0)] }, keyCount: itemRawIds.count)
        let order = CountingSort.stableOrder(byItem, by: users.map { userRank[Int($0)] }, keyCount: userRawIds.count)

        var hasher = SHA256()
        hasher.update(data: Array("ciess-split-v2\nsource order: \(sourceOrder)\n".utf8))
        var buffer = [UInt8](repeating: 0, count: 17 * 4096)
        var used = 0
        for r in order {
            if used + 17 > buffer.count {
                buffer.withUnsafeBytes { hasher.update(bufferPointer: UnsafeRawBufferPointer(rebasing: $0[0..<used])) }
                used = 0
            }
            let rawUser = userRawIds[Int(users[r])].littleEndian, rawItem = itemRawIds[Int(items[r])].littleEndian
            let role = roles[r]
            buffer.withUnsafeMutableBytes { b in
                b.storeBytes(of: rawUser, toByteOffset: used, as: Int64.self)
                b.storeBytes(of: rawItem, toByteOffset: used + 8, as: Int64.self)
                b[used + 16] = role
            }
            used += 17
        }
        buffer.withUnsafeBytes { hasher.update(bufferPointer: UnsafeRawBufferPointer(rebasing: $0[0..<used])) }
        return hasher.finalize().hex
    }
}
