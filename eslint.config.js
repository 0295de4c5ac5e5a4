import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';
import { folderDirection } from './eslint/folder-direction.js';
import { noSqlOutsideRepositories } from './eslint/no-sql-outside-repositories.js';

/** This repository's own rules (eslint/): where SQL lives (ADR 47) and which way folders import. */
const switchyard = {
  rules: { 'no-sql-outside-repositories': noSqlOutsideRepositories, 'folder-direction': folderDirection },
};

/**
 * Where SQL and the ORM may appear (ADR 3, ADR 47): a domain's repositories and report modules, the
 * database plumbing, the migrations, and tests and benchmarks (which seed and inspect the database).
 */
const SQL_FILES = [
  '**/*.repository.ts',
  '**/*.query.ts',
  'apps/central/src/database/**',
  'migrations/**',
  'test/**',
  'bench/**',
  '**/*.spec.ts',
];

/** Database plumbing outside database/ that names no table: the cluster's LISTEN/NOTIFY bus (ClusterBus). */
const ORM_PLUMBING = ['apps/central/src/cluster/cluster-bus.ts'];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'data/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': [
        'error',
        { fixStyle: 'inline-type-imports', disallowTypeAnnotations: false },
      ],
      'no-console': 'off',
    },
  },
  {
    // NestJS resolves constructor parameters from their runtime types: those imports must stay values.
    files: ['apps/central/**/*.ts'],
    rules: { '@typescript-eslint/consistent-type-imports': 'off' },
  },
  {
    files: ['**/*.{ts,tsx,js,mjs}'],
    ignores: [...SQL_FILES],
    plugins: { switchyard },
    rules: { 'switchyard/no-sql-outside-repositories': 'error' },
  },
  {
    // Modules hand the DataSource to the repositories they build: wiring, no SQL (the rule above).
    files: ['**/*.{ts,tsx,js,mjs}'],
    ignores: [...SQL_FILES, '**/*.module.ts', ...ORM_PLUMBING],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: 'typeorm',
              message:
                'only repositories, report queries (*.query.ts), modules and database/ use the ORM: call the owning repository instead (ADR 3, ADR 47)',
            },
          ],
          patterns: [
            { group: ['typeorm/*'], message: 'only repositories and database/ use the ORM (ADR 3)' },
          ],
        },
      ],
    },
  },
  {
    // Costly modules that a start does not need are loaded at their first use, through one loader each
    // (ADR 52): a static import elsewhere would load them at every start again. Types are free.
    files: ['apps/**/*.{ts,tsx}', 'libs/**/*.ts'],
    ignores: ['**/*.spec.ts', '**/testing/**'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: '@peculiar/x509',
              allowTypeImports: true,
              message:
                'it costs ~0.1 s to load: use loadX509() from libs/pki/x509.loader.ts (import type is fine)',
            },
            {
              name: 'acme-client',
              allowTypeImports: true,
              message:
                'it costs ~0.2 s to load: use loadAcmeClient() from apps/central/src/acme/acme-client.loader.ts (import type is fine)',
            },
          ],
        },
      ],
    },
  },
  {
    // The admin UI runs in the browser.
    files: ['apps/ui/src/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
  },
  {
    // Central's folders import each other one way (docs/architecture.md, eslint/folder-direction.json).
    files: ['apps/central/src/**/*.ts'],
    plugins: { switchyard },
    rules: { 'switchyard/folder-direction': 'error' },
  },
);
