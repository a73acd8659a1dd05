# syntax=docker/dockerfile:1
# frontierwatch: a static binary on a distroless, non-root image.
#   docker build -t frontierwatch .
#   docker run -d -p 8080:8080 -v frontierwatch-data:/data frontierwatch
# With a config file: -v ./frontierwatch.yaml:/etc/frontierwatch.yaml:ro and
# append "run --config /etc/frontierwatch.yaml" to `docker run`.

FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
# .ci/run runs this exact build line outside Docker, so it stays honest.
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w -X github.com/frontierwatch/frontierwatch.Version=${VERSION}" -o /out/frontierwatch ./cmd/frontierwatch

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/frontierwatch /frontierwatch
# The archive lives in /data; the API and health checks listen on 8080.
ENV FRONTIERWATCH_DATABASE_URL=sqlite:///data/frontierwatch.db \
    FRONTIERWATCH_SERVER_LISTEN=0.0.0.0:8080
VOLUME ["/data"]
WORKDIR /data
EXPOSE 8080
USER nonroot:nonroot
HEALTHCHECK --interval=30s --timeout=10s --start-period=20s --retries=3 CMD ["/frontierwatch", "health"]
ENTRYPOINT ["/frontierwatch"]
CMD ["run"]
