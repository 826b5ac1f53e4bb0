# Argus: `make run` serves on http://127.0.0.1:8080, `make test` runs every test.
# Both install what is missing first (scripts/setup.sh is idempotent and quiet).

SWIFT ?= swift
ARGUS_RELEASE := .build/release/argus
ARGUS_HELLO := .build/release/argus-bench-hello

.PHONY: setup build run test settings-doc fuzz bench bench-live bench-load bench-upload-memory bench-jobs bench-limit \
	bench-detect-load bench-server-cost bench-soak parity import-bench-models clean

# GPU=1 also installs the CUDA build of ONNX Runtime (for ARGUS_EXECUTION_PROVIDER=cuda);
# U2NET=1 also installs the large background-removal model (a 165 MB download).
setup:
	@GPU=$(GPU) U2NET=$(U2NET) bash scripts/setup.sh

build: setup
	@$(SWIFT) build -c release --product argus

# Restarted after a crash (scripts/serve.sh); Ctrl-C stops it.
run: build
	@bash scripts/serve.sh $(ARGUS_RELEASE)

test: setup
	@bash scripts/run-tests.sh

# Rewrites the settings table of docs/configuration.md from the code's declarations.
settings-doc:
	@bash scripts/update-settings-doc.sh

# Every fuzz target for FUZZ_SECONDS each (libFuzzer + AddressSanitizer, see Fuzz/README.md).
FUZZ_SECONDS ?= 600
fuzz: setup
	@bash scripts/fuzz.sh $(FUZZ_SECONDS) $(FUZZ_TARGETS)

# Benchmarks and parity against the Python reference (see bench/README.md).
SHARED ?= ../shared
# yolox-nano is a catalogue model; import it from shared/ (checked against its sha256).
import-bench-models: build
	@test -f models/yolox_nano_416.onnx || $(ARGUS_RELEASE) models import $(SHARED)/models/yolox-nano/yolox_nano_416.onnx --as yolox-nano

bench: import-bench-models
	@bash scripts/setup-bench-venv.sh
	@.deps/venv-bench/bin/python bench/detect_bench.py --argus $(ARGUS_RELEASE)

# Live detection: round trips, drops and memory with 1 and 16 WebSocket sessions (bench/live_bench.py).
bench-live: build
	@bash scripts/setup-bench-venv.sh
	@.deps/venv-bench/bin/python bench/live_bench.py --argus $(ARGUS_RELEASE)

# 200 concurrent uploads with detection against a FastAPI + onnxruntime + SQLAlchemy peer.
bench-load: build
	@bash scripts/setup-bench-venv.sh
	@.deps/venv-bench/bin/python bench/images_load.py --argus $(ARGUS_RELEASE)

# The resident memory one ~10 MB upload adds, per upload route (bench/upload_memory.py).
bench-upload-memory: build
	@bash scripts/setup-bench-venv.sh
	@cd bench && ../.deps/venv-bench/bin/python upload_memory.py --argus ../$(ARGUS_RELEASE)

# The job queue: no-op and detection jobs, Argus (SQLite, PostgreSQL) against Celery + Redis
# (bench/jobs_bench.py; installs redis-server when missing).
bench-jobs: build
	@bash scripts/setup-bench-venv.sh
	@.deps/venv-bench/bin/python bench/jobs_bench.py --argus $(ARGUS_RELEASE)

# Throughput ceilings with all cores busy: bare ONNX Runtime (sessions x intra-op threads)
# and Argus's in-process pipeline (`argus bench --concurrency`) -> bench/results/limit.json,
# which bench-detect-load compares against (bench/limit.py).
bench-limit: build
	@bash scripts/setup-bench-venv.sh
	@.deps/venv-bench/bin/python bench/limit.py --argus $(ARGUS_RELEASE)

# POST /api/v1/detect: closed loop (Python clients, then wrk), then open-loop overload (1x, 2x,
# 4x capacity, impatient and polite clients), against a FastAPI + onnxruntime peer (bench/load.py).
bench-detect-load: build
	@command -v wrk >/dev/null || bash scripts/setup-system.sh wrk
	@bash scripts/setup-bench-venv.sh
	@.deps/venv-bench/bin/python bench/load.py --argus $(ARGUS_RELEASE)

# HTTP cost per request with wrk: Argus vs a bare Hummingbird server vs FastAPI
# (bench/server_cost.py; installs wrk when missing).
bench-server-cost: build
	@$(SWIFT) build -c release --product argus-bench-hello
	@command -v wrk >/dev/null || bash scripts/setup-system.sh wrk
	@bash scripts/setup-bench-venv.sh
	@.deps/venv-bench/bin/python bench/server_cost.py --argus $(ARGUS_RELEASE) --hello $(ARGUS_HELLO)

# 30 minutes of mixed load: lost requests and the RSS trend (bench/soak.py -> docs/soak-rss.png).
SOAK_MINUTES ?= 30
bench-soak: build
	@bash scripts/setup-bench-venv.sh
	@.deps/venv-bench/bin/python bench/soak.py --argus $(ARGUS_RELEASE) --minutes $(SOAK_MINUTES)

parity: import-bench-models
	@bash scripts/setup-bench-venv.sh
	@.deps/venv-bench/bin/python bench/parity.py --argus $(ARGUS_RELEASE)

clean:
	@rm -rf .build data
