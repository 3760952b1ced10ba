// ESLint for the sidecar and dev/ (TypeScript): typescript-eslint's type-checked recommended set,
// plus the project's own rules. A rule switched off or relaxed says why here, never inline.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'var/', '**/generated/', 'odoo_addon/', 'sidecar/observability/dashboard-page/'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // Only configuration reads the environment (12-factor; sidecar/config/index.ts).
      'no-restricted-properties': [
        'error',
        {
          object: 'process',
          property: 'env',
          message: 'Read configuration through sidecar/config (or dev/testing/env.ts in development code).',
        },
      ],
      // Small units: production functions stay short enough to read at once (plain data tables excepted).
      'max-lines-per-function': ['error', { max: 80, skipBlankLines: true, skipComments: true, IIFEs: true }],
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' },
      ],
    },
  },
  {
    files: ['sidecar/config/**/*.ts', 'dev/testing/env.ts'],
    rules: { 'no-restricted-properties': 'off' },
  },
  {
    // Tests and development-only code: long scenario functions (one `it` per behaviour) are the norm.
    files: ['**/*.test.ts', 'dev/**/*.ts'],
    rules: { 'max-lines-per-function': 'off' },
  },
  {
    // Tests read JSON answers (GraphQL data, RPC results, log lines) by path and assert on the
    // values: the assertion is the check, and a declared type for every answer would add nothing.
    // The simulator's test helpers only hand such answers to its tests. Production and
    // development code keep these rules.
    files: ['**/*.test.ts', 'dev/sim/test-support.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
  },
);
