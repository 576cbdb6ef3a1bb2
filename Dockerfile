# Sluice container image. Multi-stage: the build stage has the C/C++ toolchain that
# better-sqlite3 needs when no prebuilt binary matches, the runtime stage only Node and the app.
#   docker build -t sluice .
#   docker run -p 8080:8080 -p 1883:1883 -v sluice-data:/var/lib/sluice sluice
# See docs/en/deployment.md. (Not built in CI: the test machines have no Docker engine;
# test/packaging.test.ts checks that what it copies exists and that its command is the bin.)

FROM node:20-bookworm AS build
WORKDIR /app
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build && npm prune --omit=dev

FROM node:20-bookworm-slim
ENV NODE_ENV=production \
    SLUICE_HOST=0.0.0.0 \
    SLUICE_DB=/var/lib/sluice/sluice.db \
    SLUICE_EMBEDDED_BROKER_HOST=0.0.0.0 \
    SLUICE_LOG_FORMAT=json
WORKDIR /app
RUN groupadd --system sluice && useradd --system --gid sluice --home-dir /var/lib/sluice sluice \
 && mkdir -p /var/lib/sluice && chown sluice:sluice /var/lib/sluice
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY bin ./bin
COPY console ./console
USER sluice
VOLUME ["/var/lib/sluice"]
EXPOSE 8080 1883
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.SLUICE_PORT||8080)+'/ready').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
ENTRYPOINT ["node", "/app/bin/sluice.js"]
CMD ["serve"]
