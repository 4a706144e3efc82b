# Build: the release binary, with the SQL migrations compiled in.
FROM rust:1.95-bookworm AS build
WORKDIR /src
COPY . .
RUN cargo build --release --locked --bin hotline

# Run: a small image with the binary and a volume for the SQLite file and its secrets.
FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates tini \
    && rm -rf /var/lib/apt/lists/* && useradd --system --home /data hotline \
    && mkdir /data && chown hotline /data
COPY --from=build /src/target/release/hotline /usr/local/bin/hotline
USER hotline
WORKDIR /data
ENV HOTLINE_DATABASE_URL=sqlite:///data/hotline.db \
    HOTLINE_SECRETS_FILE=/data/hotline.secrets \
    HOTLINE_LISTEN=0.0.0.0:8080
EXPOSE 8080
VOLUME /data
ENTRYPOINT ["tini", "--", "hotline"]
CMD ["serve", "--log-json"]
