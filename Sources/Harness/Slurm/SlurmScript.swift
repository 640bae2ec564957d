import Foundation

/// The absolute paths and names every generated sbatch script needs (the cluster's compute nodes
/// see the same shared file system, so every path is absolute).
public struct SlurmScriptContext: Sendable, Equatable {
    public var profile: String
    /// The profiles file.
    public var profiles: String
    /// The results directory (holds `<profile>/`).
    public var results: String
    /// The repository root: tasks run there (figures/, experiments/reported, scripts/).
    public var workingDirectory: String
    /// The ciess binary the tasks run.
    public var ciess: String
    /// `results/<P>/slurm/<submission>`.
    public var submissionDirectory: String
    public var threadsPerCell: Int

    public init(profile: String, profiles: String, results: String, workingDirectory: String, ciess: String,
                submissionDirectory: String, threadsPerCell: Int) {
        self.profile = profile
        self.profiles = profiles
        self.results = results
        self.workingDirectory = workingDirectory
        self.ciess = ciess
        self.submissionDirectory = submissionDirectory
        self.threadsPerCell = threadsPerCell
    }

    var root: String { "\(results)/\(profile)" }
}

/// The text of the sbatch scripts of a submission.
///
/// A stage task reads its stage id from line `SLURM_ARRAY_TASK_ID + 1` of tasks.txt, appends to the
/// same log as a local run (`logs/<id with / → __>.log`), and runs `ciess run --cell <id> --wait-for-lock`:
/// ciess holds the stage's exclusive lock (`<stage directory>.lock`, the same lock a local run takes), so
/// two tasks of the same stage (a resubmission while the first still runs) never write it at the same
/// time; the second waits and then finds it finished. `ciess run` writes every file atomically (temporary name + rename), so a cell
/// finished on the cluster and one finished locally are the same files. On a non-zero exit — or on
/// SIGTERM from `scancel` or the time limit — the task records failed.json exactly as cells.mk does
/// and exits non-zero, so Slurm marks only that task failed.
///
/// Resources are `#SBATCH` directives, so the user's `SBATCH_*` environment variables and
/// command-line options override them (sbatch's precedence).
public enum SlurmScript {
    public static func stage(_ kind: SlurmStageKind, resources r: SlurmResources, context c: SlurmScriptContext) -> String {
        let tasks = "\(c.submissionDirectory)/\(SlurmRecord.tasksFileName)"
        return header("one array task = one \(kind.rawValue) stage of \(tasks) (line SLURM_ARRAY_TASK_ID + 1)", r, c,
                      output: "%x-%A_%a.out") + """
        set -u
        tasks=\(quote(tasks))
        run=(\(quote(c.ciess)) run --profiles \(quote(c.profiles)) --profile \(quote(c.profile)) --results \(quote(c.results)))
        line=$(( SLURM_ARRAY_TASK_ID + 1 ))
        id=$(sed -n "${line}p" "$tasks")
        if [ -z "$id" ]; then echo "ciess task: no stage id on line $line of $tasks" >&2; exit 2; fi
        name=${id//\\//__}
        log=\(quote(c.root))/logs/$name.log
        mkdir -p \(quote(c.root))/logs
        export CIESS_THREADS=\(c.threadsPerCell)
        echo "== $(date -u +%Y-%m-%dT%H:%M:%SZ) slurm task ${SLURM_ARRAY_JOB_ID}_${SLURM_ARRAY_TASK_ID} on $(hostname): ciess run --cell $id" >> "$log"
        fail() {
          "${run[@]}" --cell "$id" --record-failure "$1" --log "$log"
          echo "FAILED  $id (exit $1; log: $log)" >&2
          exit "$1"
        }
        trap 'kill -TERM ${child:-} 2>/dev/null; wait ${child:-}; fail 143' TERM INT
        "${run[@]}" --cell "$id" --wait-for-lock >> "$log" 2>&1 &
        child=$!
        wait "$child"
        status=$?
        [ "$status" -eq 0 ] || fail "$status"
        echo "done    $id"

        """
    }

    /// The final job: aggregate, report, figures (when gnuplot is installed), and the status.
    /// Exits non-zero when a step failed or a stage is still failed.
    public static func aggregate(resources r: SlurmResources, context c: SlurmScriptContext) -> String {
        let profileArgs = "--profile \(quote(c.profile)) --results \(quote(c.results))"
        return header("the aggregation after every array of this submission", r, c, output: "%x-%j.out") + """
        set -u
        export CIESS_RESULTS_DIR=\(quote(c.results))
        ciess=\(quote(c.ciess))
        "$ciess" aggregate --profiles \(quote(c.profiles)) \(profileArgs) && "$ciess" report --profiles \(quote(c.profiles)) \(profileArgs)
        post=$?
        if [ $post -eq 0 ] && command -v gnuplot >/dev/null; then scripts/render-figures.sh \(quote(c.profile)) || post=$?; fi
        "$ciess" status --profiles \(quote(c.profiles)) \(profileArgs) --brief --no-estimate
        status=$?
        echo "slurm aggregation of \(c.profile): aggregate/report/figures exit $post, status exit $status"
        [ $post -eq 0 ] && [ $status -eq 0 ]

        """
    }

    static func header(_ what: String, _ r: SlurmResources, _ c: SlurmScriptContext, output: String) -> String {
        """
        #!/bin/bash
        # Generated by `ciess submit --profile \(c.profile)`: \(what). Do not edit.
        #SBATCH --cpus-per-task=\(r.cpus)
        #SBATCH --mem=\(r.memory)
        #SBATCH --time=\(r.time)
        #SBATCH --chdir=\(c.workingDirectory)
        #SBATCH --output=\(c.submissionDirectory)/out/\(output)
        #SBATCH --kill-on-invalid-dep=yes

        """
    }

    /// Single-quotes a string for bash.
    public static func quote(_ s: String) -> String {
        let safe = s.allSatisfy { $0.isLetter || $0.isNumber || "/._-+:=@%,".contains($0) }
        return safe && !s.isEmpty ? s : "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
