# The menu. Every target runs with only Go (and gcc, for cgo) installed.
GO      ?= go
BIN     ?= bin/modmono
IMAGE   ?= modmono:dev
# What the binary and the image call this build; the image's build gets
# them as build arguments (it has no .git).
VERSION  ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
REVISION ?= $(shell git rev-parse HEAD 2>/dev/null || echo unknown)
SOURCE_DATE_EPOCH ?= $(shell git log -1 --format=%ct 2>/dev/null || echo 0)
# The static build the image holds: cgo for mattn/go-sqlite3, linked
# statically so the image needs no libc.
STATIC_TAGS    := osusergo netgo sqlite_omit_load_extension
STATIC_LDFLAGS := -s -w -X main.version=$(VERSION) -linkmode external -extldflags "-static"

.PHONY: run test lint fmt-check vet staticcheck deps-check generate generate-check docs docs-check openapi-lint client-test pgbouncer pgbouncer-stop bench build build-static rootfs image image-test docker package sls-package clean

run: ## run the server on its embedded defaults (:8080, ./data)
	$(GO) run .

test: ## the whole suite with the race detector; given TEST_DATABASE_URL and TEST_NATS_URL, the HTTP and module suites again on PostgreSQL + NATS
	$(GO) test -race -count=1 ./...
	@if [ -n "$$TEST_DATABASE_URL$$TEST_NATS_URL" ] || [ "$$REQUIRE_SERVICES" = 1 ]; then \
		echo "== the HTTP and module suites on PostgreSQL + NATS JetStream"; \
		TEST_STORAGE=postgres TEST_BUS=nats $(GO) test -race -count=1 ./wiring ./modules/... ./platform/messaging/...; \
	fi

lint: fmt-check vet staticcheck deps-check generate-check docs-check ## every check CI runs besides the tests

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi

vet:
	$(GO) vet ./...

staticcheck:
	$(GO) tool staticcheck ./...

deps-check: ## the dependency rule (docs/architecture.md, "Layout")
	$(GO) test -count=1 -run 'TestDependencyRule' .

generate: ## regenerate wiring/wire_gen.go
	$(GO) tool wire ./wiring

generate-check: ## fail when wiring/wire_gen.go is stale
	@tmp=$$(mktemp -d) && cp wiring/wire_gen.go $$tmp/ && $(GO) tool wire ./wiring >/dev/null && \
	if ! diff -u $$tmp/wire_gen.go wiring/wire_gen.go; then cp $$tmp/wire_gen.go wiring/; \
	echo "wiring/wire_gen.go is stale: run 'make generate' and commit it"; exit 1; fi

docs: ## regenerate docs/modules.md from the code (modmono docs)
	$(GO) run . docs docs/modules.md

docs-check: ## fail when docs/modules.md is stale
	$(GO) test -count=1 -run '^TestDocsModulesMdIsFresh$$' ./wiring

# The Spectral CLI, installed from npm into .tools/ on first use.
SPECTRAL_VERSION := 6.16.3
SPECTRAL         := .tools/node_modules/.bin/spectral

$(SPECTRAL):
	npm install --prefix .tools --no-audit --no-fund --loglevel=error @stoplight/spectral-cli@$(SPECTRAL_VERSION)

openapi-lint: $(SPECTRAL) ## the served OpenAPI document against Spectral's standard ruleset (spectral:oas, .spectral.yaml); fails on any warning
	@mkdir -p bin
	$(GO) test -count=1 -run '^TestTheOpenAPIDocumentListsEveryRoute$$' ./wiring -args -openapi-out=$(CURDIR)/bin/openapi.json
	$(SPECTRAL) lint --ruleset .spectral.yaml --fail-severity=warn bin/openapi.json

client-test: build ## a client generated from the served /openapi.json (openapi-typescript + openapi-fetch, from npm) drives the whole story under node --test
	npm ci --prefix clients/typescript --no-audit --no-fund --loglevel=error
	clients/typescript/run.sh $(BIN)

# PgBouncer (Debian's package) in transaction mode on 127.0.0.1:6432, in front
# of the local PostgreSQL on :5432, as a daemon: the tests that run through a
# transaction-pooling proxy (docs/scaling.md) need it and TEST_PGBOUNCER_URL.
PGBOUNCER     ?= /usr/sbin/pgbouncer
PGBOUNCER_URL := postgres://postgres@127.0.0.1:6432/postgres?sslmode=disable

$(PGBOUNCER):
	apt-get install -y pgbouncer || (apt-get update && apt-get install -y pgbouncer)

pgbouncer: $(PGBOUNCER) ## start PgBouncer (transaction mode, :6432) for TEST_PGBOUNCER_URL=$(PGBOUNCER_URL)
	@mkdir -p bin/pgbouncer
	@# PgBouncer refuses to run as root: as root (CI's container), it runs as postgres.
	@# One started by an earlier run (another clone) is reused: same settings.
	@if pg_isready -q -h 127.0.0.1 -p 6432 -U postgres -d postgres; then \
	  echo "pgbouncer already answers on :6432"; \
	elif [ "$$(id -u)" = 0 ]; then chown -R postgres bin/pgbouncer && $(PGBOUNCER) -d -u postgres .ci/pgbouncer.ini; \
	else $(PGBOUNCER) -d .ci/pgbouncer.ini; fi
	@for i in $$(seq 50); do pg_isready -q -h 127.0.0.1 -p 6432 -U postgres -d postgres && break; sleep 0.1; done
	@echo "TEST_PGBOUNCER_URL=$(PGBOUNCER_URL)"

pgbouncer-stop:
	@if [ -f bin/pgbouncer/pgbouncer.pid ]; then kill $$(cat bin/pgbouncer/pgbouncer.pid) || true; rm -f bin/pgbouncer/pgbouncer.pid; fi

bench: ## the figures the issues ask for (throughput, latency, relay, idle)
	$(GO) test -run '^$$' -bench . -benchtime=1x -count=1 ./wiring ./platform/messaging .

build:
	CGO_ENABLED=1 $(GO) build -o $(BIN) .

build-static: ## the static binary the image holds (make rootfs runs it)
	CGO_ENABLED=1 $(GO) build -trimpath -tags '$(STATIC_TAGS)' -ldflags '$(STATIC_LDFLAGS)' -o $(BIN) .

# Every folder under modules/ is a module (wiring/wiring.go's catalog lists them).
MODULES     := $(sort $(notdir $(patsubst %/,%,$(wildcard modules/*/))))
LAMBDA_DIR  := bin/lambda
# The Serverless Framework v3 CLI, installed from npm into .tools/ on first use.
SLS_VERSION := 3.40.0
SLS         := .tools/node_modules/.bin/serverless

package: ## per-module Lambda artifacts (bin/lambda/<module>.zip, each holding bootstrap)
	$(MAKE) build-static BIN=$(LAMBDA_DIR)/bootstrap
	for m in $(MODULES); do rm -f $(LAMBDA_DIR)/$$m.zip; \
	  (cd $(LAMBDA_DIR) && python3 -m zipfile -c $$m.zip bootstrap); done
	ls -l $(LAMBDA_DIR)

$(SLS):
	npm install --prefix .tools --no-audit --no-fund --loglevel=error serverless@$(SLS_VERSION)

sls-package: package $(SLS) ## serverless package, offline: no AWS account or credentials needed
	SLS_TELEMETRY_DISABLED=1 SLS_NOTIFICATIONS_MODE=off AWS_ACCESS_KEY_ID=none AWS_SECRET_ACCESS_KEY=none \
	  $(SLS) package --stage ci --region eu-west-1

# The image (Dockerfile). `make rootfs` writes the files of its last stage;
# the Dockerfile's build stage runs the same target.
IMAGE_DIR ?= bin/image
# docker when an engine answers, else podman (CI: podman, see .ci/run).
ENGINE    ?= $(shell docker info >/dev/null 2>&1 && echo docker || echo podman)
# podman keeps HEALTHCHECK only in Docker's image format; --timestamp makes
# the image reproducible (docker: SOURCE_DATE_EPOCH, a build argument).
ENGINE_BUILD_FLAGS ?= $(if $(findstring podman,$(ENGINE)),--format docker --timestamp $(SOURCE_DATE_EPOCH),--build-arg SOURCE_DATE_EPOCH=$(SOURCE_DATE_EPOCH))
IMAGE_ARGS = --build-arg VERSION=$(VERSION) --build-arg REVISION=$(REVISION) \
	--build-arg CREATED=$(shell date -u -d @$(SOURCE_DATE_EPOCH) +%Y-%m-%dT%H:%M:%SZ)

rootfs: ## the image's files in bin/image: fs/ (binary, CA certificates, passwd, group, /tmp) and data/ (the volume)
	rm -rf $(IMAGE_DIR)
	mkdir -p $(IMAGE_DIR)/fs/etc/ssl/certs $(IMAGE_DIR)/fs/tmp $(IMAGE_DIR)/data
	$(MAKE) build-static BIN=$(IMAGE_DIR)/fs/modmono
	cp /etc/ssl/certs/ca-certificates.crt $(IMAGE_DIR)/fs/etc/ssl/certs/
	printf 'root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/nonexistent:/sbin/nologin\n' >$(IMAGE_DIR)/fs/etc/passwd
	printf 'root:x:0:\nnonroot:x:65532:\n' >$(IMAGE_DIR)/fs/etc/group
	chmod 0644 $(IMAGE_DIR)/fs/etc/passwd $(IMAGE_DIR)/fs/etc/group $(IMAGE_DIR)/fs/etc/ssl/certs/ca-certificates.crt
	chmod 1777 $(IMAGE_DIR)/fs/tmp

image: rootfs ## the image's last stage from bin/image, with docker or podman: no registry needed
	$(ENGINE) build $(ENGINE_BUILD_FLAGS) --build-context rootfs=$(IMAGE_DIR) $(IMAGE_ARGS) -t $(IMAGE) .

image-test: image ## run the image and drive it (image_test.go): the story, non-root, read-only, restart, SIGTERM, health check, no shell, size, a Lambda and a Cloud Run target
	TEST_IMAGE=$(IMAGE) CONTAINER_ENGINE="$(ENGINE)" $(GO) test -race -count=1 -v -run '^TestImage' .

docker: ## the whole Dockerfile, Go build stage included (needs a Docker engine and a registry)
	docker build --build-arg SOURCE_DATE_EPOCH=$(SOURCE_DATE_EPOCH) $(IMAGE_ARGS) -t $(IMAGE) .

clean:
	rm -rf bin data .serverless .tools clients/typescript/node_modules clients/typescript/gen clients/typescript/dist
