import type { SupplierDetails } from '../formats/payment-invoice.pdf.js';
import ms from 'ms';
import { z } from 'zod';

/** `ms`-style duration ("500ms", "20s", "5m", "10d") parsed to milliseconds. */
const Duration = z.string().transform((value, ctx) => {
  const parsed = ms(value as ms.StringValue);
  if (typeof parsed !== 'number' || !Number.isFinite(parsed) || parsed <= 0) {
    ctx.addIssue({ code: 'custom', message: `not a duration: "${value}" (use 500ms, 20s, 5m, 10d)` });
    return z.NEVER;
  }
  return parsed;
});

const Blank = z.literal('').transform(() => undefined);
/** A demo value used when the variable is unset or blank (so a blank one still counts as "not set"). */
const demoDefault = (value: string) =>
  z
    .string()
    .optional()
    .transform((v) => (v === undefined || v.trim() === '' ? value : v));
const optional = <T extends z.ZodType>(schema: T) => z.union([Blank, schema]).optional();

export const DEV_JWT_SECRET = 'dev-secret-change-me-in-production-0123456789';
/** HS256 keys shorter than this are guessable offline from one token (RFC 7518 §3.2). */
export const MIN_JWT_SECRET_BYTES = 32;

const Bytes = z.coerce
  .number()
  .int()
  .min(1024)
  .max(64 * 1024 * 1024);

const ConfigSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  DATA_DIR: z.string().default('.data'),
  DATABASE_URL: optional(z.url()),
  // Each process has its own pools: the API's requests never wait behind the worker's activities.
  DB_POOL_API: z.coerce.number().int().min(1).max(200).default(10),
  DB_POOL_WORKER: z.coerce.number().int().min(1).max(200).default(10),
  TEMPORAL_ADDRESS: optional(z.string()),
  TEMPORAL_NAMESPACE: z.string().default('default'),
  TEMPORAL_TASK_QUEUE: z.string().default('orders'),
  TEMPORAL_CLI: optional(z.string()),
  /**
   * Workflows the worker keeps in memory (sticky cache); one left out is replayed from its history
   * on its next task. Unset: the SDK's default from the heap limit (about 2,300 on a 4 GB heap).
   */
  WORKER_MAX_CACHED_WORKFLOWS: optional(z.coerce.number().int().min(0).max(1_000_000)),
  TEMPORAL_DEV_PORT: z.coerce.number().int().min(1).max(65535).default(7233),
  TEMPORAL_UI_PORT: z.coerce.number().int().min(1).max(65535).default(8233),
  /** `development` lets `npm run api` / `npm run worker` run on the dev defaults; anything else (or unset) is production for them. */
  APP_ENV: optional(z.enum(['development', 'production'])),
  AUTH_JWT_SECRET: z
    .string()
    .refine((s) => Buffer.byteLength(s, 'utf8') >= MIN_JWT_SECRET_BYTES, `at least ${MIN_JWT_SECRET_BYTES} bytes (e.g. openssl rand -hex 32)`)
    .default(DEV_JWT_SECRET),
  /** Longest accepted token lifetime (exp − iat); tokens without exp are refused. */
  AUTH_JWT_MAX_TTL: Duration.prefault('30d'),
  /** Clock skew tolerated on exp, nbf and iat. */
  AUTH_JWT_CLOCK_SKEW: Duration.prefault('30s'),
  AUTH_JWT_ISSUER: optional(z.string().min(1)),
  AUTH_JWT_AUDIENCE: optional(z.string().min(1)),
  /** Largest JSON request body; larger ones get 413 before they are read. */
  API_JSON_BODY_LIMIT: Bytes.default(256 * 1024),
  /** Write requests (POST, PUT, PATCH, DELETE) per token per minute; 0 turns the limit off. */
  RATE_LIMIT_WRITES_PER_MINUTE: z.coerce.number().int().min(0).max(1_000_000).default(300),
  /** Writes a token may send at once before the per-minute rate applies. */
  RATE_LIMIT_BURST: z.coerce.number().int().min(1).max(1_000_000).default(100),
  /** Deadline of the API's calls to Temporal (an update waiting for its result included). */
  API_TEMPORAL_TIMEOUT: Duration.prefault('15s'),
  /** How long an API request waits for a database connection before answering 503. */
  API_DB_CONNECT_TIMEOUT: Duration.prefault('1s'),
  RESEND_API_KEY: optional(z.string()),
  RESEND_BASE_URL: optional(z.url()),
  EMAIL_FROM: z.string().default('Оптовый кабинет <orders@example.com>'),
  INVOICE_TTL: Duration.prefault('10d'),
  INVOICE_REMINDER_BEFORE: Duration.prefault('2d'),
  MERGE_CLEANUP_DELAY: Duration.prefault('5m'),
  WAITLIST_HOLD: Duration.prefault('24h'),
  WAITLIST_TTL: Duration.prefault('30d'),
  PUBLIC_URL: optional(z.url()),
  // Supplier and bank details printed on payment invoices ("счёт на оплату"); demo values by default.
  SUPPLIER_NAME: demoDefault('ООО «Оптовая торговая компания»'),
  SUPPLIER_INN: demoDefault('7701234567'),
  SUPPLIER_KPP: demoDefault('770101001'),
  SUPPLIER_ADDRESS: demoDefault('125009, г. Москва, ул. Тверская, д. 1, офис 101'),
  SUPPLIER_PHONE: demoDefault('+7 (495) 123-45-67'),
  SUPPLIER_DIRECTOR: demoDefault('Иванов И. И.'),
  SUPPLIER_ACCOUNTANT: demoDefault('Петрова А. С.'),
  SUPPLIER_BANK_NAME: demoDefault('ПАО СБЕРБАНК, г. Москва'),
  SUPPLIER_BANK_BIK: demoDefault('044525225'),
  SUPPLIER_BANK_ACCOUNT: demoDefault('40702810900000000001'),
  SUPPLIER_BANK_CORR_ACCOUNT: demoDefault('30101810400000000225'),
  /** Days a realization may stay unpaid before it is overdue (receivables report). */
  PAYMENT_TERM_DAYS: z.coerce.number().int().min(0).max(365).default(14),
  /** Port of the worker's Prometheus endpoint (Temporal SDK metrics at /metrics); unset = off. */
  WORKER_METRICS_PORT: optional(z.coerce.number().int().min(1).max(65535)),
  /**
   * /readyz counts a worker as there when it polled the task queue this recently. Idle workers
   * re-poll about once a minute (the server's long-poll timeout), so keep it above that.
   */
  READYZ_WORKER_SEEN_WITHIN: Duration.prefault('90s'),
  /** ERP webhooks: comma-separated endpoint URLs; unset = no delivery (the feed still fills). */
  WEBHOOK_URLS: optional(z.string()),
  /** HMAC-SHA256 key of the signature header; required with WEBHOOK_URLS. */
  WEBHOOK_SECRET: optional(z.string().min(16, 'at least 16 characters')),
  /** Attempts of one event to one endpoint before it goes to the dead letters. */
  WEBHOOK_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(100).default(12),
  /** First retry delay, doubled per attempt (with jitter) up to WEBHOOK_BACKOFF_MAX. */
  WEBHOOK_BACKOFF_BASE: Duration.prefault('2s'),
  WEBHOOK_BACKOFF_MAX: Duration.prefault('10m'),
  /** An endpoint's answer time; an attempt is leased for twice this before another dispatcher may retry it. */
  WEBHOOK_TIMEOUT: Duration.prefault('10s'),
  /** How often an idle dispatcher looks for due deliveries. */
  WEBHOOK_POLL_INTERVAL: Duration.prefault('1s'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  // OpenTelemetry's own variables: either endpoint turns traces on (runtime/tracing.ts).
  OTEL_EXPORTER_OTLP_ENDPOINT: optional(z.url()),
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: optional(z.url()),
  OTEL_SERVICE_NAME: optional(z.string()),
});

export type Env = z.input<typeof ConfigSchema>;

export interface Config {
  port: number;
  dataDir: string;
  databaseUrl: string | undefined;
  /** Connections per pool: the API's and the worker's. */
  dbPool: { api: number; worker: number };
  temporal: {
    address: string | undefined;
    namespace: string;
    taskQueue: string;
    cli: string | undefined;
    maxCachedWorkflows: number | undefined;
    /** Ports of the local dev server `npm start` runs when no address is set. */
    devPort: number;
    uiPort: number;
  };
  /** From APP_ENV; unset means production for `npm run api` / `npm run worker` (`npm start` is development). */
  appEnv: 'development' | 'production' | undefined;
  jwtSecret: string;
  jwtSecretIsDev: boolean;
  auth: AuthConfig;
  limits: { jsonBodyBytes: number; writesPerMinute: number; writeBurst: number };
  timeouts: { temporalMs: number; dbConnectMs: number };
  email: { resendApiKey: string | undefined; resendBaseUrl: string | undefined; from: string };
  durations: { invoiceTtlMs: number; reminderBeforeMs: number; mergeCleanupDelayMs: number };
  waitlist: { holdMs: number; ttlMs: number }; // an offer's hold; a place in line's lifetime
  publicUrl: string;
  logLevel: string;
  /** Traces over OTLP/HTTP: on when an OTLP endpoint is set; the exporter reads the rest of OTEL_*. */
  tracing: { enabled: boolean; serviceName: string | undefined };
  supplier: SupplierDetails;
  paymentTermDays: number;
  /** Worker-side Prometheus endpoint (Temporal SDK metrics); undefined = off. */
  workerMetricsPort: number | undefined;
  readiness: { workerSeenWithinMs: number };
  webhooks: WebhookConfig;
}

export interface WebhookConfig {
  urls: string[];
  secret: string | undefined;
  maxAttempts: number;
  backoffBaseMs: number;
  backoffMaxMs: number;
  timeoutMs: number;
  pollIntervalMs: number;
}

export interface AuthConfig {
  secret: string;
  maxTtlSeconds: number;
  clockSkewSeconds: number;
  issuer: string | undefined;
  audience: string | undefined;
}

/** Parses the environment once; every other module receives the result, never `process.env`. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const result = ConfigSchema.safeParse(env);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new Error(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const e = result.data;
  const webhookUrls = (e.WEBHOOK_URLS ?? '')
    .split(',')
    .map((u) => u.trim())
    .filter(Boolean);
  const badUrl = webhookUrls.find((u) => !URL.canParse(u) || !/^https?:$/.test(new URL(u).protocol));
  if (badUrl) throw new Error(`Invalid configuration:\n  WEBHOOK_URLS: not an http(s) URL: ${badUrl}`);
  if (webhookUrls.length && !e.WEBHOOK_SECRET) throw new Error('Invalid configuration:\n  WEBHOOK_SECRET: required when WEBHOOK_URLS is set');
  return {
    port: e.PORT,
    dataDir: e.DATA_DIR,
    databaseUrl: e.DATABASE_URL,
    dbPool: { api: e.DB_POOL_API, worker: e.DB_POOL_WORKER },
    temporal: {
      address: e.TEMPORAL_ADDRESS,
      namespace: e.TEMPORAL_NAMESPACE,
      taskQueue: e.TEMPORAL_TASK_QUEUE,
      cli: e.TEMPORAL_CLI,
      maxCachedWorkflows: e.WORKER_MAX_CACHED_WORKFLOWS,
      devPort: e.TEMPORAL_DEV_PORT,
      uiPort: e.TEMPORAL_UI_PORT,
    },
    appEnv: e.APP_ENV,
    jwtSecret: e.AUTH_JWT_SECRET,
    jwtSecretIsDev: e.AUTH_JWT_SECRET === DEV_JWT_SECRET,
    auth: {
      secret: e.AUTH_JWT_SECRET,
      maxTtlSeconds: Math.floor(e.AUTH_JWT_MAX_TTL / 1000),
      clockSkewSeconds: Math.floor(e.AUTH_JWT_CLOCK_SKEW / 1000),
      issuer: e.AUTH_JWT_ISSUER,
      audience: e.AUTH_JWT_AUDIENCE,
    },
    limits: { jsonBodyBytes: e.API_JSON_BODY_LIMIT, writesPerMinute: e.RATE_LIMIT_WRITES_PER_MINUTE, writeBurst: e.RATE_LIMIT_BURST },
    timeouts: { temporalMs: e.API_TEMPORAL_TIMEOUT, dbConnectMs: e.API_DB_CONNECT_TIMEOUT },
    email: { resendApiKey: e.RESEND_API_KEY, resendBaseUrl: e.RESEND_BASE_URL, from: e.EMAIL_FROM },
    durations: {
      invoiceTtlMs: e.INVOICE_TTL,
      reminderBeforeMs: e.INVOICE_REMINDER_BEFORE,
      mergeCleanupDelayMs: e.MERGE_CLEANUP_DELAY,
    },
    waitlist: { holdMs: e.WAITLIST_HOLD, ttlMs: e.WAITLIST_TTL },
    publicUrl: e.PUBLIC_URL ?? `http://localhost:${e.PORT}`,
    logLevel: e.LOG_LEVEL,
    tracing: { enabled: Boolean(e.OTEL_EXPORTER_OTLP_ENDPOINT ?? e.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT), serviceName: e.OTEL_SERVICE_NAME },
    supplier: {
      name: e.SUPPLIER_NAME,
      inn: e.SUPPLIER_INN,
      kpp: e.SUPPLIER_KPP,
      address: e.SUPPLIER_ADDRESS,
      phone: e.SUPPLIER_PHONE,
      director: e.SUPPLIER_DIRECTOR,
      accountant: e.SUPPLIER_ACCOUNTANT,
      bank: { name: e.SUPPLIER_BANK_NAME, bik: e.SUPPLIER_BANK_BIK, account: e.SUPPLIER_BANK_ACCOUNT, corrAccount: e.SUPPLIER_BANK_CORR_ACCOUNT },
    },
    paymentTermDays: e.PAYMENT_TERM_DAYS,
    workerMetricsPort: e.WORKER_METRICS_PORT,
    readiness: { workerSeenWithinMs: e.READYZ_WORKER_SEEN_WITHIN },
    webhooks: {
      urls: webhookUrls,
      secret: e.WEBHOOK_SECRET,
      maxAttempts: e.WEBHOOK_MAX_ATTEMPTS,
      backoffBaseMs: e.WEBHOOK_BACKOFF_BASE,
      backoffMaxMs: e.WEBHOOK_BACKOFF_MAX,
      timeoutMs: e.WEBHOOK_TIMEOUT,
      pollIntervalMs: e.WEBHOOK_POLL_INTERVAL,
    },
  };
}

/** The demo supplier values `npm start` prints on payment invoices; a real deployment sets its own. */
const DEMO_SUPPLIER_ENV = [
  'SUPPLIER_NAME',
  'SUPPLIER_INN',
  'SUPPLIER_KPP',
  'SUPPLIER_ADDRESS',
  'SUPPLIER_BANK_NAME',
  'SUPPLIER_BANK_BIK',
  'SUPPLIER_BANK_ACCOUNT',
  'SUPPLIER_BANK_CORR_ACCOUNT',
] as const;

/** Variables still at their development defaults (the public dev secret, the demo supplier). */
export function developmentDefaultsInUse(config: Config): string[] {
  const demo = loadConfig({ AUTH_JWT_SECRET: DEV_JWT_SECRET }).supplier;
  const s = config.supplier;
  const current: Record<(typeof DEMO_SUPPLIER_ENV)[number], [string, string]> = {
    SUPPLIER_NAME: [s.name, demo.name],
    SUPPLIER_INN: [s.inn, demo.inn],
    SUPPLIER_KPP: [s.kpp, demo.kpp],
    SUPPLIER_ADDRESS: [s.address, demo.address],
    SUPPLIER_BANK_NAME: [s.bank.name, demo.bank.name],
    SUPPLIER_BANK_BIK: [s.bank.bik, demo.bank.bik],
    SUPPLIER_BANK_ACCOUNT: [s.bank.account, demo.bank.account],
    SUPPLIER_BANK_CORR_ACCOUNT: [s.bank.corrAccount, demo.bank.corrAccount],
  };
  return [...(config.jwtSecretIsDev ? ['AUTH_JWT_SECRET'] : []), ...DEMO_SUPPLIER_ENV.filter((name) => current[name][0] === current[name][1])];
}

/**
 * The production entry points (`npm run api`, `npm run worker`) refuse to start on development
 * defaults unless APP_ENV=development says that is intended. `npm start` never calls this: it is
 * the development stack and prints its defaults as such.
 */
export function assertProductionReady(config: Config): void {
  if (config.appEnv === 'development') return;
  const missing = developmentDefaultsInUse(config);
  if (missing.length === 0) return;
  throw new Error(
    `Refusing to start in production with development defaults: set ${missing.join(', ')} ` +
      '(or APP_ENV=development for a local run; `npm start` uses the defaults on purpose).',
  );
}
