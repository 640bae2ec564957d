import Linalg

/// One OptEmbed architecture: a prefix width per field, (d_U, d_I) ∈ {1..dMax}².
public struct OptEmbedCandidate: Sendable, Codable, Hashable, CustomStringConvertible {
    public var dUser: Int
    public var dItem: Int

    public init(dUser: Int, dItem: Int) {
        self.dUser = dUser
        self.dItem = dItem
    }

    public var description: String { "(\(dUser), \(dItem))" }
}

/// A candidate with its fitness (VAL AVG of the frozen supernet).
public struct OptEmbedScored: Sendable, Codable, Equatable {
    public var candidate: OptEmbedCandidate
    public var fitness: Double
}

/// The evolutionary search of OptEmbed (docs/method.md §3.5) as a resumable value: the population about to be
/// evaluated, the fitness cache, the best candidate ever seen and the random streams.
///
/// `advance` runs one generation: evaluate every member (through the cache, so a candidate is evaluated
/// at most once over the whole search), rank by fitness descending (ties: earlier member first), update the
/// best-ever, then build the next population = top `keep` ⧺ mutants ⧺ crossovers (`OptEmbedEvolutionConfig`).
/// Mutation and crossover build *new* values; a ranked member is never changed. Duplicates are allowed in
/// the population (as in [OE-C]); they cost nothing thanks to the cache.
public struct OptEmbedEvolution: Sendable, Codable, Equatable {
    public let config: OptEmbedEvolutionConfig
    public let dMax: Int
    /// Generations finished.
    public private(set) var generation: Int
    /// The members to evaluate next.
    public private(set) var population: [OptEmbedCandidate]
    /// Every evaluated candidate, in the order of first evaluation.
    public private(set) var evaluated: [OptEmbedScored]
    public private(set) var best: OptEmbedScored?
    var mutationRandom: RandomStream
    var crossoverRandom: RandomStream

    public init(config: OptEmbedEvolutionConfig, dMax: Int, seed: UInt64) {
        precondition(dMax >= 1)
        self.config = config
        self.dMax = dMax
        generation = 0
        evaluated = []
        var initial = RandomStream(seed: seed, purpose: "optembed/evolution/initial")
        population = (0..<config.initialPopulation).map { _ in
            OptEmbedCandidate(dUser: 1 + initial.below(dMax), dItem: 1 + initial.below(dMax))
        }
        mutationRandom = RandomStream(seed: seed, purpose: "optembed/evolution/mutation")
        crossoverRandom = RandomStream(seed: seed, purpose: "optembed/evolution/crossover")
    }

    public var isFinished: Bool { generation >= config.generations }

    /// Tests: replaces the population about to be evaluated.
    mutating func setPopulationForTesting(_ members: [OptEmbedCandidate]) { population = members }

    /// The cached fitness of `c`, if it was evaluated.
    public func cachedFitness(_ c: OptEmbedCandidate) -> Double? { evaluated.first { $0.candidate == c }?.fitness }

    /// What one generation did.
    public struct Generation: Sendable, Codable, Equatable {
        /// 0-based.
        public var generation: Int
        public var populationSize: Int
        /// Candidates evaluated for the first time in this generation.
        public var newEvaluations: Int
        public var best: OptEmbedScored
        public var bestEver: OptEmbedScored
        public var worstFitness: Double
    }

    /// One generation (see the type's contract). `evaluate` is called once per never-seen candidate.
    public mutating func advance(evaluate: (OptEmbedCandidate) throws -> Double) rethrows -> Generation {
        precondition(!population.isEmpty, "OptEmbed evolution: empty population")
        var lookup = Dictionary(uniqueKeysWithValues: evaluated.map { ($0.candidate, $0.fitness) })
        var fresh = 0
        var scored: [OptEmbedScored] = []
        for c in population {
            if let f = lookup[c] { scored.append(.init(candidate: c, fitness: f)); continue }
            let f = try evaluate(c)
            lookup[c] = f
            evaluated.append(.init(candidate: c, fitness: f))
            fresh += 1
            scored.append(.init(candidate: c, fitness: f))
        }
        let ranked = Self.ranked(scored)
        if best == nil || ranked[0].fitness > best!.fitness { best = ranked[0] }
        let parents = ranked.map(\.candidate)
        population = Array(parents.prefix(config.keep))
            + mutants(of: parents) + crossovers(of: parents)
        let record = Generation(generation: generation, populationSize: scored.count, newEvaluations: fresh,
                                best: ranked[0], bestEver: best!, worstFitness: ranked.last!.fitness)
        generation += 1
        return record
    }

    /// Sorted by fitness descending; equal fitness keeps the population order.
    public static func ranked(_ scored: [OptEmbedScored]) -> [OptEmbedScored] {
        scored.enumerated().sorted { a, b in
            a.element.fitness != b.element.fitness ? a.element.fitness > b.element.fitness : a.offset < b.offset
        }.map(\.element)
    }

    /// Mutant k copies parent k mod min(mutationParents, |ranked|).
    mutating func mutants(of ranked: [OptEmbedCandidate]) -> [OptEmbedCandidate] {
        let pool = min(config.mutationParents, ranked.count)
        return (0..<config.mutants).map { k in
            Self.mutate(ranked[k % pool], probability: config.mutationProbability, dMax: dMax, random: &mutationRandom)
        }
    }

    /// A new candidate: each gene of `parent` redrawn uniformly on {1..dMax} with probability p.
    public static func mutate(_ parent: OptEmbedCandidate, probability p: Double, dMax: Int,
                              random: inout RandomStream) -> OptEmbedCandidate {
        var child = parent
        if random.unitDouble() < p { child.dUser = 1 + random.below(dMax) }
        if random.unitDouble() < p { child.dItem = 1 + random.below(dMax) }
        return child
    }

    /// The child of an ordered pair: d_U from `a`, d_I from `b`.
    public static func crossover(_ a: OptEmbedCandidate, _ b: OptEmbedCandidate) -> OptEmbedCandidate {
        OptEmbedCandidate(dUser: a.dUser, dItem: b.dItem)
    }

    /// Crossover children from ordered pairs (x, y), x ≠ y, of the top min(crossoverParents, |ranked|);
    /// no pair repeats within a generation until all P(P−1) pairs are used. None with fewer than 2 members.
    mutating func crossovers(of ranked: [OptEmbedCandidate]) -> [OptEmbedCandidate] {
        let pool = min(config.crossoverParents, ranked.count)
        guard pool >= 2 else { return [] }
        var used = Set<Int>()
        var out: [OptEmbedCandidate] = []
        for _ in 0..<config.crossovers {
            if used.count == pool * (pool - 1) { used.removeAll() }
            var x: Int, y: Int
            repeat {
                x = crossoverRandom.below(pool)
                y = crossoverRandom.below(pool)
            } while x == y || used.contains(x * pool + y)
            used.insert(x * pool + y)
            out.append(Self.crossover(ranked[x], ranked[y]))
        }
        return out
    }
}
