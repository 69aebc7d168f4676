# gitward — `make help` lists the targets. The two commands a newcomer needs:
#   make demo   the whole story on a local control plane
#   make test   everything, end-to-end tests included

SHELL := /usr/bin/env bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

ROOT        := $(shell pwd)
BIN         := $(ROOT)/bin
TOOLS_BIN   ?= $(ROOT)/.cache/bin
LOCAL       := $(ROOT)/.local
VERSION     ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
COMMIT      ?= $(shell git rev-parse HEAD 2>/dev/null)
LDFLAGS     := -s -w -X github.com/gitward/gitward/pkg/version.version=$(VERSION) \
               -X github.com/gitward/gitward/pkg/version.commit=$(COMMIT)
E2E_TIMEOUT ?= 60m
GO_TEST_FLAGS ?=

export GITWARD_TOOLS_BIN := $(TOOLS_BIN)

BINARIES := kubectl-gitops:./plugins/kubectl-gitops \
            git-gitops:./plugins/git-gitops \
            gitward-webhook:./webhook \
            gitward-agent:./agent

##@ Start here

.PHONY: help
help: ## Show this help
	@awk 'BEGIN {FS = ":.*##"; printf "Usage: make \033[36m<target>\033[0m\n"} \
	  /^[a-zA-Z0-9_-]+:.*?##/ { printf "  \033[36m%-14s\033[0m %s\n", $$1, $$2 } \
	  /^##@/ { printf "\n\033[1m%s\033[0m\n", substr($$0, 5) }' $(MAKEFILE_LIST)

.PHONY: demo
demo: build tools ## Run the whole story on a local control plane (builds what it needs)
	@bash hack/demo.sh

.PHONY: test
test: lint docs-check test-unit test-e2e ## Everything: checks and staticcheck, reference pages, unit tests, end-to-end tests (builds the tools first when missing)

##@ Build

.PHONY: build
build: ## Build the four binaries into bin/
	@mkdir -p $(BIN)
	@for b in $(BINARIES); do \
	  name=$${b%%:*}; pkg=$${b#*:}; \
	  echo "build: bin/$$name"; \
	  go build -trimpath -ldflags "$(LDFLAGS)" -o $(BIN)/$$name $$pkg; \
	done

.PHONY: tools
tools: ## Build the real control plane (etcd, kube-apiserver, kube-controller-manager, kubectl), a node (kubelet, kube-proxy, kube-scheduler; containerd, runc, CNI plugins from apt) and test tools into .cache/bin; idempotent
	@bash hack/tools.sh

.PHONY: images
images: ## Build the OCI image (gitward-agent + gitward-webhook, linux/amd64 + linux/arm64) into dist/images without Docker; prints its digest
	@go run ./hack/images -version $(VERSION) -commit $(COMMIT) -out dist/images

.PHONY: release
release: ## Build release archives and the OCI image into dist/ and fill their sha256 into the krew manifest
	@bash hack/release.sh

##@ Documentation

.PHONY: docs
docs: ## Regenerate the command reference pages in docs/reference (hack/gendocs)
	go run ./hack/gendocs -out docs/reference

MANDIR ?= $(HOME)/.local/share/man

.PHONY: install-man
install-man: ## Install git-gitops man pages into $(MANDIR)/man1, so `git gitops --help` opens them (MANDIR must be on man's path; see docs/install.md)
	go run ./hack/gendocs -man $(MANDIR)/man1

.PHONY: docs-check
docs-check: ## Fail when docs/reference or the generated admission scope is stale (regenerates into a temporary folder and diffs)
	@tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; \
	go run ./hack/gendocs -out "$$tmp"; \
	if ! diff -ru docs/reference "$$tmp"; then echo "docs/reference is stale: run make docs"; exit 1; fi; \
	echo "docs-check: docs/reference is up to date"
	@go test -count=1 -run '^TestGeneratedFilesAreUpToDate$$' ./pkg/admitscope >/dev/null || \
	  { echo "the admission scope's generated files are stale: run make generate"; exit 1; }
	@echo "docs-check: the admission scope's generated files are up to date"

.PHONY: generate
generate: ## Write the webhook configuration, the policy floor (manifests/vap) and the scope table of docs/security.md from pkg/admitscope
	go run ./hack/genadmission

##@ Test

.PHONY: test-unit
test-unit: ## Unit tests (no cluster)
	go test $(GO_TEST_FLAGS) ./...

.PHONY: test-e2e
test-e2e: tools ## End-to-end tests on the local control plane
	go test $(GO_TEST_FLAGS) -tags e2e -p 1 -timeout $(E2E_TIMEOUT) ./tests/... ./pkg/apply/ ./pkg/admit/

.PHONY: verify
verify: ## Fast checks: pinned module versions, gofmt, go vet
	@bash hack/check-pins.sh
	@go mod tidy -diff >/dev/null || { echo 'go.mod is not tidy: run go mod tidy'; exit 1; }
	@out=$$(gofmt -l $$(git ls-files '*.go') 2>&1); if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	go vet ./...
	go vet -tags e2e ./tests/...

.PHONY: lint
lint: verify ## verify plus staticcheck (pinned in tests/tools/lint)
	@cd tests/tools/lint && go build -o $(TOOLS_BIN)/staticcheck honnef.co/go/tools/cmd/staticcheck
	$(TOOLS_BIN)/staticcheck ./...

.PHONY: bench
bench: build tools ## Run the benchmark suite and print ratios against the peers
	@bash hack/bench.sh

##@ Local control plane

.PHONY: cluster-up
cluster-up: tools ## Start etcd, kube-apiserver and kube-controller-manager on loopback (kubeconfig in .local/kubeconfig)
	@go run ./tests/localcluster/cmd/localcluster up --dir $(LOCAL)

.PHONY: cluster-down
cluster-down: ## Stop the local control plane and leave no process behind
	@go run ./tests/localcluster/cmd/localcluster down --dir $(LOCAL)

.PHONY: clean
clean: ## Remove bin/, dist/ and .local/ (keeps the tools cache)
	rm -rf $(BIN) dist $(LOCAL)
