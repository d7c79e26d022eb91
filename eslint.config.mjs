// One linter (typescript-eslint, syntax rules only: type-checking runs once in `tsc --noEmit`) and one formatter
// (prettier, via `npm run lint` / `npm run format`).
import tseslint from 'typescript-eslint';

/**
 * The house rules of docs/architecture.md as folder rules: core/ (pure, shared) at the bottom; lib/ (synth time) and
 * lambda/ (run time) stand beside each other on it and never import each other. bin/, scripts/ and test/ stand on top
 * and may reach across (the baseline CLI and the benchmarks run Lambda code, a test builds the app).
 */
const LAYER_RULE = '@typescript-eslint/no-restricted-imports';
const RULES_DOC = '(docs/architecture.md, house rules)';
const NO_LAMBDA_FROM_LIB = {
  regex: '^(\\.\\.?/)+lambda(/|$)',
  message: `lib/ is synth-time code: it names a handler by entry path, never imports lambda/ ${RULES_DOC}.`,
};
const NO_LIB_FROM_LAMBDA = {
  regex: '^(\\.\\./)+lib(/|$)',
  message: `lambda/ is run-time code: it imports core/ (policy, contracts, defaults), never lib/ ${RULES_DOC}.`,
};
const NOTHING_ABOVE_CORE = {
  regex: '^(\\.\\./)+(lib|lambda|bin|scripts|test|images)(/|$)',
  message: `core/ is the floor both sides stand on: it imports only core/, zod, yaml and node: ${RULES_DOC}.`,
};
const CONTRACTS_BELOW_POLICY = {
  regex: '^\\.\\./policy(/|$)',
  message: `core/contracts is below core/policy: a shape both need lives in core/contracts ${RULES_DOC}.`,
};
const PURE_CORE = [
  {
    regex: '^(aws-cdk-lib|constructs|cdktf|cdktn|@cdktf/[^/]+|@cdktn/[^/]+|cdk-nag)(/|$)',
    message: `core/ is pure: the Lambdas import it, so no CDK or CDK Terrain ${RULES_DOC}.`,
  },
  {
    // Response shapes are welcome (the run-time adapter maps them); a client is I/O and belongs to lambda/.
    regex: '^@aws-sdk/',
    allowTypeImports: true,
    message: `core/ is pure: SDK types only (\`import type\`), never a client ${RULES_DOC}.`,
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
    files: ['lambda/**/*.ts'],
    rules: { [LAYER_RULE]: ['error', { patterns: [NO_LIB_FROM_LAMBDA] }] },
  },
  {
    files: ['core/**/*.ts'],
    rules: { [LAYER_RULE]: ['error', { patterns: [NOTHING_ABOVE_CORE, ...PURE_CORE] }] },
  },
  {
    // A later block replaces the rule's options for these files, so it repeats core/'s patterns.
    files: ['core/contracts/**/*.ts'],
    rules: { [LAYER_RULE]: ['error', { patterns: [NOTHING_ABOVE_CORE, CONTRACTS_BELOW_POLICY, ...PURE_CORE] }] },
  },
  {
    files: ['test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
);
