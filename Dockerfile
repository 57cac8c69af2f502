# One image for every process of the system (see docker-compose.yml):
#   API (default)   npx tsx runtime/server.ts
#   worker          npx tsx runtime/worker.ts
#   migrations      npx tsx runtime/migrate.ts
# Production talks to an external PostgreSQL and Temporal (DATABASE_URL, TEMPORAL_ADDRESS), so no
# Temporal CLI is installed and scripts/setup.mjs is not used here.
FROM node:20-bookworm-slim

WORKDIR /app

# Dependencies first: this layer is rebuilt only when the lockfile changes. Dev dependencies stay
# on purpose: the services run TypeScript through tsx, and the worker bundles workflows at start-up.
# NODE_ENV is set only afterwards, because with NODE_ENV=production `npm ci` would skip them.
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund && npm cache clean --force

COPY . .

ENV NODE_ENV=production \
    PORT=3000
# Not root: nothing here needs it, and tsx's compile cache goes to the world-writable /tmp.
USER node
EXPOSE 3000
CMD ["npx", "tsx", "runtime/server.ts"]
