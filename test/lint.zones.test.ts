// The layout's boundaries are lint rules (eslint.config.js, `zones`): each must refuse a deliberate
// violation in its folder and let the imports the folder really needs through.
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ESLint, type Linter } from 'eslint';
import tseslint from 'typescript-eslint';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));

async function linter(): Promise<ESLint> {
  // A computed path keeps tsc from asking for the JavaScript config's types.
  const { zones } = (await import(pathToFileURL(join(root, 'eslint.config.js')).href)) as { zones: Linter.Config[] };
  expect(zones.length).toBeGreaterThan(0);
  return new ESLint({
    cwd: root,
    overrideConfigFile: true,
    overrideConfig: [
      { files: ['**/*.ts', '**/*.tsx'], languageOptions: { parser: tseslint.parser }, plugins: { '@typescript-eslint': tseslint.plugin } },
      ...zones,
    ],
  });
}

/** The rules a zone may use to refuse an import. */
const ZONE_RULES = ['@typescript-eslint/no-restricted-imports', '@typescript-eslint/no-import-type-side-effects'];

/** [file the import is written in, the import line, refused?] */
const CASES: [string, string, boolean][] = [
  ['core/domain/probe.ts', "import { orderWorkflowId } from '../contracts/ids.js';", true],
  ['core/domain/probe.ts', "import { Pool } from 'pg';", true],
  ['core/domain/probe.ts', "import { defineUpdate } from '@temporalio/workflow';", true],
  ['core/domain/probe.ts', "import { formatRoubles } from './money.js';", false],
  ['core/contracts/probe.ts', "import { readFileSync } from 'node:fs';", true],
  ['core/contracts/probe.ts', "import { Client } from '@temporalio/client';", true],
  ['core/contracts/probe.ts', "import { formatRoubles } from '../domain/money.js';", false],
  ['core/contracts/probe.ts', "import { defineUpdate } from '@temporalio/workflow';", false],
  ['workflows/probe.ts', "import { createActivities } from '../activities/index.js';", true],
  ['workflows/probe.ts', "import { randomUUID } from 'node:crypto';", true],
  ['workflows/probe.ts', "import { createDb } from '../db/database.js';", true],
  ['workflows/probe.ts', "import { loadConfig } from '../runtime/config.js';", true],
  ['workflows/probe.ts', "import { formatRoubles } from '../core/domain/money.js';", false],
  ['workflows/probe.ts', "import { condition } from '@temporalio/workflow';", false],
  ['workflows/invoice/probe.ts', "import { createActivities } from '../../activities/index.js';", true],
  ['workflows/invoice/probe.ts', "import { db } from '../activities.js';", false],
  ['workflows/invoice/probe.ts', "import { formatRoubles } from '../../core/domain/money.js';", false],
  ['formats/probe.ts', "import { listProducts } from '../db/catalog.repository.js';", true],
  ['formats/probe.ts', "import { sql } from 'kysely';", true],
  ['formats/probe.ts', "import type { Config } from '../runtime/config.js';", true],
  ['formats/probe.ts', "import { formatRoubles } from '../core/domain/money.js';", false],
  ['db/probe.ts', "import type { User } from '../api/auth.js';", true],
  ['db/probe.ts', "import { createActivities } from '../activities/index.js';", true],
  ['db/probe.ts', "import { sql } from 'kysely';", false],
  ['db/migrations/probe.ts', "import { Problem } from '../../api/errors.js';", true],
  ['activities/probe.ts', "import { Problem } from '../api/errors.js';", true],
  ['activities/probe.ts', "import { sql } from 'kysely';", true],
  ['activities/probe.ts', "import { invoiceWorkflow } from '../workflows/invoice.workflow.js';", true],
  ['activities/probe.ts', "import { loadConfig } from '../runtime/config.js';", true],
  ['activities/probe.ts', "import type { Config } from '../runtime/config.js';", false],
  ['activities/email/probe.ts', "import { Problem } from '../../api/errors.js';", true],
  ['api/routes/probe.ts', "import { createActivities } from '../../activities/index.js';", true],
  ['api/routes/probe.ts', "import { sql } from 'kysely';", true],
  ['api/routes/probe.ts', "import { orderWorkflow } from '../../workflows/order.workflow.js';", true],
  ['api/routes/probe.ts', "import type { orderWorkflow } from '../../workflows/order.workflow.js';", false],
  ['api/routes/probe.ts', "import { findInvoice } from '../../db/invoices.repository.js';", false],
  ['client/probe.ts', "import { createApp } from '../api/app.js';", true],
  ['client/probe.ts', "import { Problem } from '../api/errors.js';", true],
  ['client/probe.ts', "import type { Db } from '../db/database.js';", true],
  ['client/probe.ts', "import { listProducts } from '../db/catalog.repository.js';", true],
  ['client/probe.ts', "import { createActivities } from '../activities/index.js';", true],
  ['client/probe.ts', "import type { orderWorkflow } from '../workflows/order.workflow.js';", true],
  ['client/probe.ts', "import { Hono } from 'hono';", true],
  ['client/probe.ts', "import { randomUUID } from 'node:crypto';", true],
  ['client/probe.ts', "import { hc } from 'hono/client';", false],
  ['client/probe.ts', "import type { AppType } from '../api/app.js';", false],
  ['client/probe.ts', "import { type ProblemBody } from '../api/router.js';", true],
  ['client/probe.ts', "import { call } from './index.js';", false],
  ['cabinet/probe.ts', "import { listProducts } from '../db/catalog.repository.js';", true],
  ['cabinet/probe.ts', "import { createActivities } from '../activities/index.js';", true],
  ['cabinet/probe.ts', "import { orderWorkflow } from '../workflows/order.workflow.js';", true],
  ['cabinet/probe.ts', "import { sql } from 'kysely';", true],
  ['cabinet/probe.ts', "import { Pool } from 'pg';", true],
  ['cabinet/probe.ts', "import { signToken } from '../api/auth.js';", true],
  ['cabinet/probe.ts', "import { loadConfig } from '../runtime/config.js';", true],
  ['cabinet/probe.ts', "import { Client } from '@temporalio/client';", true],
  ['cabinet/probe.ts', "import { createClient } from '../client/index.js';", false],
  ['cabinet/probe.ts', "import { Hono } from 'hono';", false],
  ['cabinet/probe.ts', "import { csrf } from 'hono/csrf';", false],
  ['cabinet/probe.ts', "import { STATUS_LABELS } from '../core/domain/invoice.js';", false],
  ['cabinet/probe.ts', "import { render } from './layout.js';", false],
  ['cabinet/pages/probe.tsx', "import { findInvoice } from '../../db/invoices.repository.js';", true],
  ['cabinet/pages/probe.tsx', "import { invoiceView } from '../../api/views.js';", true],
  ['cabinet/pages/probe.tsx', "import { orderWorkflowId } from '../../core/contracts/ids.js';", true],
  ['cabinet/pages/probe.tsx', "import type { Child } from 'hono/jsx';", false],
  ['cabinet/pages/probe.tsx', "import type { ResponseData } from '../../client/index.js';", false],
  ['cabinet/pages/probe.tsx', "import { render } from '../layout.js';", false],
];

describe('lint zones', () => {
  it.each(CASES)('%s: %s → refused: %s', async (file, line, refused) => {
    const eslint = await linter();
    const [result] = await eslint.lintText(`${line}\nexport const probe = 1;\n`, { filePath: join(root, file) });
    const fired = (result?.messages ?? []).filter((m) => ZONE_RULES.includes(m.ruleId ?? ''));
    expect(result?.messages.filter((m) => m.fatal) ?? [], 'the probe parses').toEqual([]);
    expect(fired.length > 0, fired.map((m) => m.message).join('; ')).toBe(refused);
  });
});
