import js from '@eslint/js';
import boundaries from 'eslint-plugin-boundaries';
import tseslint from 'typescript-eslint';

/**
 * The layers (README "Architecture"). A file belongs to the first element whose pattern matches.
 * Imports, `export … from` and dynamic `import()` are all checked.
 */
const elements = [
  { type: 'contract', pattern: 'server/contract/**', partialMatch: false },
  { type: 'domain', pattern: 'server/domain/**', partialMatch: false },
  { type: 'trpc', pattern: 'server/trpc/**', partialMatch: false },
  { type: 'http', pattern: 'server/http/**', partialMatch: false },
  // Settings, the one error type, the logger: every server layer uses them.
  { type: 'shared', pattern: 'server/shared/**', partialMatch: false },
  // Jobs, mail, Stripe. (server/index.ts, the web process's entry, is imported by nobody.)
  { type: 'infrastructure', pattern: 'server/*/**', partialMatch: false },
  { type: 'ui', pattern: 'app/**', partialMatch: false },
  { type: 'worker', pattern: 'worker/**', partialMatch: false },
  { type: 'migration', pattern: 'db/migrations/**', partialMatch: false },
  { type: 'db', pattern: 'db/**', partialMatch: false },
  { type: 'tooling', pattern: ['test/**', 'bench/**', 'scripts/**'], partialMatch: false },
];

const to = (...types) => ({ to: { element: { types: { anyOf: types } } } });
const valuesOnly = (...types) => ({ ...to(...types), dependency: { kind: 'value' } });

const policies = [
  // The browser bundle: values only from the contract; server code as types at most.
  { from: { element: { type: 'ui' } }, disallow: valuesOnly('domain', 'trpc', 'http', 'shared', 'infrastructure', 'worker', 'migration', 'db', 'tooling') },
  // The contract is plain values and zod schemas that the browser can load.
  { from: { element: { type: 'contract' } }, disallow: to('domain', 'trpc', 'http', 'shared', 'infrastructure', 'ui', 'worker', 'migration', 'db', 'tooling') },
  { from: { element: { type: 'shared' } }, disallow: to('domain', 'trpc', 'http', 'infrastructure', 'ui', 'worker', 'migration', 'tooling') },
  // The domain knows nothing of how it is called.
  { from: { element: { type: 'domain' } }, disallow: to('trpc', 'http', 'ui', 'worker', 'tooling') },
  { from: { element: { type: 'infrastructure' } }, disallow: to('trpc', 'http', 'ui', 'worker', 'tooling') },
  { from: { element: { type: 'trpc' } }, disallow: to('http', 'ui', 'worker', 'tooling') },
  { from: { element: { type: 'http' } }, disallow: to('ui', 'worker', 'tooling') },
  // The worker runs jobs with the domain; it has no web code.
  { from: { element: { type: 'worker' } }, disallow: to('trpc', 'http', 'ui', 'tooling') },
  // A migration's SQL is frozen: it imports nothing of ours.
  { from: { element: { type: 'migration' } }, disallow: to('contract', 'domain', 'trpc', 'http', 'shared', 'infrastructure', 'ui', 'worker', 'db', 'tooling') },
  { from: { element: { type: 'db' } }, disallow: to('domain', 'trpc', 'http', 'shared', 'infrastructure', 'ui', 'worker', 'tooling') },
  { from: { element: { type: 'db' } }, disallow: valuesOnly('contract') },
];

export default tseslint.config(
  { ignores: ['build/', 'public/build/', '.data/', '.cache/', 'node_modules/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.{ts,tsx,js}'],
    plugins: { boundaries },
    settings: {
      'import/resolver': { typescript: { alwaysTryTypes: true, project: './tsconfig.json' } },
      'boundaries/elements': elements,
      'boundaries/dependency-nodes': ['import', 'dynamic-import', 'export'],
    },
    rules: {
      'boundaries/dependencies': ['error', { default: 'allow', policies }],
      'no-empty': ['error', { allowEmptyCatch: true }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_', ignoreRestSiblings: true }],
    },
  },
  {
    // Tests and benches poke at internals and raw responses on purpose.
    files: ['test/**', 'bench/**'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
);
