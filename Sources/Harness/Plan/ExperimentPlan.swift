import Foundation

/// A profile expanded into stages: the search stages and the retrain cells that consume them,
/// deduplicated across tables and figures.
///
/// Dedupe rules: Table 2's g-rw search is Table 1's CIESS search; Figure 3 reuses Table 2's g-rw
/// and g-norw searches; Figure 4's default-λ point is the g-rw search (no "-l" suffix); Figure 5
/// reuses the g-rw search (its cells only restrict the candidate pool to one interval).
public struct ExperimentPlan: Sendable {
    public let profileName: String
    public let profile: ExperimentProfile
    /// Sorted by id.
    public let searches: [SearchID]
    /// Retrain cells with rules, sorted by id.
    public let cells: [CellID]
    /// Which tables/figures ("table-1", "table-2", "figure-3" … "figure-6") use each stage id.
    public let uses: [String: Set<String>]

    public static let artifacts = ["table-1", "table-2", "figure-3", "figure-4", "figure-5", "figure-6"]

    public init(profileName: String, profile p: ExperimentProfile) {
        var builder = Builder()
        Self.addTable1(p, &builder)
        Self.addTable2(p, &builder)
        Self.addFigure3(p, &builder)
        Self.addFigure4(p, &builder)
        Self.addFigure5(p, &builder)
        self.profileName = profileName
        self.profile = p
        searches = builder.searches.sorted()
        cells = builder.cells.sorted()
        uses = builder.uses
    }

    // MARK: - Lookups

    public func isPlanned(_ id: StageID) -> Bool {
        switch id {
        case .search(let s): return searches.contains(s)
        case .cell(let c): return cells.contains(c)
        }
    }

    /// Where a P-code cell's K* comes from (docs/method.md §4.5: TEST after exactly K* chunks, K* from the
    /// full-size pretraining): the pretraining of the dataset × backbone's reference CIESS search (g-rw,
    /// the first CIESS seed), shared by every method so that all read TEST after the same number of
    /// chunks. nil under P-clean, or when the profile plans no such search (the number is then not recorded).
    public func fixedChunkSource(_ c: CellID) -> SearchID? {
        guard c.finalProtocol == "code", let seed = profile.seeds(for: "ciess").first else { return nil }
        let s = SearchID(dataset: c.dataset, backbone: c.backbone, method: "ciess", variant: Self.gRW, seed: seed)
        return searches.contains(s) ? s : nil
    }

    /// The search stages a cell reads: its own search, and for P-code the K* source when that is another search.
    public func prerequisites(_ c: CellID) -> [SearchID] {
        [c.search] + (fixedChunkSource(c).map { $0 == c.search ? [] : [$0] } ?? [])
    }

    /// Stages used by one artifact (searches first), for the per-table make targets.
    public func stages(for artifact: String) -> [StageID] {
        searches.filter { uses[$0.description]?.contains(artifact) == true }.map(StageID.search)
            + cells.filter { uses[$0.description]?.contains(artifact) == true }.map(StageID.cell)
    }

    /// The episodes of Figure 5's interval k (1-based): M/n consecutive episodes.
    public func episodes(ofInterval k: Int) -> ClosedRange<Int> {
        let width = profile.ciess.episodes / profile.figure5.intervals
        return ((k - 1) * width)...(k * width - 1)
    }

    // MARK: - Expansion

    struct Builder {
        var searches: Set<SearchID> = []
        var cells: Set<CellID> = []
        var uses: [String: Set<String>] = [:]

        mutating func add(search s: SearchID, for artifact: String) {
            searches.insert(s)
            uses[s.description, default: []].insert(artifact)
        }

        mutating func add(cell c: CellID, for artifacts: [String]) {
            cells.insert(c)
            add(search: c.search, for: artifacts[0])
            for a in artifacts {
                uses[c.description, default: []].insert(a)
                uses[c.search.description, default: []].insert(a)
            }
        }
    }

    static let gRW = SearchVariant(noise: "g", randomWalk: true)

    static func addTable1(_ p: ExperimentProfile, _ b: inout Builder) {
        for d in p.datasets {
            for bb in p.table1Backbones(dataset: d) {
                for m in p.methods {
                    let variant = m == "ciess" ? gRW : .fixed
                    let targets: [Double?] = GridVocabulary.uncontrolledMethods.contains(m) ? [nil] : p.budgets
                    for seed in p.seeds(for: m) {
                        for c in targets {
                            for proto in p.table1.protocols {
                                b.add(cell: CellID(dataset: d, backbone: bb, method: m, searchVariant: variant, target: c,
                                                   seed: seed, finalProtocol: proto), for: ["table-1", "figure-6"])
                            }
                        }
                    }
                }
            }
        }
    }

    static func addTable2(_ p: ExperimentProfile, _ b: inout Builder) {
        for d in p.datasets {
            for bb in p.table2.backbones {
                for v in p.table2.variants.compactMap(SearchVariant.init(parsing:)) {
                    for seed in p.seeds(for: "ciess") {
                        for c in p.budgets {
                            for proto in p.table2.protocols {
                                b.add(cell: CellID(dataset: d, backbone: bb, method: "ciess", searchVariant: v, target: c,
                                                   seed: seed, finalProtocol: proto), for: ["table-2"])
                            }
                        }
                    }
                }
            }
        }
    }

    static func addFigure3(_ p: ExperimentProfile, _ b: inout Builder) {
        for d in p.datasets {
            for bb in p.figure3.backbones {
                for v in p.figure3.variants.compactMap(SearchVariant.init(parsing:)) {
                    for seed in p.seeds(for: "ciess") {
                        b.add(search: SearchID(dataset: d, backbone: bb, method: "ciess", variant: v, seed: seed), for: "figure-3")
                    }
                }
            }
        }
    }

    static func addFigure4(_ p: ExperimentProfile, _ b: inout Builder) {
        for d in p.datasets {
            for bb in p.figure4.backbones {
                for lambda in p.figure4.lambdas[d] ?? [] {
                    let isDefault = abs(lambda - p.defaultLambda(dataset: d)) < 1e-9
                    let v = SearchVariant(noise: "g", randomWalk: true, lambda: isDefault ? nil : lambda)
                    for seed in p.seeds(for: "ciess") {
                        for c in p.budgets {
                            for proto in p.figure4.protocols {
                                b.add(cell: CellID(dataset: d, backbone: bb, method: "ciess", searchVariant: v, target: c,
                                                   seed: seed, finalProtocol: proto), for: ["figure-4"])
                            }
                        }
                    }
                }
            }
        }
    }

    static func addFigure5(_ p: ExperimentProfile, _ b: inout Builder) {
        for d in p.datasets {
            for bb in p.figure5.backbones {
                for k in 1...p.figure5.intervals {
                    for seed in p.seeds(for: "ciess") {
                        for c in p.budgets {
                            for proto in p.figure5.protocols {
                                b.add(cell: CellID(dataset: d, backbone: bb, method: "ciess", searchVariant: gRW, interval: k,
                                                   target: c, seed: seed, finalProtocol: proto), for: ["figure-5"])
                            }
                        }
                    }
                }
            }
        }
    }
}
