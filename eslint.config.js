// Type-aware lint (typescript-eslint strictTypeChecked) plus the zones of the layout (README,
// Layout): which folder may import which. test/lint.zones.test.ts proves each rule fires.
import tseslint from 'typescript-eslint';

/**
 * The zones of the README's Layout, as import rules. Inner zones list what they may import (all
 * else is refused); outer zones list what they may not. A relative import climbs out of its folder
 * with "../", so a folder is recognised by the path after the climb.
 */
const onlyFrom = (allowed, message) => [{ regex: `^(?!(${allowed.join('|')}))`, message }];
const notFrom = (folders, message, allowTypeImports = false) => ({ regex: `^(\\.\\./)+(${folders.join('|')})/`, message, allowTypeImports });
const SQL_LIBRARIES = { regex: '^(kysely|pg)$', message: 'SQL lives in db/: call a repository there.' };
const SANDBOX_SDK = '@temporalio/(workflow|common)$';
/** What the cabinet may import; UP is the climb to the repository root from the file's folder. */
const CABINET_ALLOWED = ['\\./', 'UPclient/', 'UPcore/domain/', 'hono(/[\\w/-]+)?$', 'node:(fs|module)$'];
const CABINET_MESSAGE = 'cabinet/ imports only client/, core/domain, hono and its own files: it uses the public HTTP API.';

export const zones = [
  {
    // Pure rules: plain TypeScript, nothing but other rules.
    files: ['core/domain/**/*.ts'],
    patterns: onlyFrom(['\\./'], 'core/domain imports nothing but core/domain.'),
  },
  {
    // Messages, ids and activity interfaces shared by workflows, activities and the API.
    files: ['core/contracts/**/*.ts'],
    patterns: onlyFrom(['\\./', '\\.\\./domain/', SANDBOX_SDK], 'core/contracts imports only core/domain and the workflow SDK.'),
  },
  {
    // The workflow sandbox: deterministic code only, no Node, no I/O, no activities.
    files: ['workflows/*.ts'],
    patterns: onlyFrom(['\\./', '\\.\\./core/', SANDBOX_SDK], 'Workflows import only workflows/, core/ and @temporalio/workflow.'),
  },
  {
    files: ['workflows/*/**/*.ts'],
    patterns: onlyFrom(['\\./', '\\.\\./(?!\\.\\./)', '\\.\\./\\.\\./core/', SANDBOX_SDK], 'Workflows import only workflows/, core/ and @temporalio/workflow.'),
  },
  {
    // File formats: bytes in, bytes out; they know nothing of storage, HTTP or Temporal.
    files: ['formats/**/*.ts'],
    patterns: [notFrom(['db', 'api', 'activities', 'workflows', 'runtime'], 'formats/ imports only core/ and format libraries.'), SQL_LIBRARIES],
  },
  {
    files: ['db/**/*.ts'],
    patterns: [notFrom(['api', 'activities', 'workflows', 'runtime', 'formats'], 'db/ imports only core/ and the database libraries.')],
  },
  {
    files: ['activities/**/*.ts'],
    patterns: [
      notFrom(['api', 'workflows'], 'Activities never import the HTTP layer or workflow code.'),
      notFrom(['runtime'], 'Activities take their configuration as a type; the runtime passes it in.', true),
      SQL_LIBRARIES,
    ],
  },
  {
    files: ['api/**/*.ts'],
    patterns: [
      notFrom(['activities'], 'The API talks to activities only through workflows (Temporal).'),
      notFrom(['workflows', 'runtime'], 'The API may name workflow and configuration types, never import their code.', true),
      SQL_LIBRARIES,
    ],
  },
  {
    // The typed client runs inside other programs (the portal's back end): at run time it loads
    // hono/client and nothing of the server; the API's routes reach it as types only.
    files: ['client/**/*.ts'],
    patterns: [
      ...onlyFrom(['\\./', '\\.\\./api/', 'hono/client$'], 'client/ imports only hono/client and types from api/.'),
      notFrom(['api'], 'client/ takes only types from api/: no server code may load into the portal.', true),
    ],
    // `import { type X } from '../api/…'` passes the rule above yet still loads the module at run
    // time (verbatimModuleSyntax keeps it as `import {}`): only `import type` is type-only.
    rules: { '@typescript-eslint/no-import-type-side-effects': 'error' },
  },
  {
    // The browser cabinet is a client of the public HTTP API like the portal: the typed client,
    // Hono (JSX, cookies, CSRF), the domain's labels and Node's file reading for its own assets;
    // never the server's insides (db, activities, workflows, SQL).
    files: ['cabinet/*.{ts,tsx}'],
    patterns: onlyFrom(
      CABINET_ALLOWED.map((p) => p.replace('UP', '\\.\\./')),
      CABINET_MESSAGE,
    ),
  },
  {
    files: ['cabinet/*/**/*.{ts,tsx}'],
    patterns: onlyFrom(['\\.\\./(?!\\.\\./)', ...CABINET_ALLOWED.map((p) => p.replace('UP', '\\.\\./\\.\\./'))], CABINET_MESSAGE),
  },
].map(({ files, patterns, rules }) => ({ files, rules: { '@typescript-eslint/no-restricted-imports': ['error', { patterns }], ...rules } }));

export default tseslint.config(
  { ignores: ['node_modules/', '.data/', '.tools/', '.test-data/', 'test/histories/', 'eslint.config.js', 'scripts/*.mjs'] },
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      // Template literals with numbers are everywhere in Russian texts and ids.
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
      // Hono handlers and Temporal proxies are async by contract even when a body has no await.
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/no-confusing-void-expression': ['error', { ignoreArrowShorthand: true }],
    },
  },
  ...zones,
  {
    files: ['test/**/*.ts', 'bench/**/*.ts'],
    rules: {
      // Tests read loosely typed JSON answers on purpose.
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
      // Tests destructure activity factories' methods, which use no `this`.
      '@typescript-eslint/unbound-method': 'off',
      '@typescript-eslint/no-unnecessary-condition': 'off',
    },
  },
);
