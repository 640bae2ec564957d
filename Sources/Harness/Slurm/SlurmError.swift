import Foundation

/// Errors of the Slurm engine; each description is a sentence saying what would be valid.
public enum SlurmError: Error, CustomStringConvertible, Equatable {
    case invalidResources(String)
    case tooManyTasks(Int, Int)
    case sbatchMissing
    case sbatchFailed(String, Int32, String)
    case unparsableJobID(String)
    case unreadableRecord(String)

    public var description: String {
        switch self {
        case .invalidResources(let why): return why
        case .tooManyTasks(let n, let max):
            return "this submission needs array indices up to \(n - 1), above the cluster's MaxArraySize \(max); "
                + "submit fewer stages at a time (e.g. one table: the plan's stages-<artifact> lists) or pass --max-array-size"
        case .sbatchMissing:
            return "sbatch is not on PATH: run ciess submit on a Slurm login node, or use --dry-run to only print the scripts"
        case .sbatchFailed(let what, let status, let err):
            return "sbatch for \(what) exited with status \(status): \(err.trimmingCharacters(in: .whitespacesAndNewlines))"
        case .unparsableJobID(let out): return "sbatch --parsable printed '\(out)', not a job id"
        case .unreadableRecord(let path): return "the submission record \(path) is unreadable; delete its directory or fix it"
        }
    }
}
