import Foundation

/// The value checks of a decoded profile (types and presence are the decoder's job).
enum ProfileValidation {
    static func validate(_ p: ExperimentProfile, name: String, source: String) throws {
        func fail(_ field: String, _ problem: String) -> ProfileError {
            .invalid(source: source, profile: name, field: field, problem: problem)
        }
        func checkMembers(_ values: [String], of allowed: [String], field: String, nonEmpty: Bool = true) throws {
            if nonEmpty && values.isEmpty { throw fail(field, "must list at least one of \(allowed.joined(separator: ", "))") }
            for v in values where !allowed.contains(v) {
                throw fail(field, "unknown value '\(v)'; valid: \(allowed.joined(separator: ", "))")
            }
            if Set(values).count != values.count { throw fail(field, "lists a value twice") }
        }
        guard !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }) else {
            throw fail("(name)", "profile names use letters, digits, '-' and '_' only")
        }
        try checkMembers(p.datasets, of: GridVocabulary.datasets, field: "datasets")
        try checkMembers(p.backbones, of: GridVocabulary.backbones, field: "backbones")
        try checkMembers(p.methods, of: GridVocabulary.methods, field: "methods")
        if p.budgets.isEmpty { throw fail("budgets", "must list at least one target sparsity, e.g. [0.80, 0.90, 0.95]") }
        for c in p.budgets where !(c > 0 && c < 1) {
            throw fail("budgets", "\(c) is out of range; a target sparsity lies strictly between 0 and 1")
        }
        for c in p.budgets where abs(c * 100 - (c * 100).rounded()) > 1e-9 {
            throw fail("budgets", "\(c) has more than two decimals (cell ids print c as %.2f)")
        }
        if Set(p.budgets.map { String(format: "%.2f", $0) }).count != p.budgets.count { throw fail("budgets", "lists a value twice") }
        if p.seeds.isEmpty { throw fail("seeds", "must list at least one seed") }
        for (m, s) in p.methodSeeds {
            guard GridVocabulary.methods.contains(m) else {
                throw fail("method_seeds", "unknown method '\(m)'; valid: \(GridVocabulary.methods.joined(separator: ", "))")
            }
            if s.isEmpty { throw fail("method_seeds.\(m)", "must list at least one seed") }
        }
        guard p.batchSize >= 1 else { throw fail("batch_size", "must be at least 1, got \(p.batchSize)") }
        guard p.threadsPerCell >= 1 else { throw fail("threads_per_cell", "must be at least 1, got \(p.threadsPerCell)") }
        try validateConverge(p.retrain, field: "retrain", fail)
        try validateConverge(p.ciess.pretrain, field: "ciess.pretrain", fail)
        guard p.ciess.episodes >= 1 else { throw fail("ciess.episodes", "must be at least 1, got \(p.ciess.episodes)") }
        guard p.ciess.iterations >= 1 else { throw fail("ciess.iterations", "must be at least 1, got \(p.ciess.iterations)") }
        guard p.ciess.candidates >= 1 else { throw fail("ciess.candidates", "must be at least 1, got \(p.ciess.candidates)") }
        for (b, perDataset) in p.ciess.batchesPerIteration ?? [:] {
            try checkMembers([b], of: GridVocabulary.backbones, field: "ciess.batches_per_iteration")
            for (d, n) in perDataset {
                try checkMembers([d], of: GridVocabulary.datasets, field: "ciess.batches_per_iteration.\(b)")
                guard n >= 1 else { throw fail("ciess.batches_per_iteration.\(b).\(d)", "must be at least 1, got \(n)") }
            }
        }
        for (d, l) in p.ciess.lambda {
            try checkMembers([d], of: GridVocabulary.datasets, field: "ciess.lambda")
            guard l >= 0 && l.isFinite else { throw fail("ciess.lambda.\(d)", "must be a finite number ≥ 0, got \(l)") }
        }
        try checkMembers(p.table1.protocols, of: GridVocabulary.protocols, field: "table1.protocols")
        for (d, list) in p.table1.datasetBackbones ?? [:] {
            try checkMembers([d], of: p.datasets, field: "table1.dataset_backbones")
            try checkMembers(list, of: p.backbones, field: "table1.dataset_backbones.\(d)")
        }
        try checkMembers(p.table2.backbones, of: GridVocabulary.backbones, field: "table2.backbones", nonEmpty: false)
        try checkMembers(p.table2.protocols, of: GridVocabulary.protocols, field: "table2.protocols")
        for v in p.table2.variants + p.figure3.variants where SearchVariant(parsing: v)?.lambda != nil || SearchVariant(parsing: v) == nil {
            throw fail(p.table2.variants.contains(v) ? "table2.variants" : "figure3.variants",
                       "unknown variant '\(v)'; a variant is <noise>-<rw> with noise g, ou or u and rw rw or norw, e.g. g-rw")
        }
        try checkMembers(p.figure3.backbones, of: GridVocabulary.backbones, field: "figure3.backbones", nonEmpty: false)
        try checkMembers(p.figure4.backbones, of: GridVocabulary.backbones, field: "figure4.backbones", nonEmpty: false)
        try checkMembers(p.figure4.protocols, of: GridVocabulary.protocols, field: "figure4.protocols")
        for (d, grid) in p.figure4.lambdas {
            try checkMembers([d], of: GridVocabulary.datasets, field: "figure4.lambdas")
            for l in grid where !(l >= 0 && l.isFinite) { throw fail("figure4.lambdas.\(d)", "must hold finite numbers ≥ 0, got \(l)") }
        }
        try checkMembers(p.figure5.backbones, of: GridVocabulary.backbones, field: "figure5.backbones", nonEmpty: false)
        try checkMembers(p.figure5.protocols, of: GridVocabulary.protocols, field: "figure5.protocols")
        guard p.figure5.intervals >= 1, p.ciess.episodes % p.figure5.intervals == 0 else {
            throw fail("figure5.intervals", "must be at least 1 and divide ciess.episodes (\(p.ciess.episodes)), got \(p.figure5.intervals)")
        }
        try p.baselines?.validate(fail)
    }

    /// The fields each object of a profile may have (a misspelt optional field must not be ignored).
    static let knownFields: [String: Set<String>] = [
        "": ["description", "datasets", "backbones", "budgets", "methods", "seeds", "method_seeds", "batch_size",
             "threads_per_cell", "ciess", "retrain", "table1", "table2", "figure3", "figure4", "figure5", "slurm",
             "baselines"],
        "ciess": ["episodes", "iterations", "batches_per_iteration", "pretrain", "lambda", "candidates"],
        "ciess.pretrain": ["chunk_batches", "patience", "max_chunks"],
        "retrain": ["chunk_batches", "patience", "max_chunks"],
        "table1": ["protocols", "dataset_backbones"],
        "table2": ["backbones", "variants", "protocols"],
        "figure3": ["backbones", "variants"],
        "figure4": ["backbones", "lambdas", "protocols"],
        "figure5": ["backbones", "intervals", "protocols"],
        "slurm": ["search", "retrain", "aggregate"],
        "slurm.search": ["cpus", "memory", "time"],
        "slurm.retrain": ["cpus", "memory", "time"],
        "slurm.aggregate": ["cpus", "memory", "time"],
    ].merging(BaselineSettings.knownFields) { a, _ in a }

    static func rejectUnknownFields(_ data: Data, source: String) throws {
        guard let root = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return }
        for key in root.keys where key != "profiles" {
            throw ProfileError.malformed(source, "unknown top-level field '\(key)' (expected only 'profiles')")
        }
        for (name, value) in (root["profiles"] as? [String: Any]) ?? [:] {
            guard let profile = value as? [String: Any] else { continue }
            for (path, allowed) in knownFields {
                let object = path.isEmpty ? profile
                    : path.split(separator: ".").reduce(profile as Any?) { ($0 as? [String: Any])?[String($1)] } as? [String: Any]
                for key in (object ?? [:]).keys.sorted() where !allowed.contains(key) {
                    throw ProfileError.invalid(source: source, profile: name, field: path.isEmpty ? key : "\(path).\(key)",
                                               problem: "unknown field; valid here: \(allowed.sorted().joined(separator: ", "))")
                }
            }
        }
    }

    static func validateConverge(_ c: ExperimentProfile.Converge, field: String, _ fail: (String, String) -> ProfileError) throws {
        guard c.chunkBatches >= 1, c.patience >= 1, c.maxChunks >= 1 else {
            throw fail(field, "chunk_batches, patience and max_chunks must each be at least 1")
        }
    }
}
