# vpack: `make demo` and `make test` work on a fresh Debian machine.
SHELL := /bin/bash
export PATH := /usr/local/go/bin:$(HOME)/go/bin:$(PATH)

VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo devel)
LDFLAGS := -X github.com/vpack-dev/vpack/internal/version.Version=$(VERSION)
GO_TEST_FLAGS ?= -timeout 14m

.PHONY: all setup build demo test vet bench clean e2e

all: build

setup:
	@scripts/setup.sh

build:
	go build -ldflags '$(LDFLAGS)' -o bin/vpack ./cmd/vpack

demo: setup build
	@scripts/demo.sh

vet:
	@unformatted=$$(gofmt -l $$(git ls-files '*.go')); \
	  if [ -n "$$unformatted" ]; then echo "gofmt needed: $$unformatted"; exit 1; fi
	go vet ./...

# Every test, with real ffmpeg: a missing tool fails instead of skipping.
test: setup vet
	@scripts/setup-push.sh
	VPACK_REQUIRE_FFMPEG=1 go test $(GO_TEST_FLAGS) ./...
	@$(MAKE) --no-print-directory e2e

# Real players (shaka-player, hls.js, dash.js) in headless Debian Chromium play
# every kind of package vpack makes. Installs chromium and e2e/node_modules when
# missing; prints "N passed, N failed" and where failure artefacts are.
e2e: setup build
	@scripts/setup-e2e.sh
	go build -o bin/vpack-e2e-server ./e2e/server
	cd e2e && node --test --test-reporter=spec test/
	cd e2e && node run.mjs

bench: setup
	go run ./bench/encodebench -o bench/results
	go run ./bench/packagebench -o bench/results
	go run ./bench/validatebench -o bench/results
	go run ./bench/fillbench -o bench/results
	@scripts/setup-vmaf.sh >/dev/null
	go run ./bench/ladderbench -o bench/results

clean:
	rm -rf bin demo-out .cache bench/results
