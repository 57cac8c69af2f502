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
const optional = <T extends z.ZodType>(schema: T) => z.union([Blank, schema]).optional();

export const DEV_JWT_SECRET = 'dev-secret-change-me-in-production-0123456789';

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
  TEMPORAL_DEV_PORT: z.coerce.number().int().min(1).max(65535).default(7233),
  TEMPORAL_UI_PORT: z.coerce.number().int().min(1).max(65535).default(8233),
  AUTH_JWT_SECRET: z.string().min(16).default(DEV_JWT_SECRET),
  RESEND_API_KEY: optional(z.string()),
  RESEND_BASE_URL: optional(z.url()),
  EMAIL_FROM: z.string().default('Оптовый кабинет <orders@example.com>'),
  INVOICE_TTL: Duration.prefault('10d'),
  INVOICE_REMINDER_BEFORE: Duration.prefault('2d'),
  MERGE_CLEANUP_DELAY: Duration.prefault('5m'),
  PUBLIC_URL: optional(z.url()),
  // Supplier and bank details printed on payment invoices ("счёт на оплату"); demo values by default.
  SUPPLIER_NAME: z.string().default('ООО «Оптовая торговая компания»'),
  SUPPLIER_INN: z.string().default('7701234567'),
  SUPPLIER_KPP: z.string().default('770101001'),
  SUPPLIER_ADDRESS: z.string().default('125009, г. Москва, ул. Тверская, д. 1, офис 101'),
  SUPPLIER_PHONE: z.string().default('+7 (495) 123-45-67'),
  SUPPLIER_DIRECTOR: z.string().default('Иванов И. И.'),
  SUPPLIER_ACCOUNTANT: z.string().default('Петрова А. С.'),
  SUPPLIER_BANK_NAME: z.string().default('ПАО СБЕРБАНК, г. Москва'),
  SUPPLIER_BANK_BIK: z.string().default('044525225'),
  SUPPLIER_BANK_ACCOUNT: z.string().default('40702810900000000001'),
  SUPPLIER_BANK_CORR_ACCOUNT: z.string().default('30101810400000000225'),
  /** Days a realization may stay unpaid before it is overdue (receivables report). */
  PAYMENT_TERM_DAYS: z.coerce.number().int().min(0).max(365).default(14),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
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
    /** Ports of the local dev server `npm start` runs when no address is set. */
    devPort: number;
    uiPort: number;
  };
  jwtSecret: string;
  jwtSecretIsDev: boolean;
  email: { resendApiKey: string | undefined; resendBaseUrl: string | undefined; from: string };
  durations: { invoiceTtlMs: number; reminderBeforeMs: number; mergeCleanupDelayMs: number };
  publicUrl: string;
  logLevel: string;
  supplier: SupplierDetails;
  paymentTermDays: number;
}

export interface SupplierDetails {
  name: string;
  inn: string;
  kpp: string;
  address: string;
  phone: string;
  director: string;
  accountant: string;
  bank: { name: string; bik: string; account: string; corrAccount: string };
}

/** Parses the environment once; every other module receives the result, never `process.env`. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const result = ConfigSchema.safeParse(env);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new Error(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const e = result.data;
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
      devPort: e.TEMPORAL_DEV_PORT,
      uiPort: e.TEMPORAL_UI_PORT,
    },
    jwtSecret: e.AUTH_JWT_SECRET,
    jwtSecretIsDev: e.AUTH_JWT_SECRET === DEV_JWT_SECRET,
    email: { resendApiKey: e.RESEND_API_KEY, resendBaseUrl: e.RESEND_BASE_URL, from: e.EMAIL_FROM },
    durations: {
      invoiceTtlMs: e.INVOICE_TTL,
      reminderBeforeMs: e.INVOICE_REMINDER_BEFORE,
      mergeCleanupDelayMs: e.MERGE_CLEANUP_DELAY,
    },
    publicUrl: e.PUBLIC_URL ?? `http://localhost:${e.PORT}`,
    logLevel: e.LOG_LEVEL,
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
  };
}
