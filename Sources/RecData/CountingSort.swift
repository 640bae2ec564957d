/// Stable counting sort on small integer keys, O(n + keyCount).
///
/// The split and its digest need "by user, then by item" orders of a million rows; two stable
/// counting passes (item first, then user) give that without comparison sorts, which matters in
/// debug builds, where the standard library's generic sort runs unoptimised.
enum CountingSort {
    /// `indices` reordered stably by `keys[index]`; every key must be in `0..<keyCount`.
    static func stableOrder(_ indices: [Int], by keys: [Int32], keyCount: Int) -> [Int] {
        var start = [Int](repeating: 0, count: keyCount + 1)
        var out = [Int](repeating: 0, count: indices.count)
        indices.withUnsafeBufferPointer { idx in
            keys.withUnsafeBufferPointer { key in
                start.withUnsafeMutableBufferPointer { start in
                    var k = 0
                    while k < idx.count { start[Int(key[idx[k]]) + 1] += 1; k += 1 }
                    var c = 0
                    while c < keyCount { start[c + 1] += start[c]; c += 1 }
                    out.withUnsafeMutableBufferPointer { out in
                        k = 0
                        while k < idx.count {
                            let i = idx[k]
                            let b = Int(key[i])
                            out[start[b]] = i
                            start[b] += 1
                            k += 1
                        }
                    }
                }
            }
        }
        return out
    }

    /// The rank of each value in ascending order (`values` distinct): `rank[i]` = position of `values[i]`.
    static func ranks(_ values: [Int64]) -> [Int32] {
        let order = values.indices.sorted { values[$0] < values[$1] }
        var rank = [Int32](repeating: 0, count: values.count)
        for (k, i) in order.enumerated() { rank[i] = Int32(k) }
        return rank
    }
}
