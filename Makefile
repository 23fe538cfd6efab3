# abrkit — run `make help` for the targets.
GO        ?= go
PKGS      ?= ./...
BIN       ?= bin
CONTENT   ?= testdata/content
BENCHTIME ?= 1x
STATICCHECK_VERSION ?= v0.8.2

.PHONY: help build test test-unit test-timing bench bench-scale bench-soak lint demo display content quickstart cross clean abr-table

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-12s %s\n", $$1, $$2}'

build: ## build the CLI and the demo player into bin/
	@mkdir -p $(BIN)
	CGO_ENABLED=0 $(GO) build -o $(BIN)/abrkit ./cmd/abrkit
	$(GO) build -o $(BIN)/abrplay ./cmd/abrplay

test: lint content test-unit test-timing ## the project's tests: lint, real content for end-to-end checks, unit suite with -race

test-unit: ## unit suite with the race detector
	$(GO) test -race -count=1 -timeout 20m $(PKGS)

test-timing: ## real-time verdicts without the race detector: driver conformance and --calibrate
	$(GO) test -count=1 -run 'TestMatrix|TestCalibrate' ./simulator/conformance ./cmd/abrkit

bench: ## benchmarks (BENCHTIME=2s for steadier figures)
	$(GO) test -run '^$$' -bench . -benchmem -benchtime $(BENCHTIME) $(PKGS)

SCALE_VIEWERS ?= 10000,100000
SCALE_LIVE    ?= 1000
bench-scale: ## viewer-s per CPU-s and KB per viewer (virtual time at SCALE_VIEWERS; live vs k6 at SCALE_LIVE) into docs/performance.md
	@mkdir -p $(BIN)
	CGO_ENABLED=0 $(GO) build -o $(BIN)/abrkit ./cmd/abrkit
	$(GO) run ./bench/scale -abrkit $(BIN)/abrkit -viewers $(SCALE_VIEWERS) -live $(SCALE_LIVE) -doc docs/performance.md

# A small budget fills the caches early, so that growth after warm-up is
# a leak rather than caches still filling (docs/memory.md).
SOAK         ?= 10m
SOAK_VIEWERS ?= 200
SOAK_WATCH   ?= 2m
SOAK_BUDGET  ?= 256MiB
bench-soak: ## serve + a live-mode simulate for SOAK (10m); fails if memory, goroutines or fds grow; tables into docs/memory.md
	@mkdir -p $(BIN)
	CGO_ENABLED=0 $(GO) build -o $(BIN)/abrkit ./cmd/abrkit
	$(GO) run ./bench/soak -abrkit $(BIN)/abrkit -duration $(SOAK) -viewers $(SOAK_VIEWERS) -watch $(SOAK_WATCH) \
		-memory-budget $(SOAK_BUDGET) -doc docs/memory.md -svg docs/memory-soak.svg

lint: ## gofmt, go vet and staticcheck
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet $(PKGS)
	@if command -v staticcheck >/dev/null 2>&1; then staticcheck $(PKGS); \
	elif [ -x "$$($(GO) env GOPATH)/bin/staticcheck" ]; then "$$($(GO) env GOPATH)/bin/staticcheck" $(PKGS); \
	else echo "lint: installing staticcheck $(STATICCHECK_VERSION)"; GOFLAGS= $(GO) install honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION) && "$$($(GO) env GOPATH)/bin/staticcheck" $(PKGS); fi

content: ## real H.264/AAC CMAF ladder with ffmpeg (HLS + DASH) in $(CONTENT)
	@scripts/make-content.sh $(CONTENT)

quickstart: ## the README's main job: reference backend + quickstart scenario
	$(GO) run ./cmd/abrkit simulate scenarios/quickstart.yaml

demo: display content ## the desktop demo player: embedded backend serving the ffmpeg-made content (needs a display)
	$(GO) run ./cmd/abrplay --serve --content $(CONTENT)

# display stops make demo early, with the headless command, when there is no screen.
display:
	@if [ -z "$${DISPLAY:-}$${WAYLAND_DISPLAY:-}" ]; then \
	  echo "make demo: no display (DISPLAY is not set). Run it headless with:"; \
	  echo "  xvfb-run -a -s '-screen 0 1280x720x24' make demo"; \
	  echo "or play without a window: go run ./cmd/abrkit play --help"; exit 2; fi

cross: ## cross-compile the SDK for linux/amd64, linux/arm64, android/arm64 and darwin/arm64 (CGO_ENABLED=0)
	@scripts/cross-compile.sh

clean: ## remove build outputs and default run outputs (out/)
	rm -rf $(BIN) out

abr-table: ## cross-dataset ABR table (shipped trace subsets) into docs/abr.md
	$(GO) run ./cmd/abrkit abr table --data testdata/traces --update docs/abr.md \
		--algo bb,bola,bolae,dynamic,dynamicdash,throughput,mpc,robustmpc,auto,optimal
