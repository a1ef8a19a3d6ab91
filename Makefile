# podlife: run the living documentation, test everything.
GO ?= go

.PHONY: run test update bench lint build docs mermaid fuzz compare conformance

# run prints the living documentation of pod creation: every scenario of
# features/pod_creation.feature with the trace of the first one.
run:
	$(GO) run ./cmd/podlife run features/pod_creation.feature --format pretty
	$(GO) run ./cmd/podlife apply --cluster examples/cluster.yaml -f examples/pod-demo.yaml

test:
	$(GO) test ./...

# update rewrites every golden file; read the diff before you commit.
update:
	$(GO) test ./... -update

bench:
	$(GO) test ./model -run '^$$' -bench . -benchmem

# lint: gofmt, go vet and staticcheck (pinned; fetched through the module
# proxy the first time, about two minutes cold on two cores).
lint:
	@test -z "$$(gofmt -l .)" || (gofmt -l .; echo "gofmt: the files above need formatting"; exit 1)
	$(GO) vet ./...
	$(GO) run honnef.co/go/tools/cmd/staticcheck@v0.8.2 ./...

build:
	$(GO) build -o bin/podlife ./cmd/podlife

# docs regenerates the step catalogue (go test ./steps checks it is current)
# and writes the living documentation site to site/.
docs:
	$(GO) run ./cmd/podlife steps > docs/steps.md
	$(GO) run ./cmd/podlife docs -o site

# mermaid installs the real Mermaid (npm) into .cache/mermaid, for the test
# that renders every diagram the docs emit with it in headless Chromium
# (skipped where it is missing; .ci/run requires it).
MERMAID_VERSION ?= 11.17.2
mermaid:
	test -f .cache/mermaid/node_modules/mermaid/package.json && grep -q '"version": "$(MERMAID_VERSION)"' .cache/mermaid/node_modules/mermaid/package.json || \
		npm install --prefix .cache/mermaid --no-audit --no-fund --no-save --silent mermaid@$(MERMAID_VERSION)

# fuzz runs each fuzz target for a minute.
fuzz:
	$(GO) test ./manifest -run '^$$' -fuzz FuzzParse -fuzztime 60s
	$(GO) test ./verify -run '^$$' -fuzz FuzzCEL -fuzztime 60s
	$(GO) test ./steps -run '^$$' -fuzz FuzzStepArguments -fuzztime 60s

# compare builds (once) and starts a real v1.37.2 control plane, replays
# every case of hack/controlplane/cases on it and on the model, and stops
# it; it fails on any message the model words differently. About 10
# minutes the first time (building Kubernetes), 2 after that.
compare:
	hack/controlplane/up.sh .controlplane >/dev/null
	hack/controlplane/compare.sh .controlplane/admin.kubeconfig; status=$$?; hack/controlplane/down.sh .controlplane; exit $$status

# conformance builds (once) and starts a fresh real v1.37.2 control plane
# (kwok plays the nodes), runs every @conformance scenario of features/ on
# it through the cluster backend, a feature file through
# `podlife run --kubeconfig`, and a `podlife snapshot` of it through
# `podlife apply` (one package at a time: scenarios must not
# share the cluster), and stops it, passing or not. About 10
# minutes the first time (building Kubernetes), then about 14 for the
# scenarios (894 s for 70 on two cores on 2026-12-05; kwok keeps every
# deleted pod its full grace period). A whole .ci/run took 22 minutes.
conformance:
	rm -rf .conformance
	hack/controlplane/up.sh .conformance >/dev/null
	PODLIFE_BACKEND=cluster PODLIFE_KUBECONFIG=$(CURDIR)/.conformance/admin.kubeconfig \
		$(GO) test -p 1 -count=1 -timeout 40m -v -run '^(TestFeatures|TestRunOnAClusterPrintsWhatTheModelRunPrints|TestASnapshotAnswersAsTheClusterDoes)$$' ./steps ./cmd/podlife; \
		status=$$?; hack/controlplane/down.sh .conformance >/dev/null; exit $$status
