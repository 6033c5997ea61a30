# Multi-stage build of the console (cannot be built on the development machines: no Docker
# engine there; kept correct by review). Stage 1 builds with cargo-leptos, stage 2 runs it as
# the non-root user 10001 (deploy/kubernetes runs it with a read-only root file system; the
# journal lives on a volume at /var/lib/console).
FROM rust:1.95-bookworm AS build
RUN rustup target add wasm32-unknown-unknown \
 && apt-get update && apt-get install -y --no-install-recommends nodejs npm \
 && rm -rf /var/lib/apt/lists/*
RUN CARGO_PROFILE_RELEASE_LTO=off CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 \
    cargo install cargo-leptos --version 0.3.10 --locked
WORKDIR /src
COPY Cargo.toml Cargo.lock ./
# .cargo/config.toml: the build flags every build of the crate shares (erase_components).
COPY .cargo .cargo
COPY crates crates
COPY src src
COPY migrations migrations
COPY benches benches
COPY style style
COPY public public
COPY end2end/package.json end2end/package-lock.json end2end/
RUN WB=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/"/, "", $3); print $3; exit }' Cargo.lock) \
 && cargo install wasm-bindgen-cli --version "$WB" --locked \
 && cd end2end && npm ci --no-audit --no-fund
RUN PATH="/src/end2end/node_modules/.bin:$PATH" cargo leptos build --release --split --precompress

FROM debian:bookworm-slim AS runtime
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --home /var/lib/console console \
 && mkdir -p /var/lib/console && chown console /var/lib/console
COPY --from=build /src/target/release/camunda-backup-console /src/target/release/hash.txt /usr/local/bin/
COPY --from=build /src/target/site /usr/share/camunda-backup-console/site
USER console
WORKDIR /var/lib/console
# Only Leptos' own variables: a CONSOLE_* variable would override the configuration file's key
# (the environment wins), so the settings come from --config (deploy/kubernetes: a ConfigMap).
ENV LEPTOS_OUTPUT_NAME=camunda-backup-console \
    LEPTOS_SITE_ROOT=/usr/share/camunda-backup-console/site \
    LEPTOS_SITE_PKG_DIR=pkg \
    LEPTOS_ENV=PROD
EXPOSE 3000 9464
# `docker run IMAGE --config /etc/console/console.toml`; `check-config --config …` validates a
# file and exits; `user set NAME --role ROLE` adds a user.
ENTRYPOINT ["/usr/local/bin/camunda-backup-console"]
