import Evaluation
import Foundation
import Linalg
import RecData
import Recommenders

/// A short measurement of this machine at 1 thread, the input of the cost model
/// (`results/calibration.json`): per dataset the load time of the split cache, per
/// dataset × backbone the time of a training batch (as a + b·B, from batches of 1 000 and
/// 10 000 triples) and of one full-ranking VAL evaluation. Entries are measured on first use and
/// kept; a file from another CPU is measured again. Times are the process's CPU time (user +
/// system, `getrusage`) at 1 thread, i.e. core-seconds, so a measurement on a busy machine is not
/// inflated by waiting for a core.
public struct Calibration: Sendable, Codable, Equatable {
    public struct Entry: Sendable, Codable, Equatable {
        /// Seconds per batch = fixed + perTriple · B.
        public var batchFixedSeconds: Double
        public var batchPerTripleSeconds: Double
        public var evalSeconds: Double

        public init(batchFixedSeconds: Double, batchPerTripleSeconds: Double, evalSeconds: Double) {
            self.batchFixedSeconds = batchFixedSeconds
            self.batchPerTripleSeconds = batchPerTripleSeconds
            self.evalSeconds = evalSeconds
        }

        public func batchSeconds(_ batchSize: Int) -> Double { batchFixedSeconds + batchPerTripleSeconds * Double(batchSize) }
    }

    public var cpu: String
    public var threads: Int
    /// "process cpu time" (files measured otherwise are measured again).
    public var clock: String
    public var loadSeconds: [String: Double]
    /// Keyed "<dataset>/<backbone>".
    public var entries: [String: Entry]

    public init(cpu: String, threads: Int = 1, loadSeconds: [String: Double] = [:], entries: [String: Entry] = [:]) {
        self.cpu = cpu
        self.threads = threads
        self.clock = Self.clockName
        self.loadSeconds = loadSeconds
        self.entries = entries
    }

    public static let clockName = "process cpu time"

    /// User + system CPU seconds of this process so far.
    public static func cpuSeconds() -> Double {
        var u = rusage()
        #if os(Linux)
        getrusage(RUSAGE_SELF.rawValue, &u)
        #else
        getrusage(RUSAGE_SELF, &u)
        #endif
        func sec(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1e6 }
        return sec(u.ru_utime) + sec(u.ru_stime)
    }

    public static func key(dataset: String, backbone: String) -> String { "\(dataset)/\(backbone)" }

    public func entry(dataset: String, backbone: String) -> Entry? { entries[Self.key(dataset: dataset, backbone: backbone)] }

    /// Reads `url` (if it matches this CPU), measures the missing pairs, writes it back atomically.
    public static func loadOrMeasure(_ url: URL, pairs: [(dataset: String, backbone: String)],
                                     load: (String) throws -> SplitDataset, log: (String) -> Void) throws -> Calibration {
        let cpu = Provenance.cpuModel()
        var cal = (FileManager.default.contents(atPath: url.path)
            .flatMap { try? JSONOutput.decoder.decode(Calibration.self, from: $0) })
            .flatMap { $0.cpu == cpu && $0.threads == 1 && $0.clock == clockName ? $0 : nil } ?? Calibration(cpu: cpu)
        let missing = pairs.filter { cal.entry(dataset: $0.dataset, backbone: $0.backbone) == nil }
        guard !missing.isEmpty else { return cal }
        let saved = Threads.count
        Threads.set(1)
        defer { Threads.set(saved) }
        for dataset in Array(Set(missing.map(\.dataset))).sorted() {
            let t0 = cpuSeconds()
            let d = try load(dataset)
            cal.loadSeconds[dataset] = cpuSeconds() - t0
            for p in missing where p.dataset == dataset {
                log("calibrating \(p.dataset)/\(p.backbone) at 1 thread (a few batches and one evaluation)")
                cal.entries[key(dataset: p.dataset, backbone: p.backbone)] = measure(d, backbone: BackboneKind(rawValue: p.backbone)!)
                try AtomicFile.write(try JSONOutput.encodeRaw(cal), to: url)
            }
        }
        return cal
    }

    /// Times 2 batches of 1 000 and 2 of 10 000 triples (after one warm-up each) and one VAL evaluation.
    public static func measure(_ d: SplitDataset, backbone: BackboneKind) -> Entry {
        let model = backbone.make(train: d.train, sizes: .full(userCount: d.userCount, itemCount: d.itemCount), seed: 1)
        var sampler = BPRSampler(train: d.train, seed: 1)
        func time(_ size: Int) -> Double {
            let batches = (0..<3).map { _ in sampler.nextBatch(size: size) }
            _ = model.trainStep(batches[0], learningRate: 0.01)
            let t0 = cpuSeconds()
            for b in batches.dropFirst() { _ = model.trainStep(b, learningRate: 0.01) }
            return (cpuSeconds() - t0) / 2
        }
        let small = time(1_000), large = time(10_000)
        let perTriple = max(0, (large - small) / 9_000)
        let fixed = max(0, small - perTriple * 1_000)
        let t0 = cpuSeconds()
        _ = FullRankingEvaluator.evaluate(scorer: model.makeScorer(), positives: d.valid, exclude: [d.train])
        return Entry(batchFixedSeconds: fixed, batchPerTripleSeconds: perTriple, evalSeconds: cpuSeconds() - t0)
    }
}
