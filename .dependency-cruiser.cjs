// The import rules of docs/architecture.md and README.md ("may import"), checked by
// `npm run check:imports`, a step of `npm test`. Symlinks are kept, so a workspace
// package is seen as node_modules/@presence/<name>/ (an npm dependency the importer's
// package.json must declare); its types are in dist/, hence `tsc -b` first. An import
// that does not resolve fails the check rather than escaping it.

/** Test code: may import test helpers and vitest; not run time. helm/test and test/ check the chart, image and compose file; loadtest/test runs the k6 scripts. */
const TEST_CODE = '(\\.test\\.ts|\\.e2e\\.ts|\\.contract\\.ts)$|^(libs|services)/[^/]+/test/|^libs/testkit/|^helm/test/|^test/|^loadtest/test/';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'core-imports-nothing',
      comment: 'libs/core is the pure domain: it imports nothing outside itself, internal, vendor or node built-in.',
      severity: 'error',
      from: { path: '^libs/core/src/', pathNot: TEST_CODE },
      to: { pathNot: '^libs/core/src/' },
    },
    {
      name: 'sip-imports-only-the-uri-grammar-of-core',
      comment: 'libs/sip knows nothing of presence: of core it uses only the one SIP-URI grammar (@presence/core/sip-uri).',
      severity: 'error',
      from: { path: '^libs/sip/src/', pathNot: TEST_CODE },
      to: { path: '(^libs/core/|node_modules/@presence/core/)', pathNot: 'node_modules/@presence/core/dist/aor/parse-sip-uri' },
    },
    {
      name: 'only-bus-nats-imports-nats',
      comment: 'Only libs/bus/src/nats/ talks to the NATS client (package nats).',
      severity: 'error',
      from: { pathNot: '^libs/bus/src/nats/' },
      to: { path: 'node_modules/nats/' },
    },
    {
      name: 'only-store-redis-imports-ioredis',
      comment: 'Only libs/store/src/redis/ talks to Redis (package ioredis).',
      severity: 'error',
      from: { pathNot: '^libs/store/src/redis/' },
      to: { path: 'node_modules/ioredis/' },
    },
    {
      name: 'presence-agent-never-imports-sip',
      comment: 'The presence agent decides presence state; it never talks SIP (libs/sip).',
      severity: 'error',
      from: { path: '^services/presence-agent/' },
      to: { path: '(^libs/sip/|node_modules/@presence/sip/)' },
    },
    {
      name: 'no-testkit-at-run-time',
      comment: 'Run-time code never imports test code: launchers live in libs/dev-tools; only tests import libs/testkit.',
      severity: 'error',
      from: { pathNot: TEST_CODE },
      to: { path: '(^libs/testkit/|node_modules/@presence/testkit/)' },
    },
    {
      name: 'dev-tools-imports-no-workspace-package',
      comment: 'libs/dev-tools launches processes; it imports no other workspace package.',
      severity: 'error',
      from: { path: '^libs/dev-tools/src/', pathNot: TEST_CODE },
      to: { path: '(^(libs|services|loadtest)/|node_modules/@presence/)', pathNot: '^libs/dev-tools/' },
    },
    {
      name: 'k6-scripts-import-only-k6-and-their-lib',
      comment:
        'loadtest/k6 runs in k6\'s own JavaScript runtime, not Node: nothing of Node, npm or the workspace exists there. ' +
        'It imports only k6/* modules (built into the k6 binary; they resolve here to their types, @types/k6) and its own files.',
      severity: 'error',
      from: { path: '^loadtest/k6/' },
      to: { pathNot: '^(loadtest/k6/|node_modules/@types/k6/)' },
    },
    {
      name: 'declared-dependencies-only',
      comment:
        'Every package (its own package.json, the closest one) declares what its run-time code imports. ' +
        'Not loadtest/k6: its k6/* imports come with the k6 binary, not from npm (rule above).',
      severity: 'error',
      from: { pathNot: `${TEST_CODE}|^loadtest/k6/` },
      to: { dependencyTypes: ['npm-no-pkg', 'npm-unknown'] },
    },
    {
      name: 'no-unresolvable',
      comment: 'An import that does not resolve would escape every rule above.',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    exclude: { path: '^(libs/[^/]+|services/[^/]+|loadtest)/dist/' },
    doNotFollow: { path: 'node_modules' },
    preserveSymlinks: true,
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.tests.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.js', '.d.ts', '.json'],
    },
  },
};
