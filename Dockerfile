# syntax=docker/dockerfile:1
# The portal's image. The build happens here, once, not when a container starts; the runtime stage
# holds production dependencies only and runs as an unprivileged user, with a read-only root
# filesystem apart from /tmp (see docker-compose.yml and docs/operations.md).
#
#   docker build -t care-data-returns .                 # the portal (and `npm run db:*`)
#   docker build -t care-data-returns-ops --target ops .  # the same plus psql, for the migrate job

ARG NODE_IMAGE=node:20-bookworm-slim

# 1. Every dependency, then the build (Remix's server bundle, the browser bundle, GOV.UK assets).
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
# Applied by npm ci's postinstall (patch-package): see docs/decisions/007-performance.md.
COPY patches ./patches
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build

# 2. Production dependencies only (tsx among them: the migrate job runs db/cli.ts and seeds/cli.ts).
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
COPY patches ./patches
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

# 3. What runs: the compiled portal and worker (build/server), the browser bundles, production
#    node_modules; the TypeScript source only for the migrate job's commands.
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    PORT=3000 \
    TMPDIR=/tmp
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY package.json package-lock.json tsconfig.json remix.config.js ./
COPY app ./app
COPY db ./db
COPY seeds ./seeds
COPY scripts ./scripts
COPY docs/sql ./docs/sql
COPY --from=build /app/build ./build
COPY --from=build /app/public ./public
# The files belong to root and are only readable by the portal's user: it cannot change its own code.
# `node` (uid 1000) comes with the official image.
USER node
EXPOSE 3000
# Liveness only: /healthz does not touch the database (readiness is /readyz, for the load balancer).
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# One process (no npm wrapper), so SIGTERM reaches the portal and its graceful shutdown. Compiled
# ahead of time: no tsx loader thread, about 80 MB less memory (docs/decisions/007-performance.md).
CMD ["node", "--enable-source-maps", "build/server/server.js"]

# 4. The migrate job: the runtime plus psql, to apply docs/sql/app-role.sql as the owner.
FROM runtime AS ops
USER root
RUN apt-get update \
 && apt-get install -y --no-install-recommends postgresql-client \
 && rm -rf /var/lib/apt/lists/*
USER node
CMD ["sh", "scripts/migrate.sh"]
