/**
 * One rule, one verdict: every rule enforced at both synth and run time gives the same verdict on the same resource
 * whether the CloudFormation adapter read it from the synthesized template or the live-AWS adapter read it from the
 * API responses that resource produces once deployed. The API responses are built to match the template (the
 * resolved properties, in the API's own field names): moto drops the very properties these rules read (network
 * isolation, DeploymentConfig, bucket public access block), so it cannot stand in for a deployment here; the
 * checker's own reads against moto are covered in test/integration.
 */
import { assemblyStacks } from '../../lib/reports/assembly';
import { App } from 'aws-cdk-lib';
import type {
  DescribeEndpointConfigOutput,
  DescribeEndpointOutput,
  DescribeModelOutput,
} from '@aws-sdk/client-sagemaker';
import type { Repository } from '@aws-sdk/client-ecr';
import type { Grant } from '@aws-sdk/client-s3';
import { rulesFor } from '../../core/policy/catalogue';
import { CompliancePolicy } from '../../core/policy/context';
import { withCaptureDestinations } from '../../core/policy/capture-destinations';
import { ResourceFacts } from '../../core/policy/facts';
import {
  CfnResource,
  CfnTemplate,
  exportedResourceTypes,
  factsFromTemplate,
} from '../../core/policy/from-cloudformation';
import {
  bucketFacts,
  endpointConfigFacts,
  eventRuleFacts,
  endpointFacts,
  inlinePoliciesFacts,
  keyFacts,
  managedPolicyFacts,
  modelFacts,
  repositoryFacts,
  roleFacts,
} from '../../core/policy/from-aws';
import { buildTestApp, largeConfigDocument } from '../support/app';
import { POLICY } from '../support/policy-facts';

const ACCOUNT = '111111111111';
const REGION = 'eu-west-1';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Synthesized templates of an app, with every stack's resources. */
function templates(): CfnTemplate[] {
  // The larger config: three models, two environments, a VPC, LINEAR and CANARY rollouts.
  const { app } = buildTestApp(largeConfigDocument());
  const assembly = (app as App).synth({ validateOnSynthesis: false } as never);
  // With a pipeline configured, the environments are stages: assemblyStacks descends into their nested assemblies.
  return assemblyStacks(assembly).map((s) => s.artifact.template as CfnTemplate);
}

/** A deployed resource's physical names, as CloudFormation would give them. */
function physicalName(id: string, r: CfnResource): string {
  const p = r.Properties ?? {};
  const named = p.BucketName ?? p.RepositoryName ?? p.ModelName ?? p.EndpointConfigName ?? p.EndpointName;
  return typeof named === 'string' ? named : id.toLowerCase().slice(0, 40);
}

/** Resolves intrinsics the way CloudFormation would for this account and region. */
function resolver(all: Readonly<Record<string, CfnResource>>, imports: Readonly<Record<string, CfnResource>>) {
  const refOf = (id: string): string => {
    if (id === 'AWS::Partition') return 'aws';
    if (id === 'AWS::Region') return REGION;
    if (id === 'AWS::AccountId') return ACCOUNT;
    if (id === 'AWS::URLSuffix') return 'amazonaws.com';
    const r = all[id];
    if (r?.Type === 'AWS::KMS::Key') return `key-${id.toLowerCase()}`;
    return r ? physicalName(id, r) : `unresolved-${id}`;
  };
  const attOf = (id: string, attr: string): string => {
    const r = all[id];
    if (r?.Type === 'AWS::KMS::Key') return `arn:aws:kms:${REGION}:${ACCOUNT}:key/${refOf(id)}`;
    if (r?.Type === 'AWS::S3::Bucket' && attr === 'Arn') return `arn:aws:s3:::${refOf(id)}`;
    if (r?.Type === 'AWS::Lambda::Function' && attr === 'Arn')
      return `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${refOf(id)}`;
    return `${refOf(id)}-${attr}`;
  };
  const resolve = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(resolve);
    if (!isObj(v)) return v;
    const keys = Object.keys(v);
    if (keys.length === 1) {
      const [k] = keys as [string];
      const body = v[k];
      if (k === 'Ref' && typeof body === 'string') return refOf(body);
      if (k === 'Fn::GetAtt' && Array.isArray(body)) return attOf(String(body[0]), String(body[1]));
      if (k === 'Fn::Join' && Array.isArray(body)) return (resolve(body[1]) as unknown[]).join(String(body[0]));
      if (k === 'Fn::Sub' && typeof body === 'string')
        return body.replace(/\$\{([^}]+)\}/g, (_m, n: string) =>
          n.includes('.') ? attOf(n.split('.')[0]!, n.split('.')[1]!) : refOf(n),
        );
      if (k === 'Fn::ImportValue' && typeof body === 'string') {
        const target = imports[body];
        if (target?.Type === 'AWS::KMS::Key')
          return `arn:aws:kms:${REGION}:${ACCOUNT}:key/imported-${body.toLowerCase()}`;
        // An exported repository ARN: the model's image URI is joined from its account and region fields.
        if (target?.Type === 'AWS::ECR::Repository' && /Arn/.test(body))
          return `arn:aws:ecr:${REGION}:${ACCOUNT}:repository/imported-${body.toLowerCase()}`;
        return `import-${body}`;
      }
      if (k === 'Fn::Select' && Array.isArray(body)) return (resolve(body[1]) as unknown[])[Number(body[0])];
      if (k === 'Fn::Split' && Array.isArray(body)) return String(resolve(body[1])).split(String(body[0]));
    }
    return Object.fromEntries(Object.entries(v).map(([kk, vv]) => [kk, resolve(vv)]));
  };
  return resolve;
}

/** What GetBucketAcl answers for a bucket created with a canned ACL (beside the owner's FULL_CONTROL). */
const GROUP = 'http://acs.amazonaws.com/groups/global/';
const CANNED_ACL_GRANTS: Record<string, Grant[]> = {
  PublicRead: [{ Grantee: { Type: 'Group', URI: `${GROUP}AllUsers` }, Permission: 'READ' }],
  PublicReadWrite: [
    { Grantee: { Type: 'Group', URI: `${GROUP}AllUsers` }, Permission: 'READ' },
    { Grantee: { Type: 'Group', URI: `${GROUP}AllUsers` }, Permission: 'WRITE' },
  ],
  AuthenticatedRead: [{ Grantee: { Type: 'Group', URI: `${GROUP}AuthenticatedUsers` }, Permission: 'READ' }],
  LogDeliveryWrite: [{ Grantee: { Type: 'Group', URI: `${GROUP}s3/LogDelivery` }, Permission: 'WRITE' }],
};

const tagsOf = (p: Obj) => (p.Tags as { Key: string; Value: string }[] | undefined) ?? [];

/** IAM returns policy documents URL-encoded (GetRole, GetRolePolicy, GetPolicyVersion). */
const iamDocument = (doc: unknown) => encodeURIComponent(JSON.stringify(doc));

/**
 * The live-AWS facts of one deployed template resource: its API responses, built from its resolved properties. A
 * role gives two (GetRole's trust policy; its inline policies through GetRolePolicy); an `AWS::IAM::Policy` is read
 * back as the inline policy it becomes on its roles, an `AWS::IAM::ManagedPolicy` through GetPolicyVersion.
 */
function liveFacts(
  id: string,
  r: CfnResource,
  resolve: (v: unknown) => unknown,
  all: Readonly<Record<string, CfnResource>>,
): ResourceFacts | ResourceFacts[] | undefined {
  const p = resolve(r.Properties ?? {}) as Obj;
  const name = physicalName(id, r);
  // Every key this account's templates create or import is customer-managed; the AWS-managed ones are aliases.
  const keys = (k: string) => !/alias\/aws\//.test(k);
  const arn = (type: string) => `arn:aws:sagemaker:${REGION}:${ACCOUNT}:${type}/${name}`;
  switch (r.Type) {
    case 'AWS::SageMaker::Model':
      return modelFacts(
        {
          ...(p as unknown as DescribeModelOutput),
          ModelArn: arn('model'),
          ModelName: name,
          VpcConfig: p.VpcConfig as never,
        },
        tagsOf(p),
      );
    case 'AWS::SageMaker::EndpointConfig':
      return endpointConfigFacts(
        {
          ...(p as unknown as DescribeEndpointConfigOutput),
          EndpointConfigArn: arn('endpoint-config'),
          EndpointConfigName: name,
        },
        tagsOf(p),
        keys,
      );
    case 'AWS::SageMaker::Endpoint':
      return endpointFacts(
        {
          ...(p as unknown as DescribeEndpointOutput),
          EndpointArn: arn('endpoint'),
          EndpointName: name,
          LastDeploymentConfig: p.DeploymentConfig as never,
        },
        tagsOf(p),
      );
    case 'AWS::ECR::Repository': {
      const enc = p.EncryptionConfiguration as Obj | undefined;
      const repo: Repository = {
        repositoryArn: `arn:aws:ecr:${REGION}:${ACCOUNT}:repository/${name}`,
        repositoryName: name,
        imageTagMutability: (p.ImageTagMutability as Repository['imageTagMutability']) ?? 'MUTABLE',
        imageScanningConfiguration: {
          scanOnPush: (p.ImageScanningConfiguration as Obj | undefined)?.ScanOnPush === true,
        },
        ...(enc
          ? { encryptionConfiguration: { encryptionType: enc.EncryptionType as 'KMS', kmsKey: enc.KmsKey as string } }
          : {}),
      };
      const registry = Object.values(all).find((x) => x.Type === 'AWS::ECR::RegistryScanningConfiguration');
      const rp = registry ? (resolve(registry.Properties) as Obj) : undefined;
      const registryScanning = rp
        ? {
            scanType: rp.ScanType as 'ENHANCED',
            rules: (rp.Rules as Obj[]).map((rule) => ({
              scanFrequency: rule.ScanFrequency as 'CONTINUOUS_SCAN',
              repositoryFilters: (rule.RepositoryFilters as Obj[]).map((f) => ({
                filter: f.Filter as string,
                filterType: 'WILDCARD' as const,
              })),
            })),
          }
        : undefined;
      return repositoryFacts(repo, {
        ...(registryScanning ? { registryScanning } : {}),
        tags: tagsOf(p).map((t) => ({ Key: t.Key, Value: t.Value })),
        hasLifecyclePolicy: p.LifecyclePolicy !== undefined,
        keys,
        // GetRepositoryPolicy's policyText, or RepositoryPolicyNotFoundException.
        policy: p.RepositoryPolicyText !== undefined ? JSON.stringify(p.RepositoryPolicyText) : null,
      });
    }
    case 'AWS::S3::Bucket': {
      const sse = (
        (p.BucketEncryption as Obj | undefined)?.ServerSideEncryptionConfiguration as Obj[] | undefined
      )?.[0];
      const policy = Object.entries(all).find(
        ([, b]) => b.Type === 'AWS::S3::BucketPolicy' && resolve(b.Properties?.Bucket) === name,
      );
      const lifecycle = (p.LifecycleConfiguration as Obj | undefined)?.Rules as Obj[] | undefined;
      const logging = p.LoggingConfiguration as Obj | undefined;
      // As the checker's S3 reader: a bucket another bucket logs to is a log delivery target.
      const logTarget = Object.entries(all).some(
        ([otherId, b]) =>
          otherId !== id &&
          b.Type === 'AWS::S3::Bucket' &&
          resolve((b.Properties?.LoggingConfiguration as Obj | undefined)?.DestinationBucketName) === name,
      );
      const facts = bucketFacts(
        {
          name,
          region: REGION,
          encryption: sse
            ? {
                ServerSideEncryptionConfiguration: {
                  Rules: [{ ApplyServerSideEncryptionByDefault: sse.ServerSideEncryptionByDefault as never }],
                },
              }
            : null,
          policy: policy ? JSON.stringify(resolve(policy[1].Properties?.PolicyDocument)) : null,
          publicAccessBlock: (p.PublicAccessBlockConfiguration as never) ?? null,
          versioning: { Status: (p.VersioningConfiguration as Obj | undefined)?.Status as 'Enabled' },
          lifecycle: lifecycle
            ? {
                Rules: lifecycle.map((l) => ({
                  Status: l.Status as 'Enabled',
                  ...(l.Prefix !== undefined ? { Filter: { Prefix: l.Prefix as string } } : {}),
                  ...(l.ExpirationInDays !== undefined ? { Expiration: { Days: l.ExpirationInDays as number } } : {}),
                  ...(l.NoncurrentVersionExpiration !== undefined
                    ? {
                        NoncurrentVersionExpiration: {
                          NoncurrentDays: (l.NoncurrentVersionExpiration as Obj).NoncurrentDays as number,
                        },
                      }
                    : {}),
                })),
              }
            : null,
          logging: logging
            ? { LoggingEnabled: { TargetBucket: String(logging.DestinationBucketName), TargetPrefix: '' } }
            : {},
          tags: tagsOf(p),
          aclGrants: CANNED_ACL_GRANTS[String(p.AccessControl ?? 'Private')] ?? [],
        },
        keys,
      );
      return logTarget ? { ...facts, logTarget } : facts;
    }
    case 'AWS::KMS::Key':
      return keyFacts(
        {
          Arn: `arn:aws:kms:${REGION}:${ACCOUNT}:key/${name}`,
          KeyId: name,
          KeySpec: (p.KeySpec as 'SYMMETRIC_DEFAULT' | undefined) ?? 'SYMMETRIC_DEFAULT',
        },
        JSON.stringify(p.KeyPolicy ?? {}),
        // GetKeyRotationStatus (asked of symmetric keys only, as the checker does)
        (p.KeySpec ?? 'SYMMETRIC_DEFAULT') === 'SYMMETRIC_DEFAULT' ? p.EnableKeyRotation === true : undefined,
      );
    case 'AWS::IAM::Role': {
      // The facts' id is the logical id here, as the template's: the comparison is per resource.
      const role = roleFacts(id, {
        Arn: id,
        RoleName: name,
        AssumeRolePolicyDocument: iamDocument(p.AssumeRolePolicyDocument),
      });
      const inline = inlinePoliciesFacts(
        id,
        ((p.Policies as Obj[] | undefined) ?? []).map((x) => iamDocument(x.PolicyDocument)),
      );
      return inline ? [role, inline] : [role];
    }
    case 'AWS::IAM::Policy':
      return inlinePoliciesFacts(id, [iamDocument(p.PolicyDocument)]);
    case 'AWS::Events::Rule': {
      // ListRules + ListTargetsByRule; the buckets as the scan describes them, capture destinations marked.
      const buckets = withCaptureDestinations(
        Object.entries(all)
          .filter(([, x]) => x.Type === 'AWS::S3::Bucket' || x.Type === 'AWS::SageMaker::EndpointConfig')
          .flatMap(([i, x]) => [liveFacts(i, x, resolve, all) ?? []].flat()),
      );
      return eventRuleFacts(
        {
          Arn: `arn:aws:events:${REGION}:${ACCOUNT}:rule/${name}`,
          Name: name,
          ...(p.EventPattern !== undefined ? { EventPattern: JSON.stringify(p.EventPattern) } : {}),
        },
        ((p.Targets as Obj[] | undefined) ?? []).map((t) => ({ Arn: String(t.Arn) })),
        buckets,
      );
    }
    case 'AWS::IAM::ManagedPolicy':
      return managedPolicyFacts({ PolicyArn: id, PolicyName: name }, iamDocument(p.PolicyDocument), []);
    default:
      return undefined;
  }
}

const POLICY_FOR_PARITY: CompliancePolicy = {
  ...POLICY,
  allowedRegions: [REGION],
  captureRetentionDays: 90, // as the larger config
  requireVpc: false,
  // staging is treated as production here so the rollout rule judges the staging endpoints too
  productionEnvironments: ['staging', 'production'],
  // The larger config's environment and pipeline accounts (the deployment account is each resource's own).
  knownAccounts: ['333333333333', '444444444444', '555555555555'],
};

/** An account that is none of the project's. */
const FOREIGN = '999988887777';

type Mutation = ((resources: Record<string, CfnResource>) => void) & { policy?: Partial<CompliancePolicy> };
const withPolicy = (policy: Partial<CompliancePolicy>): Mutation => Object.assign(() => {}, { policy });
const byType = (rs: Record<string, CfnResource>, type: string) => Object.values(rs).filter((r) => r.Type === type);
const props = (r: CfnResource) => r.Properties as Obj;

/** The insecure changes the parity must hold for, applied to the templates (and so to the "deployed" resources). */
const VARIANTS: Record<string, Mutation> = {
  'as synthesized': () => {},
  'model without network isolation': (rs) =>
    byType(rs, 'AWS::SageMaker::Model').forEach((r) => (props(r).EnableNetworkIsolation = false)),
  'capture sampling 100 %': (rs) =>
    byType(rs, 'AWS::SageMaker::EndpointConfig').forEach(
      (r) => ((props(r).DataCaptureConfig as Obj).InitialSamplingPercentage = 100),
    ),
  'endpoint config without storage key': (rs) =>
    byType(rs, 'AWS::SageMaker::EndpointConfig').forEach((r) => delete props(r).KmsKeyId),
  'rolling update instead of blue/green': (rs) =>
    byType(rs, 'AWS::SageMaker::Endpoint').forEach((r) => {
      const dc = props(r).DeploymentConfig as Obj;
      delete dc.BlueGreenUpdatePolicy;
      dc.RollingUpdatePolicy = {
        MaximumBatchSize: { Type: 'CAPACITY_PERCENT', Value: 10 },
        WaitIntervalInSeconds: 300,
      };
    }),
  'mutable image tags, no scan on push': (rs) =>
    byType(rs, 'AWS::ECR::Repository').forEach((r) => {
      props(r).ImageTagMutability = 'MUTABLE';
      delete props(r).ImageScanningConfiguration;
    }),
  'TLS deny narrowed to an unused prefix': (rs) =>
    byType(rs, 'AWS::S3::BucketPolicy').forEach((r) => {
      for (const s of (props(r).PolicyDocument as { Statement: Obj[] }).Statement) {
        if (JSON.stringify(s.Condition ?? {}).includes('SecureTransport'))
          s.Resource = [
            { 'Fn::Join': ['', [{ 'Fn::GetAtt': [String((props(r).Bucket as Obj).Ref), 'Arn'] }, '/unused/*']] },
          ];
      }
    }),
  'buckets without lifecycle, public access block and logging': (rs) =>
    byType(rs, 'AWS::S3::Bucket').forEach((r) => {
      delete props(r).LifecycleConfiguration;
      delete props(r).PublicAccessBlockConfiguration;
      delete props(r).LoggingConfiguration;
    }),
  'a key policy letting "*" decrypt': (rs) =>
    byType(rs, 'AWS::KMS::Key').forEach((r) =>
      (props(r).KeyPolicy as { Statement: Obj[] }).Statement.push({
        Effect: 'Allow',
        Principal: { AWS: '*' },
        Action: 'kms:Decrypt',
        Resource: '*',
      }),
    ),
  'capture disabled': (rs) =>
    byType(rs, 'AWS::SageMaker::EndpointConfig').forEach(
      (r) => ((props(r).DataCaptureConfig as Obj).EnableCapture = false),
    ),
  'capture without its own key': (rs) =>
    byType(rs, 'AWS::SageMaker::EndpointConfig').forEach((r) => delete (props(r).DataCaptureConfig as Obj).KmsKeyId),
  'repository with AES256 and no lifecycle policy': (rs) =>
    byType(rs, 'AWS::ECR::Repository').forEach((r) => {
      delete props(r).EncryptionConfiguration;
      delete props(r).LifecyclePolicy;
    }),
  'no tags anywhere': (rs) => Object.values(rs).forEach((r) => r.Properties && delete props(r).Tags),
  'VPC required and configured': withPolicy({ requireVpc: true }),
  'VPC required, none configured': Object.assign(
    (rs: Record<string, CfnResource>) => byType(rs, 'AWS::SageMaker::Model').forEach((r) => delete props(r).VpcConfig),
    { policy: { requireVpc: true } },
  ),
  'deployed outside the allowed regions': withPolicy({ allowedRegions: ['eu-central-1'] }),
  'a key policy granting decrypt to a foreign account': (rs) =>
    byType(rs, 'AWS::KMS::Key').forEach((r) =>
      (props(r).KeyPolicy as { Statement: Obj[] }).Statement.push({
        Effect: 'Allow',
        Principal: { AWS: `arn:aws:iam::${FOREIGN}:root` },
        Action: ['kms:Decrypt', 'kms:CreateGrant'],
        Resource: '*',
      }),
    ),
  'a bucket policy granting "*" behind an always-true condition': (rs) =>
    byType(rs, 'AWS::S3::BucketPolicy').forEach((r) =>
      (props(r).PolicyDocument as { Statement: Obj[] }).Statement.push({
        Effect: 'Allow',
        Principal: { AWS: '*' },
        Action: 's3:GetObject',
        Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [String((props(r).Bucket as Obj).Ref), 'Arn'] }, '/*']] },
        Condition: { StringLike: { 'aws:PrincipalArn': '*' } },
      }),
    ),
  'key rotation off': (rs) => byType(rs, 'AWS::KMS::Key').forEach((r) => (props(r).EnableKeyRotation = false)),
  'a public-read bucket ACL': (rs) =>
    byType(rs, 'AWS::S3::Bucket').forEach((r) => (props(r).AccessControl = 'PublicRead')),
  'a repository policy open to "*"': (rs) =>
    byType(rs, 'AWS::ECR::Repository').forEach(
      (r) =>
        (props(r).RepositoryPolicyText = {
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Principal: '*', Action: ['ecr:BatchGetImage'] }],
        }),
    ),
  'versioning suspended': (rs) =>
    byType(rs, 'AWS::S3::Bucket').forEach((r) => (props(r).VersioningConfiguration = { Status: 'Suspended' })),
  'model image from a foreign registry by "latest"': (rs) =>
    byType(rs, 'AWS::SageMaker::Model').forEach(
      (r) =>
        ((props(r).PrimaryContainer as Obj).Image =
          `${FOREIGN}.dkr.ecr.${REGION}.amazonaws.com/someone-else/model:latest`),
    ),
  'role trust policies open to any principal': (rs) =>
    byType(rs, 'AWS::IAM::Role').forEach((r) =>
      (props(r).AssumeRolePolicyDocument as { Statement: Obj[] }).Statement.push({
        Effect: 'Allow',
        Principal: { AWS: '*' },
        Action: 'sts:AssumeRole',
      }),
    ),
  'identity policies granting s3:GetObject on "*"': (rs) =>
    [...byType(rs, 'AWS::IAM::Policy'), ...byType(rs, 'AWS::IAM::ManagedPolicy')].forEach((r) =>
      (props(r).PolicyDocument as { Statement: Obj[] }).Statement.push({
        Effect: 'Allow',
        Action: 's3:GetObject',
        Resource: '*',
      }),
    ),
  'capture events forwarded to another account': (rs) =>
    byType(rs, 'AWS::Events::Rule').forEach((r) =>
      ((props(r).Targets as Obj[] | undefined) ?? []).forEach(
        (t) => (t.Arn = `arn:aws:events:${REGION}:${FOREIGN}:event-bus/default`),
      ),
    ),
  'bucket encrypted with SSE-S3': (rs) =>
    byType(rs, 'AWS::S3::Bucket').forEach(
      (r) =>
        (props(r).BucketEncryption = {
          ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
        }),
    ),
};

describe('one rule, one verdict: CloudFormation adapter vs live-AWS adapter', () => {
  const base = templates();
  const rules = rulesFor('synth').filter((r) => r.stages.includes('run'));
  const tested = new Set<string>();
  const statuses = new Set<string>();

  test.each(Object.keys(VARIANTS))('every rule agrees on every resource: %s', (variant) => {
    // GIVEN the default app's templates with the change applied
    const mutated = base.map((t) => structuredClone(t));
    for (const t of mutated) VARIANTS[variant]!(t.Resources as Record<string, CfnResource>);
    const imports = exportedResourceTypes(mutated);
    const disagreements: string[] = [];
    for (const t of mutated) {
      const all = t.Resources as Record<string, CfnResource>;
      const resolve = resolver(all, imports);
      // By kind and id: a role has two facts (its trust policy and its inline policies) under one logical id.
      const synth = new Map(factsFromTemplate(t, { region: REGION, imports }).map((f) => [`${f.kind}|${f.id}`, f]));
      for (const [id, r] of Object.entries(all)) {
        for (const live of [liveFacts(id, r, resolve, all) ?? []].flat()) {
          const cfn = synth.get(`${live.kind}|${id}`);
          if (!cfn) {
            disagreements.push(
              `${r.Type} ${id}: the live adapter describes a ${live.kind} the template adapter does not`,
            );
            continue;
          }
          // WHEN every rule judges both descriptions
          const ctx = { policy: { ...POLICY_FOR_PARITY, ...VARIANTS[variant]!.policy }, now: new Date() };
          for (const rule of rules.filter((x) => x.appliesTo.includes(cfn.kind))) {
            const a = rule.check(cfn, ctx);
            const b = rule.check(live, ctx);
            tested.add(rule.id);
            statuses.add(`${rule.id}:${a.status}`);
            if (a.status !== b.status)
              disagreements.push(
                `${rule.id} on ${r.Type} ${id}: synth ${a.status} (${a.reason}) vs run ${b.status} (${b.reason})`,
              );
          }
        }
      }
    }
    // THEN no disagreement
    expect(disagreements).toEqual([]);
  });

  test('the parity covers every rule enforced at both synth and run time, compliant and non-compliant', () => {
    // GIVEN the variants above ran
    // THEN every such rule was compared, and each was seen both passing and failing somewhere
    expect([...tested].sort()).toEqual(rules.map((r) => r.id).sort());
    const both = rules
      .filter((r) => statuses.has(`${r.id}:COMPLIANT`) && statuses.has(`${r.id}:NON_COMPLIANT`))
      .map((r) => r.id);
    expect(both.sort()).toEqual(rules.map((r) => r.id).sort());
  });
});
