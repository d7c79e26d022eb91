/**
 * The import rules of docs/architecture.md, as eslint.config.mjs enforces them: each case lints one snippet as if it were a
 * file at the given path, and checks whether the layering rule fires.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(__dirname, '..');
const LAYER_RULE = '@typescript-eslint/no-restricted-imports';

interface Case {
  readonly file: string;
  readonly code: string;
}

/**
 * Lints every case in one child process: ESLint loads its flat config (an ES module) with import(), which Jest's
 * CommonJS sandbox does not provide.
 */
function layeringMessages(cases: readonly Case[], rule: string = LAYER_RULE): string[][] {
  const script = `
    const { ESLint } = require('eslint');
    const cases = JSON.parse(process.argv[1]);
    (async () => {
      const eslint = new ESLint({ cwd: ${JSON.stringify(ROOT)} });
      const out = [];
      for (const c of cases) {
        const [result] = await eslint.lintText(c.code, { filePath: require('node:path').join(${JSON.stringify(ROOT)}, c.file) });
        out.push(result.messages.filter((m) => m.ruleId === ${JSON.stringify(rule)}).map((m) => m.message));
      }
      process.stdout.write(JSON.stringify(out));
    })().catch((e) => { console.error(e); process.exit(1); });`;
  const run = spawnSync(process.execPath, ['-e', script, JSON.stringify(cases)], { cwd: ROOT, encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`eslint child failed: ${run.stderr}`);
  return JSON.parse(run.stdout) as string[][];
}

const REJECTED: readonly (Case & { readonly why: RegExp })[] = [
  {
    file: 'lib/constructs/x.ts',
    code: "import { f } from '../../lambda/drift-detector/baseline';",
    why: /never imports lambda/,
  },
  {
    file: 'lib/app.ts',
    code: "export { handler } from '../lambda/compliance-checker/index';",
    why: /never imports lambda/,
  },
  {
    file: 'lambda/drift-detector/x.ts',
    code: "import { loadConfig } from '../../lib/config/loader';",
    why: /never lib\//,
  },
  {
    file: 'lambda/shared/x.ts',
    code: "import { Checker } from '../../lib/constructs/compliance-checker';",
    why: /never lib\//,
  },
  {
    file: 'lambda/compliance-checker/x.ts',
    code: "import { acknowledge } from '../../lib/nag/acknowledgements';",
    why: /never lib\//,
  },
  { file: 'core/policy/x.ts', code: "import { Stack } from 'aws-cdk-lib';", why: /pure/ },
  { file: 'core/policy/rules/x.ts', code: "import { Bucket } from 'aws-cdk-lib/aws-s3';", why: /pure/ },
  { file: 'core/contracts/x.ts', code: "import { Construct } from 'constructs';", why: /pure/ },
  { file: 'core/contracts/x.ts', code: "import { TerraformStack } from 'cdktf';", why: /pure/ },
  { file: 'core/policy/x.ts', code: "import { TerraformStack } from 'cdktn';", why: /pure/ },
  { file: 'core/policy/x.ts', code: "import { S3Client } from '@aws-sdk/client-s3';", why: /SDK types only/ },
  { file: 'core/policy/x.ts', code: "import { f } from '../../lambda/shared/clients';", why: /floor both sides/ },
  { file: 'core/policy/x.ts', code: "import { loadConfig } from '../../lib/config/loader';", why: /floor both sides/ },
  { file: 'core/defaults/x.ts', code: "import { main } from '../../scripts/report';", why: /floor both sides/ },
  { file: 'core/contracts/x.ts', code: "import { RULES } from '../policy/catalogue';", why: /below core\/policy/ },
  { file: 'lambda/drift-detector/x.ts', code: "import { QUALITY } from '../../lib/index';", why: /never lib\// },
];

const ACCEPTED: readonly Case[] = [
  { file: 'lambda/drift-detector/x.ts', code: "import { DRIFT_METRICS } from '../../core/contracts/drift-metrics';" },
  { file: 'lambda/compliance-checker/x.ts', code: "import { RULES } from '../../core/policy/catalogue';" },
  { file: 'core/policy/x.ts', code: "import type { Repository } from '@aws-sdk/client-ecr';" },
  { file: 'core/policy/x.ts', code: "import type { CompliancePolicy } from '../contracts/compliance-checker';" },
  { file: 'core/contracts/x.ts', code: "import { SEVERITIES } from './image-severity';" },
  { file: 'lib/config/x.ts', code: "import { bucketName } from '../../core/defaults/names';" },
  { file: 'lib/constructs/x.ts', code: "import { lambdaCode } from './lambda-bundling';" },
  { file: 'lib/constructs/x.ts', code: "import * as lambda from 'aws-cdk-lib/aws-lambda';" },
  { file: 'scripts/x.ts', code: "import { handler } from '../lambda/drift-detector/index';" },
  { file: 'bin/x.ts', code: "import { buildBaseline } from '../lambda/drift-detector/baseline';" },
  { file: 'test/x.test.ts', code: "import { loadConfig } from '../lib/config/loader';" },
];

describe('house rules on imports (eslint.config.mjs)', () => {
  let rejected: string[][];
  let accepted: string[][];
  beforeAll(() => {
    [rejected, accepted] = [layeringMessages(REJECTED), layeringMessages(ACCEPTED)];
  }, 60_000);

  test.each(REJECTED.map((c, i) => [c.file, c.code, i] as const))('rejects in %s: %s', (_file, _code, i) => {
    // GIVEN an import across a layer boundary, WHEN linted, THEN the layering rule fires with the house rule's reason
    expect(rejected[i]).toHaveLength(1);
    expect(rejected[i]![0]).toMatch(REJECTED[i]!.why);
  });

  test.each(ACCEPTED.map((c, i) => [c.file, c.code, i] as const))('allows in %s: %s', (_file, _code, i) => {
    // GIVEN an import the house rules allow, WHEN linted, THEN the layering rule stays silent
    expect(accepted[i]).toEqual([]);
  });
});

describe('one way to walk a cloud assembly (lib/reports/assembly.ts)', () => {
  const RULE = 'no-restricted-syntax';
  test.each([
    ['scripts/x.ts', 'const all = [...a.stacks, ...a.nestedAssemblies.flatMap((n) => n.nestedAssembly.stacks)];'],
    ['test/x.test.ts', "const m = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));"],
    ['lib/reports/x.ts', 'const stacks = assembly.stacksRecursively;'],
  ])('rejects a hand-written walk in %s: %s', (file, code) => {
    // GIVEN a walk that would miss, or re-implement, the descent into nested stage assemblies
    const [messages] = layeringMessages([{ file, code }], RULE);
    // THEN the rule fires and points at the helper
    expect(messages).toEqual([expect.stringContaining('assemblyStacks() from lib/reports/assembly.ts')]);
  });

  test('allows it in the helper itself', () => {
    const [messages] = layeringMessages(
      [{ file: 'lib/reports/assembly.ts', code: 'export const s = (a: any) => a.stacksRecursively;' }],
      RULE,
    );
    expect(messages).toEqual([]);
  });
});
