/**
 * Parity: the default config's production environment (model fraud-xgb) built through the CDK stacks and through
 * the Terraform module gets the same verdict from every rule, for the compliant build and for each insecure variant.
 *
 * The Terraform side reads committed plans made with the real terraform binary (test/terraform/make-plan-fixtures.ts),
 * so this test needs no terraform. Resources are paired by what they are (kind, and purpose for buckets): the CDK
 * platform also has artifacts and reports buckets that the module does not create, and those are left out.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CfnElement, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { evaluate, Finding, ResourceFacts, ruleById } from '../../core/policy';
import { CfnTemplate, exportedResourceTypes, factsFromTemplate } from '../../core/policy/from-cloudformation';
import { factsFromPlan, parseTerraformPlan } from '../../core/policy/from-terraform';
import { buildTestApp } from '../support/app';
import { PARITY_VARIANTS, ParityVariant } from '../support/terraform-parity-variants';

const FIXTURES = join(__dirname, '..', 'terraform', 'fixtures');
const NOW = new Date('2026-11-30T12:00:00Z');

/** What a resource is, independent of how either tool names it. */
function pairKey(f: ResourceFacts): string {
  return f.kind === 'Bucket' ? `Bucket(${f.purpose})` : f.kind;
}

/**
 * Keys and identity policies have no one-to-one pairing (the CDK keys carry no purpose tag; the CDK platform has
 * policies for functions the module does not create), so they are compared as a group: the verdicts of their rules.
 */
const GROUPED = new Set<ResourceFacts['kind']>(['Key', 'IdentityPolicy', 'Role']);
function groupVerdicts(facts: readonly ResourceFacts[], findings: readonly Finding[], kind: ResourceFacts['kind']) {
  const ids = new Set(facts.filter((f) => f.kind === kind).map((f) => f.id));
  return [...new Set(findings.filter((f) => ids.has(f.resourceId)).map((f) => `${f.ruleId}:${f.status}`))].sort();
}

type Verdicts = Map<string, Map<string, Finding['status']>>;

function verdicts(facts: readonly ResourceFacts[], findings: readonly Finding[]): Verdicts {
  const out: Verdicts = new Map();
  for (const f of facts) {
    const key = pairKey(f);
    if (out.has(key)) throw new Error(`two resources pair as ${key}: ${f.id}; the parity pairing needs one each`);
    out.set(key, new Map(findings.filter((x) => x.resourceId === f.id).map((x) => [x.ruleId, x.status])));
  }
  return out;
}

function cdkSide(variant: ParityVariant) {
  const { environments, policy } = buildTestApp(undefined, { policyPacks: false });
  const production = environments.find((e) => e.node.id === 'production');
  if (production === undefined) throw new Error('the default config has no production environment');
  const modelStack = production.modelStacks[0]!;
  if (variant.cfnOverride !== undefined) {
    const { type, id, path, value } = variant.cfnOverride;
    const targets = modelStack.node
      .findAll()
      .filter((c) => (c as { cfnResourceType?: string }).cfnResourceType === type)
      .filter((c) => id === undefined || c.node.scope?.node.id === id);
    expect(targets).toHaveLength(1);
    (targets[0] as CfnElement & { addPropertyOverride(p: string, v: unknown): void }).addPropertyOverride(path, value);
  }
  const templates = [production.platform, modelStack].map((s: Stack) => Template.fromStack(s).toJSON() as CfnTemplate);
  const imports = exportedResourceTypes(templates);
  const facts = templates.flatMap((t) => factsFromTemplate(t, { region: 'eu-west-1', imports }));
  const findings = evaluate(facts, { policy, now: NOW }, 'synth');
  return { facts, findings, policy };
}

function terraformSide(variant: ParityVariant, policy: Parameters<typeof evaluate>[1]['policy']) {
  const file = join(FIXTURES, `plan-${variant.name}.json`);
  const plan = parseTerraformPlan(JSON.parse(readFileSync(file, 'utf8')), file);
  const facts = factsFromPlan(plan);
  return { facts, findings: evaluate(facts, { policy, now: NOW }, 'plan') };
}

describe('CDK stacks and the Terraform module get the same verdicts', () => {
  const results = new Map<
    string,
    {
      cdk: Verdicts;
      tf: Verdicts;
      keys: { cdk: string[]; tf: string[] };
      roles: { cdk: string[]; tf: string[] };
      cdkFindings: Finding[];
      tfFindings: Finding[];
    }
  >();

  beforeAll(() => {
    for (const variant of PARITY_VARIANTS) {
      const cdk = cdkSide(variant);
      const tf = terraformSide(variant, cdk.policy);
      // Only rules enforced at both stages can agree (MLOPS-IMG-3 reads what a plan cannot show).
      const atPlan = cdk.findings.filter((f) => ruleById(f.ruleId)?.stages.includes('plan'));
      results.set(variant.name, {
        cdk: verdicts(
          cdk.facts.filter(
            (f) =>
              !GROUPED.has(f.kind) &&
              // The schedule rules (the compliance checker's) match no S3 events; the parity root writes the drift
              // detector's capture-event rule. The ground-truth rule (model quality, issue 19) has no Terraform twin:
              // the module does not build the quality path, so it is left out of the pairing, not of the judging.
              (f.kind !== 'EventRule' || (f.matchesS3 !== false && !f.id.startsWith('DriftMonitorGroundTruth'))) &&
              (f.kind !== 'Bucket' || f.purpose === 'data-capture' || f.purpose === 'access-logs'),
          ),
          atPlan,
        ),
        tf: verdicts(
          tf.facts.filter((f) => !GROUPED.has(f.kind)),
          tf.findings,
        ),
        keys: { cdk: groupVerdicts(cdk.facts, atPlan, 'Key'), tf: groupVerdicts(tf.facts, tf.findings, 'Key') },
        roles: {
          cdk: groupVerdicts(cdk.facts, atPlan, 'Role'),
          tf: groupVerdicts(tf.facts, tf.findings, 'Role'),
        },
        cdkFindings: cdk.findings,
        tfFindings: tf.findings,
      });
    }
  });

  test.each(PARITY_VARIANTS.map((v) => [v.name, v.description]))('%s (%s): every rule, same verdict', (name) => {
    // GIVEN the same environment through both tools
    const { cdk, tf } = results.get(name)!;
    // THEN both show the same resources ...
    expect([...tf.keys()].sort()).toEqual([...cdk.keys()].sort());
    expect([...tf.keys()].sort()).toEqual([
      'Bucket(access-logs)',
      'Bucket(data-capture)',
      'Endpoint',
      'EndpointConfig',
      'EventRule',
      'Model',
      'Repository',
    ]);
    // ... the KMS keys get the same key-policy verdicts (MLOPS-KMS-1) ...
    const { keys } = results.get(name)!;
    expect(keys.tf).toEqual(keys.cdk);
    expect(keys.tf).toEqual(['MLOPS-KMS-1:COMPLIANT', 'MLOPS-KMS-2:COMPLIANT', 'MLOPS-KMS-3:COMPLIANT']);
    // ... the roles get the same trust-policy verdicts (MLOPS-IAM-2) ...
    const { roles } = results.get(name)!;
    expect(roles.tf).toEqual(roles.cdk);
    expect(roles.tf).toEqual(['MLOPS-IAM-2:COMPLIANT']);
    // ... and every rule judges each pair alike (a rule that does not apply is absent on both sides).
    for (const [key, cdkVerdicts] of cdk) {
      expect({ resource: key, verdicts: Object.fromEntries(tf.get(key)!) }).toEqual({
        resource: key,
        verdicts: Object.fromEntries(cdkVerdicts),
      });
    }
  });

  test('the compliant build passes every rule on both sides', () => {
    const { cdkFindings, tfFindings } = results.get('compliant')!;
    expect(tfFindings.filter((f) => f.status !== 'COMPLIANT')).toEqual([]);
    expect(cdkFindings.filter((f) => f.status !== 'COMPLIANT')).toEqual([]);
    // Every plan-stage rule but the VPC rule (requireVpc is off in the default config) judged something.
    expect(new Set(tfFindings.map((f) => f.ruleId)).size).toBeGreaterThanOrEqual(17);
  });

  test.each([
    ['no-network-isolation', 'MLOPS-SM-2'],
    ['oversampled', 'MLOPS-CAPTURE-3'],
    ['capture-off', 'MLOPS-CAPTURE-1'],
    ['all-at-once', 'MLOPS-SM-4'],
    ['foreign-event-target', 'MLOPS-EVENTS-1'],
  ])('rejects the %s variant with %s on both sides, and nothing else', (name, ruleId) => {
    // GIVEN an insecure variant WHEN both sides are judged THEN exactly the expected rule fails on each
    const { cdkFindings, tfFindings } = results.get(name)!;
    const failed = (fs: readonly Finding[]) => fs.filter((f) => f.status === 'NON_COMPLIANT').map((f) => f.ruleId);
    expect(failed(tfFindings)).toEqual([ruleId]);
    expect(failed(cdkFindings)).toEqual([ruleId]);
  });
});
