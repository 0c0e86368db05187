# Commands of cloudtrail-mrk. `make synth` and `make test` are the two the
# README promises work on a fresh clone; `make help` lists them all.
SHELL := /bin/bash

# Every command runs in the environment of scripts/env: the Node.js that
# scripts/setup-node chose (22.19 or later; nothing runs on Node.js 20), the
# CDK Terrain CLI's log in .tools/log, no version check. One source for both.
ENV := . scripts/env &&
# step NAME CMD...: says when a step starts and how long it took.
STEP := scripts/step

.PHONY: help setup synth test vet unit examples-app check-access validate scan bench

## help: print the commands of this project (the same text as ./help)
help:
	@./help

## setup: install Node.js 22 if needed, the pinned CDK Terrain CLI and the Go modules, and prime the jsii package cache (.jsii-cache/)
setup:
	@scripts/setup-node
	@$(ENV) $(MAKE) --no-print-directory node_modules/.bin/cdktn
	go mod download
	@# The fast path: the AWS provider bindings, extracted by the jsii runtime
	@# into .jsii-cache/ and rewritten there to load lazily (internal/runtime/jsiicache).
	$(ENV) go run ./cmd/prime-jsii-cache

node_modules/.bin/cdktn: package.json package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund
	@# A go.mod makes node_modules a module of its own, so that ./... skips the
	@# Go sources some npm packages ship.
	@echo "module ignored/node_modules" > node_modules/go.mod
	@touch $@

## synth: set up, then synthesize the configuration named by CLOUDTRAIL_MRK_CONFIG (default: built-in) into cdktf.out/
synth: setup
	$(ENV) npx cdktn synth

## vet: formatting and go vet
vet:
	@unformatted="$$(gofmt -l $$(git ls-files '*.go'))"; \
	if [ -n "$$unformatted" ]; then echo "gofmt would change: $$unformatted"; exit 1; fi
	go vet ./...
	cd examples/app && go vet ./...

## check-access: synthesize, then evaluate every generated policy offline (prints each expectation)
check-access: synth
	$(ENV) go run ./cmd/check-access -v

## validate: terraform validate and an offline terraform plan of every stack of CLOUDTRAIL_MRK_CONFIG (default: built-in)
validate: setup
	$(ENV) go run ./cmd/validate -v

## bench: the verifier against its floor (writes cmd/bench-verify/results.md), then synthesis time and memory against the floor (writes cmd/bench/results.md)
bench:
	$(ENV) go run ./cmd/bench-verify
	$(ENV) go run ./cmd/bench

## scan: Trivy over the HCL of every stack of the default configuration and each example
scan:
	$(ENV) scripts/scan

## test: vet, every unit, synth and golden test, the access check of every configuration,
## terraform validate and an offline plan of every stack the project ships, then the scan;
## each step says when it starts and how long it took
test:
	@$(STEP) "gofmt and go vet" $(MAKE) --no-print-directory vet
	@$(ENV) $(STEP) "go test ./..." go test ./...
	@# examples/app is a module of its own (a CDKTF app built from our constructs).
	@$(ENV) cd examples/app && ../../$(STEP) "go test in examples/app" go test ./...
	@$(ENV) $(STEP) "access check of every shipped configuration" scripts/check-access
	@$(ENV) $(STEP) "terraform validate and offline plan of every shipped configuration" go run ./cmd/validate -project
	@$(ENV) $(STEP) "Trivy scan" scripts/scan
