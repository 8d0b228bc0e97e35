# syntax=docker/dockerfile:1
#
# The image: FROM scratch, the static binary, CA certificates, a non-root
# user, a /data volume owned by it and /tmp. No shell, no package manager.
#
#   make docker   the whole build below, with a Go image (needs a registry)
#   make image    the last stage only, from the same files built on this
#                 machine by `make rootfs` (--build-context rootfs=bin/image),
#                 with docker or podman: what CI builds and runs (make image-test)
#
# Both run `make rootfs`, and the last stage is the same lines either way.

ARG GO_IMAGE=golang:1.26-bookworm

# Build: cgo for mattn/go-sqlite3, linked statically, so no libc is needed.
FROM ${GO_IMAGE} AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
RUN make rootfs IMAGE_DIR=/rootfs VERSION=${VERSION}

# The image's files: fs/ is the root file system, data/ the volume.
# `make image` replaces this stage with bin/image.
FROM scratch AS rootfs
COPY --from=build /rootfs/ /

FROM scratch
COPY --from=rootfs /fs/ /
COPY --from=rootfs --chown=65532:65532 /data/ /data/
ARG VERSION=dev
ARG REVISION=unknown
ARG CREATED=1970-01-01T00:00:00Z
LABEL org.opencontainers.image.title="modmono" \
      org.opencontainers.image.description="A modular monolith (users, orders, notifications) that runs as one server or as one module's function" \
      org.opencontainers.image.source="https://example.com/modmono" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.created="${CREATED}"
# /metrics on a port of its own, reached only where it is published.
ENV DATA_DIR=/data PORT=8080 METRICS_ADDR=:9090 TMPDIR=/tmp
VOLUME /data
EXPOSE 8080 9090
USER 65532:65532
# The probe asks the server on PORT for /healthz; `probe /readyz` tells
# whether every module is ready (docs/deploy-container.md).
HEALTHCHECK --interval=15s --timeout=5s --start-period=20s --retries=3 CMD ["/modmono", "probe"]
ENTRYPOINT ["/modmono"]
CMD ["serve"]
