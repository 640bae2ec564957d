# ciess-swift — the user's entry points. `make help` lists them.
#
# Variables (override on the command line):
#   DATA_MIRROR  directory of a local dataset mirror (read through the normal fetch path)
#   THREADS      worker threads for training, evaluation and benchmarks (default: all CPUs)
#   SWIFT_CPU    CPU the release build is tuned for (default: detected: skylake-avx512 / haswell / x86-64)
#   TORCH_PYTHON a Python with torch, to run the PyTorch reference beside `make bench` and the cross-checks
#   BACKBONE, SIZES  the model of `make crosscheck-torch` (lightgcn|ngcf|neumf; full or equal:D)
#   BENCH_SHAPES dataset shapes for `make bench` (default: ml-1m yelp2018)
#   BENCH_REPEAT timed iterations per benchmark figure (default: 10)
#   PROFILE      experiment profile of experiments/profiles.json: smoke (default), quick or paper
#   PROFILES     the profiles file (default: experiments/profiles.json)
#   JOBS         stages run in parallel by `make reproduce` (default: all CPUs; each stage uses the
#                profile's threads_per_cell, 1 in every shipped profile)
#   RESULTS      results directory (default: results; exported as CIESS_RESULTS_DIR)
#   CELL         the cell id of `make verify`
#   SKIP_BUILD   1: the experiment targets use the existing $(CIESS) without `make build` first
#   ENGINE       local (default): make runs the stages here; slurm: `ciess submit` sends them to Slurm
#   PARTITION, ACCOUNT  sbatch --partition / --account for ENGINE=slurm (SBATCH_* variables work too)
#   ONLY_FAILED  1: with ENGINE=slurm, resubmit only failed/cancelled/timed-out stages
#   DRY_RUN      1: with ENGINE=slurm, print the sbatch scripts and commands, submit nothing
#   DATASETS, BACKBONES, METHODS, ARTEFACTS  a slice of the profile for plan / reproduce / status / table-N
#                (comma-separated, e.g. DATASETS=ml-1m BACKBONES=lightgcn ARTEFACTS=table-1); the slice's stages
#                are the whole profile's (same ids and config hashes), so its results count for the whole

SHELL := /bin/bash
.DEFAULT_GOAL := help

SHARED        ?= ../shared
DATA_MIRROR   ?=
THREADS       ?= $(shell nproc 2>/dev/null || echo 1)
SWIFT         ?= swift
SWIFT_CPU     ?= $(shell if grep -qw avx512bw /proc/cpuinfo 2>/dev/null; then echo skylake-avx512; \
                   elif grep -qw avx2 /proc/cpuinfo 2>/dev/null; then echo haswell; else echo x86-64; fi)
RELEASE_FLAGS := -c release --scratch-path .build-release -Xswiftc -target-cpu -Xswiftc $(SWIFT_CPU)
CIESS         := .build-release/release/ciess
TORCH_PYTHON  ?= $(firstword $(wildcard .venv-torch/bin/python))
BENCH_SHAPES  ?= ml-1m yelp2018
BENCH_REPEAT  ?= 10
BENCH_OUT     ?= results/bench
CROSSCHECK_OUT ?= results/crosscheck
CROSSCHECK_CHUNKS ?= 3
BACKBONE      ?= lightgcn
SIZES         ?= full
APT_PACKAGES  := libopenblas-dev pkg-config gnuplot-nox curl unzip python3-numpy
PROFILE       ?= smoke
PROFILES      ?= experiments/profiles.json
JOBS          ?= $(shell nproc 2>/dev/null || echo 1)
ALT_THREADS   ?= 2
RESULTS       ?= results
PUBLISHED     ?= published
CELL          ?=
CELLS_MK      := $(RESULTS)/$(PROFILE)/cells.mk
# Runs the stages of the plan (`ciess plan` writes the rules): -k so one failure does not stop the rest.
RUN_CELLS     := $(MAKE) --no-print-directory -k -j$(JOBS) -f $(CELLS_MK) CIESS=$(CIESS)
ARTIFACTS     := table-1 table-2 figure-3 figure-4 figure-5 figure-6 figure-7
# The stage lists of cells.mk an artefact runs: its own, except Figure 7 (ours against the paper's Table 1 and
# Table 2 numbers), which has no stages of its own and needs those of both tables.
STAGES_figure-7 := stages-table-1 stages-table-2
BUILD_FIRST   := $(if $(filter 1,$(SKIP_BUILD)),,build)
ENGINE        ?= local
PARTITION     ?=
ACCOUNT       ?=
ONLY_FAILED   ?=
DRY_RUN       ?=
DATASETS      ?=
BACKBONES     ?=
METHODS       ?=
ARTEFACTS     ?=
SLICE          = $(if $(DATASETS),--datasets $(DATASETS)) $(if $(BACKBONES),--backbones $(BACKBONES)) \
                 $(if $(METHODS),--methods $(METHODS)) $(if $(ARTEFACTS),--artifacts $(ARTEFACTS))
SUBMIT         = $(CIESS) submit --profiles $(PROFILES) --profile $(PROFILE) $(if $(PARTITION),--partition $(PARTITION)) \
                 $(if $(ACCOUNT),--account $(ACCOUNT)) $(if $(filter 1,$(ONLY_FAILED)),--only-failed) $(if $(filter 1,$(DRY_RUN)),--dry-run)

export DATA_MIRROR
export CIESS_THREADS := $(THREADS)
export CIESS_RESULTS_DIR := $(RESULTS)

.PHONY: help deps build test data bench check-resume clean plan reproduce status verify report publish aggregate \
        check-reproduce-resume determinism test-slurm crosscheck-split crosscheck-torch $(ARTIFACTS)

help:
	@echo "ciess-swift — reproduce CIESS (SIGIR 2023) end to end"
	@echo ""
	@echo "  make deps     install the Debian packages the harness needs (OpenBLAS, gnuplot, curl, unzip, numpy)"
	@echo "  make build    release build of the ciess tool ($(CIESS), tuned for $(SWIFT_CPU))"
	@echo "  make test     build and run the unit and integration tests"
	@echo "  make data     fetch, verify and split ML-1M and Yelp2018 (DATA_MIRROR=dir to read a local mirror)"
	@echo "  make bench    time the benchmark workloads; with TORCH_PYTHON, also the PyTorch reference and ratios"
	@echo "  make check-resume  kill -9 a short CIESS search on ML-1M, resume it, compare with an uninterrupted run"
	@echo "  make crosscheck-split  rebuild both splits with NumPy itself and cmp them with ciess data split"
	@echo "  make crosscheck-torch [BACKBONE=lightgcn|ngcf|neumf SIZES=full|equal:D]  an independent PyTorch model (TORCH_PYTHON) on the exported ML-1M split"
	@echo "  make clean    remove build folders (keeps datasets/ and results/)"
	@echo ""
	@echo "  Experiments (PROFILE=smoke|quick|paper, default $(PROFILE); results in $(RESULTS)/PROFILE/):"
	@echo "  make reproduce  plan, run every stage (make -k -j$(JOBS)), aggregate, report, figures; names failures"
	@echo "  make status     cached / pending / failed per cell and the estimated core-hours left"
	@echo "  make table-1    (also table-2, figure-3 … figure-7) run the stages it needs, aggregate, render"
	@echo "  make report     REPORT.md, CSVs and figures from the results there are ($(RESULTS)/PROFILE, else $(PUBLISHED)/PROFILE); runs no stage"
	@echo "  make publish    copy every finished stage's small outputs into the tracked $(PUBLISHED)/PROFILE"
	@echo "  make verify CELL=<id>  retrain one cell without caches and compare with its stored result.json"
	@echo "  make determinism  recompute one stored cell per method at its own and at ALT_THREADS threads; writes determinism.md"
	@echo "  make check-reproduce-resume  kill -9 a smoke reproduce midway, rerun, compare its CSVs with a straight run"
	@echo "  make reproduce ENGINE=slurm [PARTITION=p ACCOUNT=a]  submit every unfinished stage as Slurm job arrays (see README)"
	@echo "  make test-slurm  a private single-node Slurm on this machine runs the smoke profile; CSVs must equal a local run's"
	@echo "  profiles: smoke ≈ 7 min on 2 idle cores (CI), quick ≈ 5.5 h on 2 cores, paper ≈ 1700 core-hours (make status PROFILE=paper)"

# Installs only what is missing; apt-get runs through sudo when not root.
deps:
	@missing=""; \
	pkg-config --exists openblas 2>/dev/null || missing="$$missing libopenblas-dev pkg-config"; \
	command -v gnuplot >/dev/null || missing="$$missing gnuplot-nox"; \
	command -v curl >/dev/null || missing="$$missing curl"; \
	command -v unzip >/dev/null || missing="$$missing unzip"; \
	python3 -c "import numpy" 2>/dev/null || missing="$$missing python3-numpy"; \
	if [ -z "$$missing" ]; then echo "deps: all present (openblas, gnuplot, curl, unzip, numpy)"; exit 0; fi; \
	sudo=""; [ "$$(id -u)" = 0 ] || sudo="sudo"; \
	echo "deps: installing$$missing with apt-get"; \
	$$sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq $$missing
	@command -v $(SWIFT) >/dev/null || { echo "deps: Swift 6 is not on PATH; install it from swift.org first"; exit 1; }

# build-info.json beside the binary records the commit it was built from (results cite it).
build: deps
	$(SWIFT) build $(RELEASE_FLAGS) --product ciess
	@commit=$$(git rev-parse HEAD 2>/dev/null || echo unknown); \
	dirty=$$(test -z "$$(git status --porcelain --untracked-files=no 2>/dev/null)" && echo false || echo true); \
	toolchain=$$($(SWIFT) --version 2>/dev/null | head -n 1 | sed 's/"/\\"/g'); \
	printf '{"git_commit": "%s", "git_dirty": %s, "toolchain": "%s"}\n' "$$commit" "$$dirty" "$$toolchain" \
	  > $(dir $(CIESS))build-info.json.tmp && mv $(dir $(CIESS))build-info.json.tmp $(dir $(CIESS))build-info.json

test: deps
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build --disable-swift-testing

data: build
	$(CIESS) data prepare --dataset all
	$(CIESS) data stats --dataset all

# Independent references, outside `make test`: NumPy's own RandomState for the split (python3-numpy is in deps),
# in both source forms (order restored as the manifest says, and as distributed), and PyTorch autograd for
# LightGCN training (TORCH_PYTHON). `ciess data split` runs first: it fetches and verifies the raw files that
# numpy-split.py then reads from datasets/raw/.
crosscheck-split: build
	scripts/crosscheck-split.sh $(CIESS) $(CROSSCHECK_OUT)/split

crosscheck-torch: build
	@[ -n "$(TORCH_PYTHON)" ] || { echo "crosscheck-torch: set TORCH_PYTHON to a Python with torch (e.g. .venv-torch/bin/python)"; exit 1; }
	@case "$(BACKBONE)" in lightgcn|ngcf|neumf) ;; *) echo "crosscheck-torch: BACKBONE must be lightgcn, ngcf or neumf, got '$(BACKBONE)'"; exit 1;; esac
	@case "$(SIZES)" in full|equal:*) ;; *) echo "crosscheck-torch: SIZES must be full or equal:D, got '$(SIZES)'"; exit 1;; esac
	@if [ "$(BACKBONE)" = lightgcn ] && [ "$(SIZES)" != full ]; then \
	    echo "crosscheck-torch: scripts/torch-lightgcn.py trains full size only (SIZES=full)"; exit 1; fi
	@set -e; out=$(CROSSCHECK_OUT)/torch; name=$(BACKBONE)-$(subst :,,$(SIZES)); mkdir -p $$out; \
	$(CIESS) data split --dataset ml-1m --out $$out/split > /dev/null; \
	sizes=; [ "$(BACKBONE)" = lightgcn ] || sizes="--sizes $(SIZES)"; \
	echo "crosscheck-torch: PyTorch $(BACKBONE), sizes $(SIZES), P-code, $(CROSSCHECK_CHUNKS) chunks of 3000 batches, $(THREADS) threads"; \
	$(TORCH_PYTHON) -W ignore scripts/torch-$(BACKBONE).py --split $$out/split --chunks $(CROSSCHECK_CHUNKS) \
	    --threads $(THREADS) $$sizes > $$out/$$name.jsonl.tmp && mv $$out/$$name.jsonl.tmp $$out/$$name.jsonl; \
	echo "crosscheck-torch: per-chunk TEST metrics in $$out/$$name.jsonl; compare with"; \
	echo "  $(CIESS) train --dataset ml-1m --backbone $(BACKBONE) --sizes $(SIZES) --protocol code --max-chunks $(CROSSCHECK_CHUNKS)"

# The reference graphs are drawn by the reference script's own code (NumPy only, see bench/export_graph.py),
# so both sides time exactly the same graph; `ciess bench` checks graph_sha256.
bench: build
	@mkdir -p $(BENCH_OUT)
	@for shape in $(BENCH_SHAPES); do \
	  [ -f $(BENCH_OUT)/graphs/$$shape/graph.json ] || python3 bench/export_graph.py \
	      --reference $(SHARED)/bench/torch_reference.py --shape $$shape --out $(BENCH_OUT)/graphs/$$shape || exit 1; \
	done
	@stamp=$$(date -u +%Y%m%dT%H%M%SZ); out=$(BENCH_OUT)/bench-$$stamp.jsonl; : > $$out.tmp; \
	for shape in $(BENCH_SHAPES); do \
	  echo "bench: ciess on $$shape ($(THREADS) threads, repeat $(BENCH_REPEAT))"; \
	  $(CIESS) bench --graph $(BENCH_OUT)/graphs/$$shape --threads $(THREADS) --repeat $(BENCH_REPEAT) >> $$out.tmp || exit 1; \
	  if [ -n "$(TORCH_PYTHON)" ]; then \
	    echo "bench: PyTorch reference on $$shape"; \
	    $(TORCH_PYTHON) $(SHARED)/bench/torch_reference.py --dataset-shape $$shape --threads $(THREADS) \
	        --repeat $(BENCH_REPEAT) | sed 's/^{/{"implementation": "torch", /' >> $$out.tmp || exit 1; \
	  fi; \
	done; mv $$out.tmp $$out; \
	$(CIESS) bench-report $$out

# A real SIGKILL in the middle of a search, then the same command: the result must not change.
check-resume: build
	scripts/check-search-resume.sh $(CIESS) $$(mktemp -d)

clean:
	rm -rf .build .build-release

# ---- Experiments: the grid of experiments/profiles.json as make rules (results/<P>/cells.mk) ----

plan: $(BUILD_FIRST)
	$(CIESS) plan --profiles $(PROFILES) --profile $(PROFILE) $(SLICE)

aggregate: $(BUILD_FIRST)
	$(CIESS) aggregate --profiles $(PROFILES) --profile $(PROFILE)

# Runs every stage, then aggregates, reports and renders even if some stages failed (those show as
# "not run"); the final status names every failure and the target fails if any stage failed.
reproduce: plan
ifeq ($(ENGINE),slurm)
	$(SUBMIT)
else
	@start=$$(date +%s); $(RUN_CELLS) all; cells=$$?; \
	$(CIESS) aggregate --profiles $(PROFILES) --profile $(PROFILE) && $(CIESS) report --profiles $(PROFILES) --profile $(PROFILE) \
	  && scripts/render-figures.sh $(PROFILE); post=$$?; \
	$(CIESS) status --profiles $(PROFILES) --profile $(PROFILE) $(SLICE) --brief --no-estimate; status=$$?; \
	echo "reproduce $(PROFILE): $$(( $$(date +%s) - start )) s (stages exit $$cells, aggregate/report/figures exit $$post, status exit $$status)"; \
	[ $$cells -eq 0 ] && [ $$post -eq 0 ] && [ $$status -eq 0 ]
endif

# Exits non-zero when a stage failed. The first call measures the cost model (about a minute).
status: $(BUILD_FIRST)
	$(CIESS) status --profiles $(PROFILES) --profile $(PROFILE) $(SLICE)

# One table or figure: the stages it needs, the aggregation, and (figures) the rendering.
$(ARTIFACTS): plan
	@$(RUN_CELLS) $(or $(STAGES_$@),stages-$@); cells=$$?; \
	$(CIESS) aggregate --profiles $(PROFILES) --profile $(PROFILE); post=$$?; \
	case $@ in figure-*) if [ $$post -eq 0 ]; then scripts/render-figures.sh $(PROFILE) $(subst figure-,,$@); post=$$?; fi;; esac; \
	echo "$@: $(RESULTS)/$(PROFILE)/$@.csv"; [ $$cells -eq 0 ] && [ $$post -eq 0 ]

# REPORT.md, the CSVs and the figures from the results there are, running no stage: from $(RESULTS)/PROFILE, or,
# where that does not exist (a fresh clone), from the published folder $(PUBLISHED)/PROFILE.
report: $(BUILD_FIRST)
	@dir=$(RESULTS); [ -d "$(RESULTS)/$(PROFILE)" ] || dir=$(PUBLISHED); \
	[ -d "$$dir/$(PROFILE)" ] || { echo "report: neither $(RESULTS)/$(PROFILE) nor $(PUBLISHED)/$(PROFILE) exists; run make reproduce PROFILE=$(PROFILE)"; exit 1; }; \
	echo "report: from $$dir/$(PROFILE)"; \
	$(CIESS) aggregate --profiles $(PROFILES) --profile $(PROFILE) --results $$dir && \
	$(CIESS) report --profiles $(PROFILES) --profile $(PROFILE) --results $$dir && \
	CIESS_RESULTS_DIR=$$dir scripts/render-figures.sh $(PROFILE)

# Copies every finished stage's small outputs (no checkpoints or caches) into the tracked $(PUBLISHED)/PROFILE.
publish:
	scripts/publish.sh $(PROFILE) $(RESULTS) $(PUBLISHED)

# Retrains one stored cell without caches and compares bit for bit; the cell is looked up in $(RESULTS)/PROFILE,
# or in the published folder where that does not exist.
verify: $(BUILD_FIRST)
	@[ -n "$(CELL)" ] || { echo "usage: make verify CELL=<cell id> [PROFILE=$(PROFILE)]  (ids: ciess status --profile $(PROFILE))"; exit 2; }
	@dir=$(RESULTS); [ -d "$(RESULTS)/$(PROFILE)" ] || dir=$(PUBLISHED); echo "verify: against $$dir/$(PROFILE)"; \
	$(CIESS) run --profiles $(PROFILES) --profile $(PROFILE) --results $$dir --cell $(CELL) --verify

# Bit-identical recomputation: `verify` of the first stored cell of each method on ML-1M / LightGCN.
determinism: $(BUILD_FIRST)
	$(CIESS) determinism --profiles $(PROFILES) --profile $(PROFILE) --threads $(ALT_THREADS)
	-@$(CIESS) report --profiles $(PROFILES) --profile $(PROFILE) >/dev/null 2>&1 && echo "determinism: linked from $(RESULTS)/$(PROFILE)/REPORT.md"

check-reproduce-resume: $(BUILD_FIRST)
	scripts/check-reproduce-resume.sh

# Starts slurmctld/slurmd/munged from the Debian packages under a temporary directory (installed when missing),
# submits the profile, compares its CSVs with a local `make reproduce`, kills one array task and resubmits it.
test-slurm: $(BUILD_FIRST)
	SKIP_BUILD=1 CIESS=$(CIESS) PROFILE=$(PROFILE) PROFILES=$(PROFILES) scripts/test-slurm.sh
