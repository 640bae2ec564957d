import Foundation
import SizeSearch

/// The variant name of a search stage: "default" for ES/MR; for CIESS "<noise>-<rw>" or
/// "<noise>-<rw>-l<λ>" (noise g/ou/u, rw rw/norw, λ printed with %g), e.g. "g-rw", "ou-rw",
/// "g-norw", "g-rw-l0.6". No λ suffix means the profile's default λ for the dataset.
public struct SearchVariant: Sendable, Hashable, CustomStringConvertible {
    public var noise: String?
    public var randomWalk: Bool
    public var lambda: Double?

    public static let fixed = SearchVariant(noise: nil, randomWalk: false, lambda: nil)

    public init(noise: String?, randomWalk: Bool, lambda: Double? = nil) {
        self.noise = noise
        self.randomWalk = randomWalk
        self.lambda = lambda
    }

    /// nil when the text is not a valid variant name (including non-canonical λ spellings).
    public init?(parsing text: String) {
        if text == "default" { self = .fixed; return }
        let parts = text.split(separator: "-", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 2 || parts.count == 3, GridVocabulary.noises[parts[0]] != nil,
              ["rw", "norw"].contains(parts[1]) else { return nil }
        noise = parts[0]
        randomWalk = parts[1] == "rw"
        lambda = nil
        if parts.count == 3 {
            guard parts[2].hasPrefix("l"), let l = Double(parts[2].dropFirst()), l >= 0, l.isFinite,
                  Self.format(lambda: l) == String(parts[2].dropFirst()) else { return nil }
            lambda = l
        }
    }

    public var description: String {
        guard let noise else { return "default" }
        let base = "\(noise)-\(randomWalk ? "rw" : "norw")"
        return lambda.map { "\(base)-l\(Self.format(lambda: $0))" } ?? base
    }

    public static func format(lambda: Double) -> String { String(format: "%g", lambda) }

    /// The CIESS noise option of this variant.
    public var noiseOption: CIESSConfig.Noise? { noise.flatMap { GridVocabulary.noises[$0] }.flatMap(CIESSConfig.Noise.init) }
}
