/**
 * Release integrity on moto_server: the release-record bucket made exactly as the PipelineStack synthesizes it (S3
 * Object Lock, COMPLIANCE default retention, SSE-KMS with its own key), a record written by the pipeline's writer
 * (scripts/release/record.ts) for a production deployment with an approval, the lock holding against deletion and a
 * shortened retention, and `npm run release:verify` recomputing the record's hashes from this checkout and the cloud
 * assembly. And the image promotion: the synthesized ECR replication configuration and registry policy, put and
 * read back through the ECR API.
 *
 * What moto cannot show: S3 refusing a shortened COMPLIANCE retention (moto accepts it; deletion it refuses);
 * CodePipeline (no ListActionExecutions on moto), so the execution's history is given as
 * CodePipeline returns it; and ECR does not replicate on moto, so only the configurations are read back.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DescribeRegistryCommand,
  ECRClient,
  GetRegistryPolicyCommand,
  PutRegistryPolicyCommand,
  PutReplicationConfigurationCommand,
} from '@aws-sdk/client-ecr';
import { CreateKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import {
  CreateBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  GetObjectLockConfigurationCommand,
  HeadObjectCommand,
  PutBucketEncryptionCommand,
  PutObjectLockConfigurationCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { Template } from 'aws-cdk-lib/assertions';
import { ReleaseRecordSchema } from '../../core/contracts/release-record';
import { MlopsStage } from '../../lib/stacks/mlops-environment';
import { buildReleaseRecord, writeReleaseRecord } from '../../scripts/release/record';
import { buildTestApp } from '../support/app';
import { useMoto } from '../support/aws-env';
import { productionHistory, synthReports } from '../support/release-fixtures';

const ROOT = join(__dirname, '..', '..');
const REGION = 'eu-west-1';
const EXECUTION = '1f2e3d4c-0000-4000-8000-123456789abc';
const COMMIT = 'a'.repeat(40);

/** The default app, synthesized to a directory as the pipeline's synth step does. */
function synthesized() {
  const built = buildTestApp(undefined, { policyPacks: false });
  const assembly = built.app.synth().directory;
  const pipeline = Template.fromStack(built.pipeline!);
  const [bucket] = Object.values(pipeline.findResources('AWS::S3::Bucket')).filter(
    (b) => (b.Properties as { ObjectLockEnabled?: boolean }).ObjectLockEnabled === true,
  );
  const stage = (name: string) => built.environments.find((e) => e.node.id === name) as MlopsStage;
  const resource = (stack: MlopsStage['platform'], type: string) =>
    Object.values(Template.fromStack(stack).findResources(type))[0]?.Properties as Record<string, unknown> | undefined;
  return {
    config: built.config,
    assembly,
    bucket: bucket!.Properties as {
      ObjectLockConfiguration: {
        ObjectLockEnabled: string;
        Rule: { DefaultRetention: { Mode: string; Days: number } };
      };
    },
    replication: resource(stage('staging').platform, 'AWS::ECR::ReplicationConfiguration'),
    registryPolicy: resource(stage('production').platform, 'AWS::ECR::RegistryPolicy'),
  };
}

describe('release record on moto_server', () => {
  const moto = useMoto();
  const app = synthesized();
  const s3 = () => new S3Client(moto.clientConfig(REGION));
  const bucket = 'mlops-release-records-test';
  let keyArn: string;
  // GIVEN the reports and SBOMs of the synth step
  const reports = synthReports();
  const now = new Date();

  beforeAll(async () => {
    // AND the release-record bucket and its key, made with the synthesized settings
    keyArn = (await new KMSClient(moto.clientConfig(REGION)).send(new CreateKeyCommand({}))).KeyMetadata!.Arn!;
    await s3().send(
      new CreateBucketCommand({
        Bucket: bucket,
        ObjectLockEnabledForBucket: true,
        CreateBucketConfiguration: { LocationConstraint: REGION },
      }),
    );
    const rule = app.bucket.ObjectLockConfiguration.Rule.DefaultRetention;
    await s3().send(
      new PutObjectLockConfigurationCommand({
        Bucket: bucket,
        ObjectLockConfiguration: {
          ObjectLockEnabled: 'Enabled',
          Rule: { DefaultRetention: { Mode: rule.Mode as 'COMPLIANCE', Days: rule.Days } },
        },
      }),
    );
    await s3().send(
      new PutBucketEncryptionCommand({
        Bucket: bucket,
        ServerSideEncryptionConfiguration: {
          Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: keyArn } }],
        },
      }),
    );
  });

  test('the synthesized bucket locks every object in COMPLIANCE mode for the configured retention', async () => {
    expect(app.bucket.ObjectLockConfiguration).toEqual({
      ObjectLockEnabled: 'Enabled',
      Rule: { DefaultRetention: { Mode: 'COMPLIANCE', Days: app.config.pipeline!.release.recordRetentionDays } },
    });
    const read = await s3().send(new GetObjectLockConfigurationCommand({ Bucket: bucket }));
    // (moto adds `Years: 0` beside the days)
    expect(read.ObjectLockConfiguration).toMatchObject(app.bucket.ObjectLockConfiguration);
  });

  test('the writer records a production deployment, locked and encrypted, and release:verify matches it', async () => {
    // WHEN the pipeline's writer runs for production after its endpoint gate
    const record = buildReleaseRecord(
      {
        root: ROOT,
        assembly: app.assembly,
        reports,
        environment: 'production',
        pipelineName: 'mlops-delivery',
        executionId: EXECUTION,
        commit: COMMIT,
      },
      productionHistory(EXECUTION, new Date(now.getTime() - 3 * 3_600_000)),
      now,
    );
    const written = await writeReleaseRecord(s3(), record, {
      bucket,
      kmsKeyArn: keyArn,
      retentionDays: app.config.pipeline!.release.recordRetentionDays,
      now,
    });

    // THEN the record names the commit, the digest, the approver and every gate of the stage, in order
    expect(ReleaseRecordSchema.parse(record)).toEqual(record);
    expect(record.images).toEqual([
      { model: 'fraud-xgb', repository: 'fraud-xgb', tag: '1.0.0', digest: app.config.models[0]!.image.digest },
    ]);
    expect(record.approval).toMatchObject({ approver: expect.stringContaining('ReleaseManagers/alice') });
    expect(record.gates.map((g) => g.action)).toEqual([
      'ImageGate',
      'ImageGateAfterApproval',
      'EndpointGateBeforeDeploy',
      'EndpointGate',
    ]);
    expect(record.gates[3]!.counts).toEqual({
      findings: 21,
      resources: 4,
      failing: 0,
      failingRules: [],
      unreadable: 0,
      missing: 0,
    });
    expect(record.assembly.templates.map((t) => t.file).sort()).toEqual([
      expect.stringMatching(/^assembly-production\/productionModelfraudxgb[0-9A-F]+\.template\.json$/),
      expect.stringMatching(/^assembly-production\/productionPlatform[0-9A-F]+\.template\.json$/),
    ]);
    expect(record.modelCards).toEqual([
      {
        name: 'mlops-production-fraud-xgb-card',
        status: expect.any(String),
        sha256: expect.stringMatching(/^[a-f0-9]{64}$/),
      },
    ]);
    expect(record.sboms.map((f) => f.file)).toEqual(['sbom/production.cdx.json']);
    expect(written.key).toBe(`releases/production/${EXECUTION}.json`);

    // AND it is stored locked in COMPLIANCE mode until the retention ends, encrypted with the record key
    // (HeadObject: moto's GetObjectRetention answer does not parse in the SDK)
    const head = await s3().send(new HeadObjectCommand({ Bucket: bucket, Key: written.key }));
    expect(head).toMatchObject({
      ObjectLockMode: 'COMPLIANCE',
      ServerSideEncryption: 'aws:kms',
      SSEKMSKeyId: keyArn,
    });
    expect(head.ObjectLockRetainUntilDate?.toISOString()).toBe(written.retainUntil);

    // AND nobody can delete that version (moto enforces this; it does not refuse a shortened COMPLIANCE retention,
    // which S3 does, so that half is not shown here)
    await expect(
      s3().send(new DeleteObjectCommand({ Bucket: bucket, Key: written.key, VersionId: written.versionId })),
    ).rejects.toThrow(/Access ?Denied/i);
    // AND the stored record, downloaded, verifies against this checkout and assembly
    const body = await (
      await s3().send(new GetObjectCommand({ Bucket: bucket, Key: written.key }))
    ).Body!.transformToString();
    const file = join(mkdtempSync(join(tmpdir(), 'release-record-')), 'record.json');
    writeFileSync(file, body);
    const verify = (...args: string[]) =>
      spawnSync(process.execPath, [require.resolve('tsx/cli'), join(ROOT, 'scripts', 'release-verify.ts'), ...args], {
        cwd: ROOT,
        encoding: 'utf8',
        timeout: 60_000,
      });
    const ok = verify(file, '--root', ROOT, '--assembly', app.assembly, '--reports', reports, '--strict');
    expect(ok.stderr).toBe('');
    expect(ok.status).toBe(0);
    expect(ok.stdout).toMatch(/^MATCH +config cdk\.json$/m);
    expect(ok.stdout).toMatch(/^MATCH +image fraud-xgb fraud-xgb@sha256:[a-f0-9]{64}$/m);
    expect(ok.stdout).toMatch(/^MATCH +model card mlops-production-fraud-xgb-card/m);
    expect(ok.stdout).toMatch(/^8 match, 0 differ, 0 missing$/m);

    // WHEN a report is changed after the fact, THEN verify says which one differs and fails
    writeFileSync(join(reports, 'security', 'findings.md'), '# No open findings (edited)\n');
    const tampered = verify(file, '--root', ROOT, '--assembly', app.assembly, '--reports', reports);
    expect(tampered.status).toBe(1);
    expect(tampered.stdout).toMatch(
      /^DIFFERS report security\/findings\.md — recorded [a-f0-9]{64}, here [a-f0-9]{64}$/m,
    );
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(JSON.parse(JSON.stringify(record)));
  });

  test('the image promotion: the synthesized replication configuration and registry policy, read back from ECR', async () => {
    // GIVEN the staging (image source) registry's replication configuration and production's registry policy
    const replication = app.replication!.ReplicationConfiguration as {
      Rules: {
        Destinations: { Region: string; RegistryId: string }[];
        RepositoryFilters: { Filter: string; FilterType: string }[];
      }[];
    };
    expect(replication.Rules).toEqual([
      {
        Destinations: [{ Region: 'eu-west-1', RegistryId: '222222222222' }],
        RepositoryFilters: [{ Filter: 'fraud-xgb', FilterType: 'PREFIX_MATCH' }],
      },
    ]);
    const ecr = new ECRClient(moto.clientConfig(REGION));
    // WHEN they are put through the ECR API
    await ecr.send(
      new PutReplicationConfigurationCommand({
        replicationConfiguration: {
          rules: replication.Rules.map((r) => ({
            destinations: r.Destinations.map((d) => ({ region: d.Region, registryId: d.RegistryId })),
            repositoryFilters: r.RepositoryFilters.map((f) => ({ filter: f.Filter, filterType: 'PREFIX_MATCH' })),
          })),
        },
      }),
    );
    const policyText = JSON.stringify(app.registryPolicy!.PolicyText);
    await ecr.send(new PutRegistryPolicyCommand({ policyText }));
    // THEN ECR keeps them as synthesized
    const registry = await ecr.send(new DescribeRegistryCommand({}));
    expect(registry.replicationConfiguration?.rules).toEqual([
      {
        destinations: [{ region: 'eu-west-1', registryId: '222222222222' }],
        repositoryFilters: [{ filter: 'fraud-xgb', filterType: 'PREFIX_MATCH' }],
      },
    ]);
    const policy = JSON.parse((await ecr.send(new GetRegistryPolicyCommand({}))).policyText!) as {
      Statement: { Action: string; Principal: unknown; Resource: string }[];
    };
    expect(policy.Statement).toEqual([
      expect.objectContaining({
        Action: 'ecr:ReplicateImage',
        Principal: { AWS: 'arn:aws:iam::111111111111:root' },
        Resource: 'arn:aws:ecr:eu-west-1:222222222222:repository/fraud-xgb',
      }),
    ]);
  });
});
