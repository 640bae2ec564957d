import Foundation

/// The cells of one grid point over seeds (over-budget cells already removed: they never enter a
/// table), plus the seeds whose cell failed.
public struct SeedGroup: Sendable {
    public var key: [String]
    /// Finished cells (ok or not reached), ascending by seed.
    public var cells: [CellResult]
    public var failedSeeds: [UInt64]

    public var okCells: [CellResult] { cells.filter { $0.status == .ok } }
    public var notReachedCells: [CellResult] { cells.filter { $0.status == .notReached } }

    /// "ok" when at least one seed produced metrics, else "not_reached" when a seed found no mask
    /// for the target, else "failed".
    public var status: String {
        if !okCells.isEmpty { return "ok" }
        if !notReachedCells.isEmpty { return CellResult.Status.notReached.rawValue }
        return "failed"
    }

    /// Statistics over the ok seeds of one value of a cell.
    public func statistics(_ value: (CellResult) -> Double?) -> SeedStatistics {
        SeedStatistics(okCells.compactMap(value))
    }

    /// One value per ok seed (for paired tests).
    public func bySeed(_ value: (CellResult) -> Double?) -> [UInt64: Double] {
        var out: [UInt64: Double] = [:]
        for c in okCells { if let v = value(c) { out[c.seed] = v } }
        return out
    }

    /// Groups `cells` (and failed retrain cells) by `key`; a nil key leaves the cell out. Over-budget
    /// cells are dropped. Within a group a seed appears once (the first cell in the given order wins).
    /// Groups are sorted by key, comparing numerically where both components are numbers.
    public static func make(cells: [CellResult], failures: [CellCoordinates] = [],
                            key: (CellCoordinates, CellResult?) -> [String]?) -> [SeedGroup] {
        var groups: [[String]: SeedGroup] = [:]
        var seen: Set<[String]> = []
        for c in cells where c.status != .overBudget {
            guard let k = key(CellCoordinates(c), c), seen.insert(k + ["\(c.seed)"]).inserted else { continue }
            groups[k, default: SeedGroup(key: k, cells: [], failedSeeds: [])].cells.append(c)
        }
        for f in failures {
            guard let k = key(f, nil), seen.insert(k + ["\(f.seed)"]).inserted else { continue }
            groups[k, default: SeedGroup(key: k, cells: [], failedSeeds: [])].failedSeeds.append(f.seed)
        }
        return groups.values.map { g in
            var g = g
            g.cells.sort { $0.seed < $1.seed }
            g.failedSeeds.sort()
            return g
        }.sorted { keyPrecedes($0.key, $1.key) }
    }

    /// Component-wise order: numbers numerically (empty first), other strings by code points.
    public static func keyPrecedes(_ a: [String], _ b: [String]) -> Bool {
        for (x, y) in zip(a, b) where x != y {
            if let dx = Double(x), let dy = Double(y), dx != dy { return dx < dy }
            return Array(x.unicodeScalars.map(\.value)).lexicographicallyPrecedes(y.unicodeScalars.map(\.value))
        }
        return a.count < b.count
    }
}
