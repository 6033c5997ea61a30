# Multi-stage build of the console (cannot be built on the development machines: no Docker
# engine there; kept correct by review). Stage 1 builds with cargo-leptos, stage 2 runs it.
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
ENV LEPTOS_OUTPUT_NAME=camunda-backup-console \
    LEPTOS_SITE_ROOT=/usr/share/camunda-backup-console/site \
    LEPTOS_SITE_PKG_DIR=pkg \
    LEPTOS_ENV=PROD \
    CONSOLE_LISTEN=0.0.0.0:3000 \
    CONSOLE_DATABASE_URL=sqlite:///var/lib/console/console.db?mode=rwc
EXPOSE 3000
ENTRYPOINT ["/usr/local/bin/camunda-backup-console"]
