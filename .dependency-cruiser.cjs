/**
 * Import rules (docs/architecture.md, "Import rules"), checked by `make lint`.
 * Production code is sidecar/ without its *.test.ts files; dev/ is development-only.
 */
const PROD = '^sidecar/(?!.*\\.test\\.ts$)';
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'Import cycles make modules impossible to read or test alone.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'shipped-never-imports-dev',
      severity: 'error',
      comment: 'What ships never depends on the simulator, the Odoo double, the stack, the demo or fakes.',
      from: { path: PROD },
      to: { path: '^dev/' },
    },
    {
      name: 'flows-not-http',
      severity: 'error',
      comment: 'Flows are triggered by jobs; they never import the HTTP layer.',
      from: { path: '^sidecar/flows/' },
      to: { path: '^sidecar/http/' },
    },
    {
      name: 'shopify-odoo-apart',
      severity: 'error',
      comment: 'The Shopify and Odoo clients know nothing of each other.',
      from: { path: '^sidecar/shopify/' },
      to: { path: '^sidecar/odoo/' },
    },
    {
      name: 'odoo-shopify-apart',
      severity: 'error',
      comment: 'The Shopify and Odoo clients know nothing of each other.',
      from: { path: '^sidecar/odoo/' },
      to: { path: '^sidecar/shopify/' },
    },
    {
      name: 'leaves-import-nothing',
      severity: 'error',
      comment: 'The logger, the job types and the pure rules are leaves: they import nothing else from the project.',
      from: { path: '^sidecar/(observability/logger\\.ts|jobs\\.ts|rules/(?!.*\\.test\\.ts$))' },
      to: { path: '^(sidecar|dev)/', pathNot: '^sidecar/rules/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(node_modules|dist|var)/' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default'],
      extensions: ['.ts', '.js', '.mjs', '.json'],
    },
  },
};
