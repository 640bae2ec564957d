/// A training or evaluation produced a value that is not finite (NaN or ±∞): the stage stops with
/// this error (the harness records failed.json) instead of writing a result computed from it.
///
/// Why a check is needed at all: a NaN embedding ranks nothing, so metrics come out as a finite 0
/// and a diverged run would otherwise look like a poor but valid result.
public struct NonFiniteValueError: Error, Equatable, CustomStringConvertible {
    /// What was not finite, e.g. "the mean BPR loss of chunk 3".
    public var what: String
    public var value: Double
    /// What to try, e.g. "lower the learning rate".
    public var advice: String

    public init(what: String, value: Double, advice: String = "the run diverged; check the learning rate and the input state") {
        self.what = what
        self.value = value
        self.advice = advice
    }

    public var description: String { "\(what) is \(value), not a finite number; stopped without a result (\(advice))" }

    /// Throws unless every value is finite.
    public static func check(_ values: [(String, Double)], advice: String? = nil) throws {
        for (what, v) in values where !v.isFinite {
            throw advice.map { NonFiniteValueError(what: what, value: v, advice: $0) } ?? NonFiniteValueError(what: what, value: v)
        }
    }
}
