// Local stand-ins for the production services, used by `npm start` (runtime/start.ts) and the tests:
// an embedded PostgreSQL and the Temporal CLI dev server. Node zone only. The parts live in
// dev-stack/; this entry exports what the callers use.
export { findTemporalBinary } from './dev-stack/binaries.js';
export { firstUnreachableFolder, postgresReachabilityProblem } from './dev-stack/postgres-access.js';
export { startEmbeddedPostgres } from './dev-stack/postgres.js';
export { freePort } from './dev-stack/processes.js';
export { DEV_SEARCH_ATTRIBUTES, startTemporalDevServer } from './dev-stack/temporal.js';
