import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { evaluate, RULES, ruleById, rulesFor } from '../../core/policy';
import type { Rule } from '../../core/policy';
import * as accounts from '../../core/policy/rules/accounts';
import * as bucketRules from '../../core/policy/rules/bucket';
import * as build from '../../core/policy/rules/build';
import * as dataCapture from '../../core/policy/rules/data-capture';
import * as ecr from '../../core/policy/rules/ecr';
import * as events from '../../core/policy/rules/events';
import * as identityPolicy from '../../core/policy/rules/identity-policy';
import * as image from '../../core/policy/rules/image';
import * as keyPolicy from '../../core/policy/rules/key-policy';
import * as kmsKey from '../../core/policy/rules/kms-key';
import * as residency from '../../core/policy/rules/residency';
import * as resourcePolicy from '../../core/policy/rules/resource-policy';
import * as sagemaker from '../../core/policy/rules/sagemaker';
import * as tagging from '../../core/policy/rules/tagging';
import * as trustPolicy from '../../core/policy/rules/trust-policy';
import { bucket, ctx, endpoint, endpointConfig, image as imageFacts, model, repository } from '../support/policy-facts';

const POLICY_DIR = join(__dirname, '../../core/policy');
const RULES_DIR = join(POLICY_DIR, 'rules');

/** Every rules module, by file name: a new file missing here fails the directory test below. */
const RULE_MODULES: Record<string, Record<string, unknown>> = {
  'accounts.ts': accounts,
  'bucket.ts': bucketRules,
  'build.ts': build,
  'data-capture.ts': dataCapture,
  'ecr.ts': ecr,
  'events.ts': events,
  'identity-policy.ts': identityPolicy,
  'image.ts': image,
  'key-policy.ts': keyPolicy,
  'kms-key.ts': kmsKey,
  'residency.ts': residency,
  'resource-policy.ts': resourcePolicy,
  'sagemaker.ts': sagemaker,
  'tagging.ts': tagging,
  'trust-policy.ts': trustPolicy,
};

const isRule = (v: unknown): v is Rule =>
  typeof v === 'object' && v !== null && typeof (v as Rule).id === 'string' && typeof (v as Rule).check === 'function';

describe('rule catalogue', () => {
  test('every rules file is imported by this test', () => {
    // GIVEN the files in core/policy/rules
    const files = readdirSync(RULES_DIR)
      .filter((f) => f.endsWith('.ts'))
      .sort();
    // WHEN compared with the modules this test inspects
    // THEN none is unchecked
    expect(files).toEqual(Object.keys(RULE_MODULES).sort());
  });

  test('every exported rule is listed in RULES (none silently dropped)', () => {
    // GIVEN every Rule exported by every rules file
    const exported = Object.entries(RULE_MODULES).flatMap(([file, mod]) =>
      Object.entries(mod)
        .filter(([, v]) => isRule(v))
        .map(([name, rule]) => ({ file, name, rule: rule as Rule })),
    );
    // WHEN looked up in RULES
    const dropped = exported.filter((e) => !RULES.includes(e.rule)).map((e) => `${e.file}:${e.name}`);
    // THEN all are there, and RULES holds nothing else
    expect(exported.length).toBeGreaterThanOrEqual(34);
    expect(dropped).toEqual([]);
    expect(RULES.length).toBe(exported.length);
  });

  test('ids are unique and well formed', () => {
    // GIVEN all rule ids
    const ids = RULES.map((r) => r.id);
    // WHEN checked
    // THEN unique and MLOPS-<AREA>-<N>
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^MLOPS-[A-Z]+-\d+$/);
  });

  test.each(RULES.map((r) => [r.id, r] as const))('%s is fully documented', (_id, rule) => {
    // GIVEN a rule
    // WHEN its metadata is read
    // THEN every field a report shows is filled in
    expect(rule.title.trim().length).toBeGreaterThan(10);
    expect(rule.rationale.trim().length).toBeGreaterThan(20);
    expect(rule.remediation.trim().length).toBeGreaterThan(20);
    expect(['LOW', 'MEDIUM', 'HIGH', 'CRITICAL']).toContain(rule.severity);
    const refs = rule.references;
    expect((refs.gdpr?.length ?? 0) + (refs.nist80053?.length ?? 0) + (refs.awsConfigRule ? 1 : 0)).toBeGreaterThan(0);
    for (const c of refs.nist80053 ?? []) expect(c).toMatch(/^[A-Z]{2}-\d+(\(\d+\))?$/);
    for (const a of refs.gdpr ?? []) expect(a).toMatch(/^Art\. \d+/);
    if (refs.awsConfigRule !== undefined) expect(refs.awsConfigRule).toMatch(/^[A-Z0-9_]+$/);
    expect(rule.appliesTo.length).toBeGreaterThan(0);
    expect(rule.stages.length).toBeGreaterThan(0);
  });

  test('ruleById finds a rule and rulesFor keeps run-only rules out of synth', () => {
    // GIVEN the catalogue
    // WHEN queried
    const synth = rulesFor('synth').map((r) => r.id);
    const run = rulesFor('run').map((r) => r.id);
    // THEN image rules exist only at run time
    expect(ruleById('MLOPS-SM-2')?.title).toMatch(/network isolation/);
    expect(ruleById('MLOPS-NOPE-1')).toBeUndefined();
    expect(synth).not.toContain('MLOPS-IMG-1');
    expect(run).toContain('MLOPS-IMG-1');
    // AND identity and trust policies, like key policies, are judged at every stage (run time: models' roles)
    expect(synth).toEqual(expect.arrayContaining(['MLOPS-KMS-1', 'MLOPS-IAM-1', 'MLOPS-IAM-2']));
    expect(run).toEqual(expect.arrayContaining(['MLOPS-KMS-1', 'MLOPS-IAM-1', 'MLOPS-IAM-2']));
    // AND the rules the run-time checker cannot read facts for are exactly these (its report lists them)
    expect(
      RULES.filter((r) => !r.stages.includes('run'))
        .map((r) => r.id)
        .sort(),
    ).toEqual(['MLOPS-BUILD-1', 'MLOPS-BUILD-2']);
    // AND event rules on capture buckets are judged at run time too (the checker reads EventBridge rules)
    expect(run).toContain('MLOPS-EVENTS-1');
    // AND bucket ACLs, key rotation and repository policies are read at run time too
    expect(run).toEqual(expect.arrayContaining(['MLOPS-BUCKET-7', 'MLOPS-KMS-3', 'MLOPS-ECR-5']));
    // AND each says why, for the checker's report
    for (const r of RULES.filter((x) => !x.stages.includes('run')))
      expect(r.notAtRunTime).toMatch(/^the checker does not read /);
  });
});

describe('evaluate', () => {
  test('a compliant set of resources yields only COMPLIANT findings', () => {
    // GIVEN one compliant resource of each kind
    const resources = [model(), endpointConfig(), endpoint(), repository(), bucket(), imageFacts()];
    // WHEN evaluated at run time
    const findings = evaluate(resources, ctx(), 'run');
    // THEN everything passes and not-applicable verdicts are dropped
    const failing = findings.filter((f) => f.status !== 'COMPLIANT');
    expect(failing).toEqual([]);
    expect(findings.every((f) => f.status !== 'NOT_APPLICABLE')).toBe(true);
    expect(findings.length).toBeGreaterThan(20);
  });

  test('fails an insecure model with the rule, severity and resource attached', () => {
    // GIVEN a named model without network isolation
    const resources = [model({ id: 'FraudModel', name: 'fraud-v1', networkIsolation: false })];
    // WHEN evaluated at synth
    const findings = evaluate(resources, ctx(), 'synth');
    // THEN the finding carries the rule id, severity and resource identity
    const f = findings.find((x) => x.ruleId === 'MLOPS-SM-2');
    expect(f).toEqual({
      ruleId: 'MLOPS-SM-2',
      severity: 'HIGH',
      status: 'NON_COMPLIANT',
      reason: expect.stringContaining('disabled'),
      resourceId: 'FraudModel',
      resourceKind: 'Model',
      resourceName: 'fraud-v1',
    });
  });

  test('skips rules of other stages and kinds', () => {
    // GIVEN an image with critical findings
    const resources = [
      imageFacts({
        scan: { status: 'COMPLETE', completedAt: '2026-03-01T00:00:00Z', findingSeverityCounts: { CRITICAL: 1 } },
      }),
    ];
    // WHEN evaluated at synth
    const findings = evaluate(resources, ctx(), 'synth');
    // THEN no image rule runs (run-time only) and no resource rule applies to images
    expect(findings).toEqual([]);
  });

  test('omits resourceName when the resource has none', () => {
    // GIVEN an unnamed bucket
    // WHEN evaluated
    const [f] = evaluate([bucket()], ctx(), 'synth');
    // THEN no resourceName key
    expect(f).not.toHaveProperty('resourceName');
  });
});

/** Module specifiers a source file loads, and whether each is a type-only import (erased at compile time). */
function moduleSpecifiers(text: string): { spec: string; typeOnly: boolean }[] {
  const out: { spec: string; typeOnly: boolean }[] = [];
  for (const m of text.matchAll(/\b(?:import|export)\s+(type\s+)?[^;'"]*?\bfrom\s+['"]([^'"]+)['"]/g)) {
    out.push({ spec: m[2], typeOnly: m[1] !== undefined });
  }
  for (const m of text.matchAll(/(?:\bimport\s+|\brequire\(\s*|\bimport\(\s*)['"]([^'"]+)['"]/g)) {
    out.push({ spec: m[1], typeOnly: false });
  }
  return out;
}

describe('purity of core/policy', () => {
  const files = [
    ...readdirSync(POLICY_DIR)
      .filter((f) => f.endsWith('.ts'))
      .map((f) => join(POLICY_DIR, f)),
    ...readdirSync(RULES_DIR)
      .filter((f) => f.endsWith('.ts'))
      .map((f) => join(RULES_DIR, f)),
  ];
  const imports = files.flatMap((file) =>
    moduleSpecifiers(readFileSync(file, 'utf8')).map((i) => ({ ...i, file: file.slice(POLICY_DIR.length + 1) })),
  );

  test('loads nothing from aws-cdk-lib, cdktf/cdktn, constructs, cdk-nag or the AWS SDK at run time', () => {
    // GIVEN every import, export-from, require and dynamic import under core/policy
    // WHEN the ones that load a module at run time are filtered for forbidden packages
    const offending = imports
      .filter((i) => !i.typeOnly)
      .filter((i) =>
        /^(aws-cdk-lib|cdktf|cdktn|@cdktf\/|@cdktn\/|constructs$|cdk-nag|@aws-sdk\/|aws-sdk$)/.test(i.spec),
      )
      .map((i) => `${i.file}: ${i.spec}`);
    // THEN there are none
    expect(files.length).toBeGreaterThan(5);
    expect(offending).toEqual([]);
  });

  test('takes no types from CDK or CDKTF, and SDK types only in the run-time adapter', () => {
    // GIVEN the type-only imports under core/policy
    // WHEN checked against where they may appear
    const misplaced = imports
      .filter((i) => i.typeOnly)
      .filter((i) => !/^[./]/.test(i.spec))
      .filter((i) => !(i.file === 'from-aws.ts' && i.spec.startsWith('@aws-sdk/')))
      .map((i) => `${i.file}: ${i.spec}`);
    // THEN rules, facts and the other adapters depend on no package at all
    expect(misplaced).toEqual([]);
  });

  test('the import scanner sees the forms it must catch', () => {
    // GIVEN source text with every import form
    const text = [
      "import { App } from 'aws-cdk-lib';",
      "import type { Tag } from '@aws-sdk/client-ecr';",
      "import {\n  A,\n  B,\n} from 'cdktf';",
      "export * from 'constructs';",
      "const x = require('@aws-sdk/client-s3');",
      "import 'side-effect';",
    ].join('\n');
    // WHEN scanned
    const found = moduleSpecifiers(text);
    // THEN each specifier is found with the right kind
    expect(found).toEqual(
      expect.arrayContaining([
        { spec: 'aws-cdk-lib', typeOnly: false },
        { spec: '@aws-sdk/client-ecr', typeOnly: true },
        { spec: 'cdktf', typeOnly: false },
        { spec: 'constructs', typeOnly: false },
        { spec: '@aws-sdk/client-s3', typeOnly: false },
        { spec: 'side-effect', typeOnly: false },
      ]),
    );
  });
});
