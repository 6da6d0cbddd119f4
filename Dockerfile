# syntax=docker/dockerfile:1
# The vendor container image: `docker run --rm -v "$PWD:/work" IMAGE check`.
# Build stage: the same release build as the release workflow (scripts/build-release.sh build),
# for the build platform's musl target, so the binary is static. Runtime stage: Alpine with git
# (for git sources: `git = ...` entries and `versions = { git-tags = ... }`) and CA certificates, running as an unprivileged user.

ARG RUST_VERSION=1.95
ARG ALPINE_VERSION=3.22

FROM rust:${RUST_VERSION}-alpine${ALPINE_VERSION} AS build
RUN apk add --no-cache bash musl-dev
WORKDIR /src
COPY . .
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/src/target \
    target="$(rustc -vV | sed -n 's/^host: //p')" \
    && bin="$(scripts/build-release.sh build "$target")" \
    && install -D -m 0755 "$bin" /out/vendor \
    && /out/vendor --version

FROM alpine:${ALPINE_VERSION}
RUN apk add --no-cache ca-certificates git \
    && adduser -D -u 10001 vendor
COPY --from=build /out/vendor /usr/local/bin/vendor
USER vendor
WORKDIR /work
ENTRYPOINT ["vendor"]
CMD ["check"]
