// One linter (typescript-eslint, syntax rules only: type-checking runs once in `tsc --noEmit`) and one formatter
// (prettier, via `npm run lint` / `npm run format`).
import tseslint from 'typescript-eslint';

/**
 * The house rules of docs/architecture.md on what may import what. Only lib/ and lambda/ are held to them: bin/, scripts and
 * tests may reach across (the baseline CLI and the benchmarks run Lambda code, a test builds the app).
 */
const LAYER_RULE = '@typescript-eslint/no-restricted-imports';
const NO_LAMBDA_FROM_LIB = {
  regex: '^(\\.\\.?/)+lambda(/|$)',
  message:
    'lib/ is synth-time code: it names a handler by entry path, never imports lambda/ (docs/architecture.md, house rules).',
};
const ONLY_PURE_LIB_FROM_LAMBDA = {
  regex: '^(\\.\\./)+lib/(?!(policy|contracts)(/|$))',
  message: 'lambda/ may import only lib/policy and lib/contracts of lib/ (docs/architecture.md, house rules).',
};
const PURE_CORE = [
  {
    regex: '^(aws-cdk-lib|constructs|cdktf|cdktn|@cdktf/[^/]+|@cdktn/[^/]+|cdk-nag)(/|$)',
    message:
      'lib/policy and lib/contracts are pure: the Lambdas import them, so no CDK or CDK Terrain (docs/architecture.md, house rules).',
  },
  {
    // Response shapes are welcome (the run-time adapter maps them); a client is I/O and belongs to lambda/.
    regex: '^@aws-sdk/',
    allowTypeImports: true,
    message:
      'lib/policy and lib/contracts are pure: SDK types only (`import type`), never a client (docs/architecture.md, house rules).',
  },
];

/**
 * One way to walk a cloud assembly (lib/reports/assembly.ts): a hand-written walk over `.stacks` or manifest.json
 * misses the environments' stacks, which a pipeline nests in stage assemblies.
 */
const ONE_ASSEMBLY_WALK = {
  message:
    'Walk a cloud assembly with assemblyStacks() from lib/reports/assembly.ts: it descends into nested stage assemblies.',
};
const ASSEMBLY_WALKS = [
  { selector: "MemberExpression[property.name='nestedAssemblies']", ...ONE_ASSEMBLY_WALK },
  { selector: "MemberExpression[property.name='stacksRecursively']", ...ONE_ASSEMBLY_WALK },
  { selector: "Literal[value='manifest.json']", ...ONE_ASSEMBLY_WALK },
];

export default tseslint.config(
  {
    ignores: [
      'node_modules/**',
      'cdk.out/**',
      'dist/**',
      'docs/api/**',
      'coverage/**',
      '.bench/**',
      '.tmp/**',
      '**/*.js',
      '**/*.mjs',
    ],
  },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
      'no-console': 'off',
    },
  },
  {
    files: ['**/*.ts'],
    ignores: ['lib/reports/assembly.ts'],
    rules: { 'no-restricted-syntax': ['error', ...ASSEMBLY_WALKS] },
  },
  {
    files: ['lib/**/*.ts'],
    rules: { [LAYER_RULE]: ['error', { patterns: [NO_LAMBDA_FROM_LIB] }] },
  },
  {
    // A later block replaces the rule's options for these files, so it repeats the lib/ pattern.
    files: ['lib/policy/**/*.ts', 'lib/contracts/**/*.ts'],
    rules: { [LAYER_RULE]: ['error', { patterns: [NO_LAMBDA_FROM_LIB, ...PURE_CORE] }] },
  },
  {
    files: ['lambda/**/*.ts'],
    rules: { [LAYER_RULE]: ['error', { patterns: [ONLY_PURE_LIB_FROM_LAMBDA] }] },
  },
  {
    files: ['test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
);
