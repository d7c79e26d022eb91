/**
 * The plan-time adapter, on a real plan (made by terraform 1.11.4 with provider 5.100.0 from the module) and on
 * small edits of it for the branches one plan cannot show: values unknown at plan time, deletions, other keys.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  BucketFacts,
  EndpointConfigFacts,
  EndpointFacts,
  evaluate,
  ModelFacts,
  RepositoryFacts,
  ResourceFacts,
  ruleById,
} from '../../core/policy';
import {
  factsFromPlan,
  KNOWN_AFTER_APPLY,
  parseTerraformPlan,
  planRegion,
  PlanResourceChange,
  TerraformPlan,
  TerraformPlanError,
} from '../../core/policy/from-terraform';
import { ctx } from '../support/policy-facts';

const FIXTURE = join(__dirname, '..', 'terraform', 'fixtures', 'plan-compliant.json');
const M = 'module.environment.';

function plan(): TerraformPlan {
  return parseTerraformPlan(JSON.parse(readFileSync(FIXTURE, 'utf8')));
}

type Mutable = { -readonly [K in keyof PlanResourceChange]: PlanResourceChange[K] } & {
  change: { actions: string[]; after: Record<string, unknown>; after_unknown: Record<string, unknown> };
};

/** The plan with one resource change edited. */
function edited(address: string, edit: (rc: Mutable) => void): TerraformPlan {
  const p = plan();
  const rc = p.resource_changes?.find((r) => r.address === `${M}${address}`);
  if (rc === undefined) throw new Error(`no ${address} in the fixture`);
  edit(rc as Mutable);
  return p;
}

function factsOf<T extends ResourceFacts>(p: TerraformPlan, address: string): T {
  const f = factsFromPlan(p).find((x) => x.id === `${M}${address}`);
  if (f === undefined) throw new Error(`no facts for ${address}`);
  return f as T;
}

const PROD = ctx({ requireVpc: false, productionEnvironments: ['production'] });
const verdict = (p: TerraformPlan, address: string, ruleId: string) =>
  evaluate([factsOf(p, address)], PROD, 'plan').find((f) => f.ruleId === ruleId)?.status;

describe('factsFromPlan on the module plan', () => {
  test('describes the model, config, endpoint, repository and both buckets with what the plan shows', () => {
    // GIVEN the plan of the module's production environment WHEN mapped
    const p = plan();
    // THEN each resource carries its planned settings
    expect(factsOf<ModelFacts>(p, 'aws_sagemaker_model.this')).toMatchObject({
      kind: 'Model',
      region: 'eu-west-1',
      networkIsolation: true,
      tags: { DataClassification: 'confidential', Environment: 'production', Owner: 'ml-platform' },
    });
    const config = factsOf<EndpointConfigFacts>(p, 'aws_sagemaker_endpoint_configuration.this');
    expect(config.kmsKey).toEqual({ id: 'aws_kms_key.this["endpoint-store"].arn', customerManaged: true });
    expect(config.dataCapture).toMatchObject({
      enabled: true,
      samplingPercent: 10,
      captureInput: true,
      captureOutput: true,
      kmsKey: { id: 'aws_kms_key.this["data-capture"].arn', customerManaged: true },
    });
    expect(factsOf<EndpointFacts>(p, 'aws_sagemaker_endpoint.this')).toMatchObject({
      environment: 'production',
      deployment: { strategy: 'CANARY', rollbackAlarmCount: 3 },
    });
    expect(factsOf<RepositoryFacts>(p, 'aws_ecr_repository.model')).toMatchObject({
      tagImmutable: true,
      scanOnPush: true,
      encryption: { type: 'KMS', kmsKey: { customerManaged: true } },
      hasLifecyclePolicy: true,
    });
    expect(factsOf<BucketFacts>(p, 'aws_s3_bucket.this["data-capture"]')).toMatchObject({
      purpose: 'data-capture',
      encryption: { type: 'aws:kms', kmsKey: { customerManaged: true } },
      versioned: true,
      publicAccessBlocked: true,
      accessLogging: true,
      tlsOnly: true,
      expirationDays: 29,
      noncurrentExpirationDays: 1,
    });
    expect(factsOf<BucketFacts>(p, 'aws_s3_bucket.this["access-logs"]')).toMatchObject({
      purpose: 'access-logs',
      encryption: { type: 'AES256' },
      accessLogging: false,
      expirationDays: 365,
    });
  });

  test('reads the region from the aws_region data source, and takes an explicit region first', () => {
    expect(planRegion(plan())).toBe('eu-west-1');
    expect(factsFromPlan(plan(), { region: 'us-east-1' }).every((f) => f.region === 'us-east-1')).toBe(true);
  });
});

describe('values unknown at plan time are never compliant', () => {
  const CONFIG = 'aws_sagemaker_endpoint_configuration.this';
  const CAPTURE_BUCKET = 'aws_s3_bucket.this["data-capture"]';
  test.each<[string, string, (rc: Mutable) => void, string, (f: ResourceFacts) => unknown, unknown, string]>([
    [
      // the least compliant value is assumed, and the minimisation rule fails
      'an unknown sampling percentage as 100',
      CONFIG,
      (rc) => {
        const dc = (rc.change.after.data_capture_config as Record<string, unknown>[])[0]!;
        delete dc.initial_sampling_percentage;
        (rc.change.after_unknown.data_capture_config as Record<string, unknown>[])[0]!.initial_sampling_percentage =
          true;
      },
      CONFIG,
      (f) => (f as EndpointConfigFacts).dataCapture?.samplingPercent,
      100,
      'MLOPS-CAPTURE-3',
    ],
    [
      'an unknown network isolation flag',
      'aws_sagemaker_model.this',
      (rc) => {
        delete rc.change.after.enable_network_isolation;
        rc.change.after_unknown.enable_network_isolation = true;
      },
      'aws_sagemaker_model.this',
      (f) => (f as ModelFacts).networkIsolation,
      false,
      'MLOPS-SM-2',
    ],
    [
      'a bucket policy known only after apply as unknown (never TLS-only)',
      'aws_s3_bucket_policy.this["data-capture"]',
      (rc) => {
        delete rc.change.after.policy;
        rc.change.after_unknown.policy = true;
      },
      CAPTURE_BUCKET,
      (f) => (f as BucketFacts).tlsOnly,
      undefined,
      'MLOPS-BUCKET-2',
    ],
  ])('rejects %s', (_what, address, edit, factsAddress, fact, expected, ruleId) => {
    // GIVEN a value Terraform learns only at apply time
    const p = edited(address, edit);
    // WHEN mapped
    // THEN the fact is the least compliant reading, and the rule fails
    expect(fact(factsOf(p, factsAddress))).toBe(expected);
    expect(verdict(p, factsAddress, ruleId)).toBe('NON_COMPLIANT');
  });

  test('rejects an unknown key that the configuration does not take from a key resource', () => {
    // GIVEN the storage key comes from a data source lookup, known only after apply
    const p = edited('aws_sagemaker_endpoint_configuration.this', () => undefined);
    const config = (
      p.configuration as {
        root_module: {
          module_calls: Record<
            string,
            { module: { resources: { address: string; expressions: Record<string, unknown> }[] } }
          >;
        };
      }
    ).root_module.module_calls.environment!.module.resources.find(
      (r) => r.address === 'aws_sagemaker_endpoint_configuration.this',
    )!;
    config.expressions.kms_key_arn = { references: ['data.aws_kms_key.shared.arn', 'data.aws_kms_key.shared'] };
    // THEN the key cannot be shown customer-managed and the rule fails
    expect(factsOf<EndpointConfigFacts>(p, 'aws_sagemaker_endpoint_configuration.this').kmsKey).toEqual({
      id: 'data.aws_kms_key.shared.arn',
      customerManaged: undefined,
    });
    expect(verdict(p, 'aws_sagemaker_endpoint_configuration.this', 'MLOPS-SM-1')).toBe('NON_COMPLIANT');
  });

  test('shows unknown tags as not shown, never as present', () => {
    const p = edited('aws_sagemaker_model.this', (rc) => {
      delete rc.change.after.tags_all;
      rc.change.after_unknown.tags_all = true;
    });
    expect(factsOf<ModelFacts>(p, 'aws_sagemaker_model.this').tags).toBeUndefined();
  });

  test('marks unknown strings as known after apply, naming the reference where the configuration has one', () => {
    const model = factsOf<ModelFacts>(plan(), 'aws_sagemaker_model.this');
    expect(model.executionRoleArn).toBe('aws_iam_role.execution.arn');
    expect(model.images).toEqual(['local.image']);
    const p = edited('aws_sagemaker_model.this', (rc) => {
      rc.change.after.vpc_config = [{}];
      rc.change.after_unknown.vpc_config = [{ subnets: true, security_group_ids: true }];
    });
    expect(factsOf<ModelFacts>(p, 'aws_sagemaker_model.this').vpc).toEqual({
      subnetIds: [KNOWN_AFTER_APPLY],
      securityGroupIds: [KNOWN_AFTER_APPLY],
    });
  });
});

describe('what the plan leaves in place', () => {
  test('leaves out resources the plan deletes', () => {
    const p = edited('aws_sagemaker_model.this', (rc) => {
      rc.change.actions = ['delete'];
    });
    expect(factsFromPlan(p).some((f) => f.id === `${M}aws_sagemaker_model.this`)).toBe(false);
  });

  test('rejects a bucket whose public access block the plan deletes', () => {
    const p = edited('aws_s3_bucket_public_access_block.this["data-capture"]', (rc) => {
      rc.change.actions = ['delete'];
    });
    expect(verdict(p, 'aws_s3_bucket.this["data-capture"]', 'MLOPS-BUCKET-4')).toBe('NON_COMPLIANT');
  });

  test('rejects an AWS-managed key given literally', () => {
    const p = edited('aws_ecr_repository.model', (rc) => {
      (rc.change.after.encryption_configuration as Record<string, unknown>[])[0]!.kms_key = 'alias/aws/ecr';
      (rc.change.after_unknown.encryption_configuration as Record<string, unknown>[])[0] = {};
    });
    expect(factsOf<RepositoryFacts>(p, 'aws_ecr_repository.model').encryption.kmsKey).toEqual({
      id: 'alias/aws/ecr',
      customerManaged: false,
    });
  });

  test('rejects a lifecycle rule limited to a prefix as retention for the whole bucket', () => {
    const p = edited('aws_s3_bucket_lifecycle_configuration.this["data-capture"]', (rc) => {
      const rule = (rc.change.after.rule as Record<string, unknown>[])[0]!;
      (rule.filter as Record<string, unknown>[])[0]!.prefix = 'datacapture/';
    });
    expect(factsOf<BucketFacts>(p, 'aws_s3_bucket.this["data-capture"]').expirationDays).toBeUndefined();
    expect(verdict(p, 'aws_s3_bucket.this["data-capture"]', 'MLOPS-CAPTURE-4')).toBe('NON_COMPLIANT');
  });
});

describe('parseTerraformPlan', () => {
  test.each([
    ['not an object', []],
    ['no format_version', { resource_changes: [] }],
    ['state JSON', { format_version: '1.0', values: {} }],
    ['a malformed change', { format_version: '1.2', resource_changes: [{ address: 'x' }] }],
  ])('rejects %s, naming the fix', (_, json) => {
    expect(() => parseTerraformPlan(json, 'plan.json')).toThrow(TerraformPlanError);
    expect(() => parseTerraformPlan(json, 'plan.json')).toThrow(/plan\.json: .*terraform show -json/);
  });
});

describe('factsFromPlan: the facts of the issue #23 rules', () => {
  const ALL = ctx({ requireVpc: false, productionEnvironments: ['production'], knownAccounts: ['123456789012'] });
  const statusOf = (p: TerraformPlan, address: string, ruleId: string) =>
    evaluate(
      factsFromPlan(p).filter((f) => f.id === `${M}${address}`),
      ALL,
      'plan',
    ).find((f) => f.ruleId === ruleId)?.status;
  const open = (statement: object) => JSON.stringify({ Version: '2012-10-17', Statement: [statement] });
  /** The plan with one more planned resource (a type the module does not create). */
  const withResource = (type: string, name: string, after: Record<string, unknown>): TerraformPlan => {
    const p = plan();
    (p.resource_changes as PlanResourceChange[]).push({
      address: `${M}${type}.${name}`,
      module_address: 'module.environment',
      mode: 'managed',
      type,
      name,
      change: { actions: ['create'], after, after_unknown: {} },
    });
    return p;
  };

  test('the compliant plan passes every new plan-stage rule it can judge', () => {
    const p = plan();
    expect(statusOf(p, 'aws_iam_role.execution', 'MLOPS-IAM-2')).toBe('COMPLIANT');
    expect(statusOf(p, 'aws_kms_key.this["data"]', 'MLOPS-KMS-2')).toBe('COMPLIANT');
    expect(statusOf(p, 'aws_kms_key.this["data"]', 'MLOPS-KMS-3')).toBe('COMPLIANT');
    for (const b of ['aws_s3_bucket.this["data-capture"]', 'aws_s3_bucket.this["access-logs"]'])
      for (const rule of ['MLOPS-BUCKET-5', 'MLOPS-BUCKET-6', 'MLOPS-BUCKET-7'])
        expect(statusOf(p, b, rule)).toBe('COMPLIANT');
    expect(statusOf(p, 'aws_ecr_repository.model', 'MLOPS-ECR-5')).toBe('COMPLIANT');
  });

  test('the bucket the capture bucket logs to is a log delivery target', () => {
    expect(factsOf<BucketFacts>(plan(), 'aws_s3_bucket.this["access-logs"]').logTarget).toBe(true);
    expect(factsOf<BucketFacts>(plan(), 'aws_s3_bucket.this["data-capture"]').logTarget).toBeUndefined();
  });

  test('rejects a role trust policy open to "*" behind an always-true condition (MLOPS-IAM-2)', () => {
    const p = edited('aws_iam_role.execution', (rc) => {
      rc.change.after.assume_role_policy = open({
        Effect: 'Allow',
        Principal: { AWS: '*' },
        Action: 'sts:AssumeRole',
        Condition: { StringLike: { 'aws:PrincipalArn': '*' } },
      });
    });
    expect(statusOf(p, 'aws_iam_role.execution', 'MLOPS-IAM-2')).toBe('NON_COMPLIANT');
  });

  test('rejects a key without rotation (MLOPS-KMS-3) and one granting decrypt to a foreign account (MLOPS-KMS-2)', () => {
    const p = edited('aws_kms_key.this["data"]', (rc) => {
      rc.change.after.enable_key_rotation = false;
      rc.change.after.policy = open({
        Effect: 'Allow',
        Principal: { AWS: 'arn:aws:iam::999988887777:root' },
        Action: 'kms:Decrypt',
        Resource: '*',
      });
    });
    expect(statusOf(p, 'aws_kms_key.this["data"]', 'MLOPS-KMS-3')).toBe('NON_COMPLIANT');
    expect(statusOf(p, 'aws_kms_key.this["data"]', 'MLOPS-KMS-2')).toBe('NON_COMPLIANT');
  });

  test('rejects an open bucket policy (MLOPS-BUCKET-5) and suspended versioning (MLOPS-BUCKET-6)', () => {
    const policy = edited('aws_s3_bucket_policy.this["data-capture"]', (rc) => {
      rc.change.after.policy = open({ Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: '*' });
    });
    expect(statusOf(policy, 'aws_s3_bucket.this["data-capture"]', 'MLOPS-BUCKET-5')).toBe('NON_COMPLIANT');
    const versioning = edited('aws_s3_bucket_versioning.this["data-capture"]', (rc) => {
      rc.change.after.versioning_configuration = [{ status: 'Suspended' }];
    });
    expect(statusOf(versioning, 'aws_s3_bucket.this["data-capture"]', 'MLOPS-BUCKET-6')).toBe('NON_COMPLIANT');
  });

  test('rejects a public canned ACL (MLOPS-BUCKET-7)', () => {
    const p = edited('aws_s3_bucket.this["data-capture"]', (rc) => {
      rc.change.after.acl = 'public-read';
      rc.change.after_unknown.acl = false;
    });
    expect(statusOf(p, 'aws_s3_bucket.this["data-capture"]', 'MLOPS-BUCKET-7')).toBe('NON_COMPLIANT');
  });

  test('rejects a repository policy open to "*" (MLOPS-ECR-5)', () => {
    const name = factsOf<RepositoryFacts>(plan(), 'aws_ecr_repository.model').name;
    const p = withResource('aws_ecr_repository_policy', 'open', {
      repository: name,
      policy: open({ Effect: 'Allow', Principal: '*', Action: 'ecr:BatchGetImage' }),
    });
    expect(statusOf(p, 'aws_ecr_repository.model', 'MLOPS-ECR-5')).toBe('NON_COMPLIANT');
  });

  test('judges CodeBuild projects: privileged mode (MLOPS-BUILD-1) and plaintext secrets (MLOPS-BUILD-2)', () => {
    const project = (privileged: boolean, type: string) =>
      withResource('aws_codebuild_project', 'build', {
        name: 'build',
        environment: [
          { privileged_mode: privileged, environment_variable: [{ name: 'DB_PASSWORD', value: 'hunter2', type }] },
        ],
      });
    expect(statusOf(project(true, 'PLAINTEXT'), 'aws_codebuild_project.build', 'MLOPS-BUILD-1')).toBe('NON_COMPLIANT');
    expect(statusOf(project(true, 'PLAINTEXT'), 'aws_codebuild_project.build', 'MLOPS-BUILD-2')).toBe('NON_COMPLIANT');
    expect(statusOf(project(false, 'SECRETS_MANAGER'), 'aws_codebuild_project.build', 'MLOPS-BUILD-1')).toBe(
      'COMPLIANT',
    );
    expect(statusOf(project(false, 'SECRETS_MANAGER'), 'aws_codebuild_project.build', 'MLOPS-BUILD-2')).toBe(
      'COMPLIANT',
    );
  });

  describe('event rules and their targets (MLOPS-EVENTS-1)', () => {
    const RULE = 'aws_cloudwatch_event_rule.capture_object_created';
    const rc = (p: TerraformPlan, address: string) => {
      const found = p.resource_changes?.find((r) => r.address === address) as Mutable | undefined;
      if (found === undefined) throw new Error(`no ${address} in the fixture`);
      return found;
    };
    const eventsVerdict = (p: TerraformPlan) =>
      evaluate(
        factsFromPlan(p).filter((f) => f.id === RULE),
        ALL,
        'plan',
      ).find((f) => f.ruleId === 'MLOPS-EVENTS-1');

    test('passes capture-bucket events sent to a target of the same account', () => {
      expect(eventsVerdict(plan())?.status).toBe('COMPLIANT');
    });

    test('rejects a target in another account, naming it', () => {
      // GIVEN the target moved to an event bus of another account
      const p = plan();
      rc(p, 'aws_cloudwatch_event_target.drift_detector').change.after.arn =
        'arn:aws:events:eu-west-1:999999999999:event-bus/default';
      // THEN the rule fails with the bus and its account
      expect(eventsVerdict(p)?.status).toBe('NON_COMPLIANT');
      expect(eventsVerdict(p)?.reason).toContain('event-bus/default (account 999999999999)');
    });

    test('judges an untagged bucket that an endpoint captures to as holding captured data', () => {
      // GIVEN the capture bucket without its purpose tag
      const p = edited('aws_s3_bucket.this["data-capture"]', (b) => {
        delete (b.change.after.tags_all as Record<string, string>)['mlops:purpose'];
        delete (b.change.after.tags as Record<string, string>)['mlops:purpose'];
      });
      rc(p, 'aws_cloudwatch_event_target.drift_detector').change.after.arn =
        'arn:aws:sqs:eu-west-1:999999999999:elsewhere';
      // THEN the rule still judges its events (the endpoint config names it as the destination)
      const rule = factsFromPlan(p).find((f) => f.id === RULE);
      expect(rule).toMatchObject({ bucketPurposes: ['data-capture'] });
      expect(eventsVerdict(p)?.status).toBe('NON_COMPLIANT');
    });

    test('a pattern on other buckets only, or a schedule, is not applicable', () => {
      const other = plan();
      rc(other, RULE).change.after.event_pattern = JSON.stringify({
        source: ['aws.s3'],
        detail: { bucket: { name: ['mlops-production-fraud-xgb-logs-123456789012'] } },
      });
      const judged = (p: TerraformPlan) =>
        ruleById('MLOPS-EVENTS-1')!.check(
          factsFromPlan(p).find((f) => f.id === RULE)!,
          ALL,
        );
      expect(judged(other)).toEqual({
        status: 'NOT_APPLICABLE',
        reason: 'the rule matches no bucket holding captured data',
      });
      const schedule = plan();
      delete rc(schedule, RULE).change.after.event_pattern;
      rc(schedule, RULE).change.after.schedule_expression = 'rate(1 day)';
      expect(judged(schedule)).toEqual({ status: 'NOT_APPLICABLE', reason: 'the rule matches no S3 events' });
    });

    test('rejects as unknown a target ARN known only after apply from another provider configuration', () => {
      // GIVEN a target ARN that comes from a queue of the configuration, under an aliased provider
      const p = withResource('aws_sqs_queue', 'partner', { name: 'partner' });
      const queue = p.resource_changes!.at(-1) as Mutable;
      queue.module_address = undefined;
      queue.address = 'aws_sqs_queue.partner';
      const target = rc(p, 'aws_cloudwatch_event_target.drift_detector');
      target.change.after.arn = undefined;
      target.change.after_unknown.arn = true;
      const root = (p.configuration as { root_module: { resources: Record<string, unknown>[] } }).root_module;
      root.resources.push({ address: 'aws_sqs_queue.partner', provider_config_key: 'aws.partner', expressions: {} });
      const cfgTarget = root.resources.find((r) => r.address === 'aws_cloudwatch_event_target.drift_detector')!;
      cfgTarget.expressions = {
        ...(cfgTarget.expressions as object),
        arn: { references: ['aws_sqs_queue.partner.arn', 'aws_sqs_queue.partner'] },
      };
      // THEN the target's account is unknown, never assumed to be this one
      expect(eventsVerdict(p)?.status).toBe('NON_COMPLIANT');
      expect(eventsVerdict(p)?.reason).toMatch(/account of target\(s\) aws_sqs_queue\.partner\.arn/);
      // AND under the rule's own provider configuration it is this account
      root.resources.find((r) => r.address === 'aws_sqs_queue.partner')!.provider_config_key = 'aws';
      expect(eventsVerdict(p)?.status).toBe('COMPLIANT');
    });

    test('a pattern known only after apply matches the buckets it refers to, and a target of an unknown rule may be any rule’s', () => {
      // GIVEN the pattern made from the capture bucket's id (known after apply)
      const p = plan();
      const rule = rc(p, RULE);
      delete rule.change.after.event_pattern;
      rule.change.after_unknown.event_pattern = true;
      const root = (p.configuration as { root_module: { resources: Record<string, unknown>[] } }).root_module;
      const cfg = root.resources.find((r) => r.address === RULE)!;
      cfg.expressions = { event_pattern: { references: ['module.environment.capture_bucket_name'] } };
      // THEN it may match any bucket's S3 events, and still passes with a same-account target
      expect(factsFromPlan(p).find((f) => f.id === RULE)).toMatchObject({
        matchesS3: undefined,
        bucketPurposes: 'any',
      });
      expect(eventsVerdict(p)?.status).toBe('COMPLIANT');
      // WHEN another target's rule is known only after apply and not from the configuration
      const orphan = withResource('aws_cloudwatch_event_target', 'orphan', {
        arn: 'arn:aws:sqs:eu-west-1:123456789012:q',
      });
      (orphan.resource_changes!.at(-1) as Mutable).change.after_unknown.rule = true;
      // THEN this rule's targets are not shown: unknown, not compliant
      expect(eventsVerdict(orphan)?.status).toBe('NON_COMPLIANT');
      expect(eventsVerdict(orphan)?.reason).toContain('the rule’s targets');
    });
  });
});
