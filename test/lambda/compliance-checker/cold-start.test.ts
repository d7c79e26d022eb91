/**
 * The shipped compliance-checker bundle (AWS SDK external, as `cdk synth` builds it) loads no AWS SDK module at
 * init: each entry point loads the clients and commands it uses on first use (lambda/compliance-checker/sdk.ts).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { buildSync } from 'esbuild';
import { compliancePolicy, parseConfig } from '../../../lib/config/loader';
import { esbuildOptions, REPO_ROOT } from '../../../lib/constructs/lambda-bundling';
import { defaultConfigDocument } from '../../support/app';

const INIT_ENV = {
  AWS_REGION: 'eu-west-1',
  AWS_ACCESS_KEY_ID: 'test',
  AWS_SECRET_ACCESS_KEY: 'test',
  POLICY_JSON: JSON.stringify(compliancePolicy(parseConfig(defaultConfigDocument()))),
  REPORT_BUCKET: 'reports',
  REPORT_KMS_KEY_ARN: 'arn:aws:kms:eu-west-1:123456789012:key/00000000-0000-0000-0000-000000000000',
  ALERT_TOPIC_ARN: 'arn:aws:sns:eu-west-1:123456789012:alerts',
  NODE_NO_WARNINGS: '1',
};

/** `typeof handler`, then the SDK client packages in the module cache after loading the bundle. */
function afterInit(file: string): string[] {
  const probe =
    'const h=require(process.argv[1]);' +
    'const s=new Set(Object.keys(require.cache).map(k=>(k.match(/@aws-sdk\\/(client-[^/]+)/)||[])[1]).filter(Boolean));' +
    'process.stdout.write(JSON.stringify([typeof h.handler,...[...s].sort()]))';
  const out = execFileSync(process.execPath, ['-e', probe, file], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...INIT_ENV },
  });
  return JSON.parse(out.toString()) as string[];
}

describe('compliance-checker cold start', () => {
  // Inside the repository, so an external SDK would resolve from its node_modules as from the runtime's.
  mkdirSync(join(REPO_ROOT, '.bench'), { recursive: true });
  const dir = mkdtempSync(join(REPO_ROOT, '.bench', 'cold-start-test-'));
  const file = join(dir, 'compliance-checker.js');
  beforeAll(() => {
    buildSync({ ...esbuildOptions('compliance-checker'), outfile: file, logLevel: 'silent' });
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('init loads no AWS SDK client module', () => {
    // WHEN the shipped bundle is loaded in a fresh node process
    // THEN the handler exists and no @aws-sdk/client-* module was read
    expect(afterInit(file)).toEqual(['function']);
  });
});
