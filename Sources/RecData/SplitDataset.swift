/// One dataset after preprocessing and the 50/25/25 per-user split, with contiguous ids.
///
/// Users are `0..<userCount` in ascending raw-id order; items are numbered by first appearance in
/// the TRAIN, VAL, TEST concatenation (docs/method.md §4.1). `userRawIds[u]` / `itemRawIds[i]` map back.
public struct SplitDataset: Sendable, Equatable, Codable {
    public let name: String
    public let userRawIds: [Int64]
    public let itemRawIds: [Int64]
    public let train: UserItemLists
    public let valid: UserItemLists
    public let test: UserItemLists
    /// SHA-256 (hex) of the raw input files, in manifest order, joined by "+".
    public let rawDigest: String
    /// SHA-256 (hex) of the split itself and of `sourceOrder` (see `SplitDigest`).
    public let splitDigest: String
    /// How each raw file's rows were ordered before the split, in manifest order, joined by "; "
    /// (`WithinUserOrder.describe`): "as distributed", or "within-user order restored, seed S".
    public let sourceOrder: String

    public init(name: String, userRawIds: [Int64], itemRawIds: [Int64],
                train: UserItemLists, valid: UserItemLists, test: UserItemLists,
                rawDigest: String, splitDigest: String, sourceOrder: String = "as distributed") {
        self.name = name
        self.userRawIds = userRawIds
        self.itemRawIds = itemRawIds
        self.train = train
        self.valid = valid
        self.test = test
        self.rawDigest = rawDigest
        self.splitDigest = splitDigest
        self.sourceOrder = sourceOrder
    }

    public var userCount: Int { userRawIds.count }
    public var itemCount: Int { itemRawIds.count }
    public var interactionCount: Int { train.interactionCount + valid.interactionCount + test.interactionCount }
}
