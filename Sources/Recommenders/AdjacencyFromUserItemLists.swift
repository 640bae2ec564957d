import Linalg
import RecData

extension SymmetricNormalizedAdjacency {
    /// Â of the bipartite graph of a training set (TRAIN, or TRAIN ∪ VAL under P-code).
    public init(train: UserItemLists) {
        self.init(train: UserItemListsView(userCount: train.userCount, itemCount: train.itemCount,
                                           offsets: train.offsets, items: train.items))
    }
}
