import Foundation

/// Writes a split as three TSV files with RAW ids: `train.tsv`, `valid.tsv`, `test.tsv`, each line
/// `user<TAB>item\n`, sorted numerically by raw user then raw item, each written atomically.
/// Meant for comparing splits with other implementations (e.g. the authors' pandas code).
public enum SplitExport {
    public static func writeTSV(_ d: SplitDataset, to directory: URL) throws -> [URL] {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let userOrder = d.userRawIds.indices.sorted { d.userRawIds[$0] < d.userRawIds[$1] }
        var written: [URL] = []
        for (fileName, part) in [("train.tsv", d.train), ("valid.tsv", d.valid), ("test.tsv", d.test)] {
            var text: [UInt8] = []
            text.reserveCapacity(part.interactionCount * 14)
            var rawItems: [Int64] = []
            for u in userOrder {
                rawItems.removeAll(keepingCapacity: true)
                for i in part.items(of: u) { rawItems.append(d.itemRawIds[Int(i)]) }
                rawItems.sort()
                let userText = Array(String(d.userRawIds[u]).utf8)
                for item in rawItems {
                    text += userText
                    text.append(9)
                    text += Array(String(item).utf8)
                    text.append(10)
                }
            }
            let url = directory.appendingPathComponent(fileName)
            try AtomicFile.write(Data(text), to: url)
            written.append(url)
        }
        return written
    }
}
