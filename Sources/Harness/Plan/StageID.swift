import Foundation

/// The id of a search stage: "<dataset>/<backbone>/<method>/<searchVariant>/seed<N>/search";
/// its directory is `results/<P>/search/<same path without the trailing "/search">`.
public struct SearchID: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var dataset: String
    public var backbone: String
    public var method: String
    public var variant: SearchVariant
    public var seed: UInt64

    public init(dataset: String, backbone: String, method: String, variant: SearchVariant, seed: UInt64) {
        self.dataset = dataset
        self.backbone = backbone
        self.method = method
        self.variant = variant
        self.seed = seed
    }

    /// The stage directory below `results/<P>/search/`.
    public var path: String { "\(dataset)/\(backbone)/\(method)/\(variant)/seed\(seed)" }
    public var description: String { "\(path)/search" }
    public static func < (a: SearchID, b: SearchID) -> Bool { a.description < b.description }
}

/// The id of a retrain cell: "<dataset>/<backbone>/<method>/<variant>/<cTag>/seed<N>/<protocol>",
/// its directory below `results/<P>/cells/`. `variant` is the search variant, plus "-i<k>" for
/// Figure 5's interval pools (k = 1…intervals); cTag is "c0.90" (%.2f) or "cnone".
public struct CellID: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var dataset: String
    public var backbone: String
    public var method: String
    public var searchVariant: SearchVariant
    /// Figure 5's interval (1-based), nil for the whole search.
    public var interval: Int?
    public var target: Double?
    public var seed: UInt64
    public var finalProtocol: String

    public init(dataset: String, backbone: String, method: String, searchVariant: SearchVariant, interval: Int? = nil,
                target: Double?, seed: UInt64, finalProtocol: String) {
        self.dataset = dataset
        self.backbone = backbone
        self.method = method
        self.searchVariant = searchVariant
        self.interval = interval
        self.target = target
        self.seed = seed
        self.finalProtocol = finalProtocol
    }

    public var variant: String { interval.map { "\(searchVariant)-i\($0)" } ?? searchVariant.description }
    public var cTag: String { target.map { String(format: "c%.2f", $0) } ?? "cnone" }
    public var description: String { "\(dataset)/\(backbone)/\(method)/\(variant)/\(cTag)/seed\(seed)/\(finalProtocol)" }
    /// The search this cell retrains from.
    public var search: SearchID { SearchID(dataset: dataset, backbone: backbone, method: method, variant: searchVariant, seed: seed) }
    public static func < (a: CellID, b: CellID) -> Bool { a.description < b.description }
}

/// Either kind of stage id, as `ciess run --cell` accepts it.
public enum StageID: Sendable, Hashable, CustomStringConvertible {
    case search(SearchID)
    case cell(CellID)

    public var description: String {
        switch self {
        case .search(let s): return s.description
        case .cell(let c): return c.description
        }
    }

    /// The log file name: the id with "/" replaced by "__".
    public var logName: String { description.replacingOccurrences(of: "/", with: "__") + ".log" }

    /// Parses an id; the error says which component is wrong and what the shape should be.
    public static func parse(_ text: String) throws -> StageID {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        let shapes = "a cell id <dataset>/<backbone>/<method>/<variant>/c<0.xx>|cnone/seed<N>/clean|code "
            + "or a search id <dataset>/<backbone>/<method>/<variant>/seed<N>/search"
        func bad(_ why: String) -> StageIDError { .malformed(text, "\(why); expected \(shapes)") }
        guard parts.count == 6 || parts.count == 7 else { throw bad("it has \(parts.count) components") }
        let (dataset, backbone, method) = (parts[0], parts[1], parts[2])
        guard GridVocabulary.datasets.contains(dataset) else {
            throw bad("unknown dataset '\(dataset)' (valid: \(GridVocabulary.datasets.joined(separator: ", ")))")
        }
        guard GridVocabulary.backbones.contains(backbone) else {
            throw bad("unknown backbone '\(backbone)' (valid: \(GridVocabulary.backbones.joined(separator: ", ")))")
        }
        guard GridVocabulary.methods.contains(method) else {
            throw bad("unknown method '\(method)' (valid: \(GridVocabulary.methods.joined(separator: ", ")))")
        }
        if parts.count == 6 && parts[5] != "search" { throw bad("a 6-component id must end in 'search'") }
        let seedPart = parts.count == 6 ? parts[4] : parts[5]
        guard seedPart.hasPrefix("seed"), let seed = UInt64(seedPart.dropFirst(4)), "seed\(seed)" == seedPart else {
            throw bad("'\(seedPart)' is not seed<N>")
        }
        if parts.count == 6 {
            guard let v = SearchVariant(parsing: parts[3]) else { throw bad("unknown search variant '\(parts[3])'") }
            try checkVariantFits(method: method, variant: v, bad)
            return .search(SearchID(dataset: dataset, backbone: backbone, method: method, variant: v, seed: seed))
        }
        let (variantText, interval) = try splitInterval(parts[3], bad)
        guard let v = SearchVariant(parsing: variantText) else { throw bad("unknown variant '\(parts[3])'") }
        try checkVariantFits(method: method, variant: v, bad)
        if interval != nil && method != "ciess" { throw bad("only ciess cells have interval variants (-i<k>)") }
        let target: Double?
        if parts[4] == "cnone" {
            target = nil
        } else {
            guard parts[4].hasPrefix("c"), let c = Double(parts[4].dropFirst()), c > 0, c < 1,
                  String(format: "c%.2f", c) == parts[4] else { throw bad("'\(parts[4])' is not c<0.xx> or cnone") }
            target = c
        }
        let uncontrolled = GridVocabulary.uncontrolledMethods.contains(method)
        if uncontrolled != (target == nil) {
            throw bad(uncontrolled ? "\(method) is uncontrolled and takes cnone" : "\(method) needs a budget c<0.xx>, not cnone")
        }
        guard GridVocabulary.protocols.contains(parts[6]) else { throw bad("unknown protocol '\(parts[6])' (valid: clean, code)") }
        return .cell(CellID(dataset: dataset, backbone: backbone, method: method, searchVariant: v, interval: interval,
                            target: target, seed: seed, finalProtocol: parts[6]))
    }

    static func splitInterval(_ text: String, _ bad: (String) -> StageIDError) throws -> (String, Int?) {
        guard let r = text.range(of: "-i", options: .backwards) else { return (text, nil) }
        let digits = text[r.upperBound...]
        guard let k = Int(digits), k >= 1, "\(k)" == digits else { throw bad("'\(text)' has a malformed interval suffix -i<k>") }
        return (String(text[..<r.lowerBound]), k)
    }

    static func checkVariantFits(method: String, variant: SearchVariant, _ bad: (String) -> StageIDError) throws {
        if method == "ciess" && variant.noise == nil { throw bad("ciess needs a variant such as g-rw, not 'default'") }
        if method != "ciess" && variant.noise != nil { throw bad("\(method) takes the variant 'default', not '\(variant)'") }
    }
}

public enum StageIDError: Error, CustomStringConvertible, Equatable {
    case malformed(String, String)

    public var description: String {
        switch self {
        case .malformed(let id, let why): return "malformed id '\(id)': \(why)"
        }
    }
}
