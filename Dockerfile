# Build: cgo is needed for mattn/go-sqlite3; the binary is linked statically.
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN make build-static BIN=/out/modmono && mkdir -p /out/data

# Run: no shell, no libc, non-root.
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/modmono /modmono
COPY --from=build --chown=65532:65532 /out/data /data
# /metrics on a port of its own, reached only where it is published.
ENV DATA_DIR=/data PORT=8080 METRICS_ADDR=:9090
VOLUME /data
EXPOSE 8080 9090
USER 65532:65532
ENTRYPOINT ["/modmono"]
CMD ["serve"]
