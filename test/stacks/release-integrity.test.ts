/**
 * Release integrity as synthesized (issue 20): one digest promoted to every environment's registry, gates again after
 * every approval, approvals that notify and expire, the release-record bucket with Object Lock and the least-privilege
 * role of the release steps. Default and large configs. moto runs the record writer and the Object Lock bucket
 * (test/integration/release-record.test.ts); CodePipeline itself is proven here, on its template.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { parseConfig } from '../../lib/config/loader';
import { MlopsStage } from '../../lib/stacks/mlops-environment';
import { buildTestApp, defaultConfigDocument, largeConfigDocument } from '../support/app';
import { snsDeadLetterStatement, snsKeyStatements } from '../support/sns-dead-letter';

interface CfnAction {
  Name: string;
  ActionTypeId: { Category: string; Provider: string };
  RunOrder: number;
  Configuration?: Record<string, unknown>;
  RoleArn?: unknown;
}

function build(doc: unknown) {
  const built = buildTestApp(doc, { policyPacks: false });
  const template = Template.fromStack(built.pipeline!);
  const [pipeline] = Object.values(template.findResources('AWS::CodePipeline::Pipeline'));
  const stages = (pipeline!.Properties as { Stages: { Name: string; Actions: CfnAction[] }[] }).Stages;
  const stage = (name: string) =>
    [...stages.find((s) => s.Name === name)!.Actions].sort((a, b) => a.RunOrder - b.RunOrder);
  const env = (name: string) => built.environments.find((e) => e.node.id === name) as MlopsStage;
  return { built, template, stage, env };
}

const def = build(defaultConfigDocument());
const large = build(largeConfigDocument());

describe('one image build, promoted by digest', () => {
  test.each([
    ['default', def],
    ['large', large],
  ])('the %s config: every environment runs every model by its configured digest, from its own registry', (_n, p) => {
    for (const environment of p.built.config.environments) {
      for (const model of p.built.config.models) {
        const stack = p.env(environment.name).modelStacks.find((s) => s.node.id === `Model-${model.name}`)!;
        const [cfnModel] = Object.values(Template.fromStack(stack).findResources('AWS::SageMaker::Model'));
        const image = JSON.stringify(
          (cfnModel!.Properties as { PrimaryContainer: { Image: unknown } }).PrimaryContainer.Image,
        );
        // The repository of the environment's own platform stack (its registry), by digest, never by tag.
        expect(image).toContain(
          `${p.built.config.projectName}-${environment.name}-platform:ExportsOutputRefRepository`,
        );
        expect(image).toContain(`"@${model.image.digest ?? model.image.tag}"`);
        expect(image).not.toContain(`:${model.image.tag}"`);
      }
    }
  });

  test('the image-source registry replicates the model repositories to every other registry; each grants only that', () => {
    // GIVEN the large config: staging (333333333333, eu-west-1) is the image source, production is 444444444444 in
    // eu-central-1
    const { config } = large.built;
    const repositories = [...new Set(config.models.map((m) => m.image.repository))].sort();
    const staging = Template.fromStack(large.env('staging').platform);
    const production = Template.fromStack(large.env('production').platform);
    // THEN staging replicates exactly the model repositories to production's registry
    staging.resourceCountIs('AWS::ECR::ReplicationConfiguration', 1);
    staging.hasResourceProperties('AWS::ECR::ReplicationConfiguration', {
      ReplicationConfiguration: {
        Rules: [
          {
            Destinations: [{ Region: 'eu-central-1', RegistryId: '444444444444' }],
            RepositoryFilters: repositories.map((Filter) => ({ Filter, FilterType: 'PREFIX_MATCH' })),
          },
        ],
      },
    });
    staging.resourceCountIs('AWS::ECR::RegistryPolicy', 0);
    // AND production lets only the staging account replicate, only into its own (KMS-encrypted) model repositories
    production.resourceCountIs('AWS::ECR::ReplicationConfiguration', 0);
    production.hasResourceProperties('AWS::ECR::RegistryPolicy', {
      PolicyText: {
        Statement: [
          {
            Sid: 'ReplicateModelImagesFromSourceRegistry',
            Effect: 'Allow',
            Principal: { AWS: 'arn:aws:iam::333333333333:root' },
            Action: 'ecr:ReplicateImage',
            Resource: repositories.map((r) => `arn:aws:ecr:eu-central-1:444444444444:repository/${r}`),
          },
        ],
      },
    });
    for (const r of repositories) {
      production.hasResourceProperties('AWS::ECR::Repository', {
        RepositoryName: r,
        ImageTagMutability: 'IMMUTABLE',
        EncryptionConfiguration: { EncryptionType: 'KMS', KmsKey: Match.anyValue() },
      });
    }
  });

  test('destinations are exactly the config registries other than the source; KMS-encrypted repositories on both sides', () => {
    // GIVEN three environments: the image source, one in the same account in another region, one in another
    // account (two environments in one registry, i.e. one account and region, are a config error: both would create
    // the same repository)
    const doc = defaultConfigDocument() as { environments: Record<string, unknown>[] };
    const [staging, production] = doc.environments;
    doc.environments = [staging!, { ...staging!, name: 'dr', region: 'eu-central-1' }, production!];
    const built = buildTestApp(doc, { policyPacks: false });
    const platform = (name: string) =>
      Template.fromStack((built.environments.find((e) => e.node.id === name) as MlopsStage).platform);
    // THEN the source replicates to exactly the other registries, each once
    const rules = Object.values(platform('staging').findResources('AWS::ECR::ReplicationConfiguration')).map(
      (r) =>
        (r.Properties as { ReplicationConfiguration: { Rules: { Destinations: unknown[] }[] } })
          .ReplicationConfiguration.Rules,
    );
    expect(rules).toHaveLength(1);
    expect(rules[0]!.flatMap((r) => r.Destinations)).toEqual([
      { Region: 'eu-central-1', RegistryId: '111111111111' },
      { Region: 'eu-west-1', RegistryId: '222222222222' },
    ]);
    // AND only the other account's registry grants replication (same-account replication needs no registry policy)
    for (const name of ['dr', 'production']) platform(name).resourceCountIs('AWS::ECR::ReplicationConfiguration', 0);
    for (const name of ['staging', 'dr']) platform(name).resourceCountIs('AWS::ECR::RegistryPolicy', 0);
    platform('production').resourceCountIs('AWS::ECR::RegistryPolicy', 1);
    // AND on both sides the model repository is encrypted with the environment's own rotating image key
    for (const name of ['staging', 'dr', 'production']) {
      const t = platform(name);
      const [[keyId, key]] = Object.entries(t.findResources('AWS::KMS::Key')).filter(([id]) =>
        id.startsWith('ImageKey'),
      );
      expect(key!.Properties).toMatchObject({ EnableKeyRotation: true });
      t.hasResourceProperties('AWS::ECR::Repository', {
        RepositoryName: 'fraud-xgb',
        EncryptionConfiguration: { EncryptionType: 'KMS', KmsKey: { 'Fn::GetAtt': [keyId, 'Arn'] } },
      });
    }
  });

  test('without a pipeline nothing is replicated (break-glass deployments pin their own images)', () => {
    const doc = defaultConfigDocument() as { pipeline?: unknown };
    delete doc.pipeline;
    const built = buildTestApp(doc, { policyPacks: false });
    for (const e of built.environments) {
      const t = Template.fromStack(e.platform);
      t.resourceCountIs('AWS::ECR::ReplicationConfiguration', 0);
      t.resourceCountIs('AWS::ECR::RegistryPolicy', 0);
    }
  });

  test('rejects a pipeline config whose model has no digest, and an unknown image source, naming the fix', () => {
    const doc = defaultConfigDocument() as {
      models: { image: { digest?: string } }[];
      pipeline: Record<string, unknown>;
    };
    delete doc.models[0]!.image.digest;
    doc.pipeline.release = { imageSource: 'qa' };
    expect(() => parseConfig(doc)).toThrow(/models\[0\]\.image\.digest.*is required when the config has a pipeline/s);
    expect(() => parseConfig(doc)).toThrow(
      /pipeline\.release\.imageSource.*must name one of the environments \[staging, production\]/s,
    );
  });
});

describe('gates after the approval, and an approval that notifies and expires', () => {
  test.each([
    ['default', def, 24],
    ['large', large, 12],
  ])(
    'the %s config: the approval names commit, digests and the review link, notifies the topic, expires',
    (_n, p, hours) => {
      const [approve] = p.stage('production').filter((a) => a.Name === 'Approve');
      const digests = p.built.config.models.map((m) => `${m.image.repository}@${m.image.digest}`);
      expect(approve!.ActionTypeId).toMatchObject({ Category: 'Approval', Provider: 'Manual' });
      const custom = approve!.Configuration!.CustomData as string;
      expect(custom).toMatch(/^Commit #\{Source@[^.]+\.CommitId\}: deploy to production/);
      expect(custom.length).toBeLessThanOrEqual(500 + 40);
      // The first digest always fits; the text is cut (with …) only when many images would not.
      expect(custom).toContain(digests[0]);
      expect(approve!.Configuration).toMatchObject({
        NotificationArn: { Ref: expect.stringMatching(/^NotificationTopic/) },
        ExternalEntityLink: expect.stringContaining('/executions/#{codepipeline.PipelineExecutionId}/timeline'),
      });
      // The request expires after the configured age (CodePipeline's default would be 7 days).
      const [pipeline] = Object.values(p.template.findResources('AWS::CodePipeline::Pipeline'));
      expect(JSON.stringify(pipeline)).toContain(`"TimeoutInMinutes":${hours * 60}`);
      // The approval's notification is published with the pipeline's own role (no extra action role).
      expect(approve!.RoleArn).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^PipelineRole/), 'Arn'] });
    },
  );

  test('approval requests also reach the alarm e-mail where one is configured, undeliverable ones kept encrypted', () => {
    // GIVEN the large config (alarmEmail ml-oncall@example.com; pipeline 555555555555, eu-central-1)
    const t = large.template;
    const [approve] = large.stage('production').filter((a) => a.Name === 'Approve');
    const topicRef = (approve!.Configuration!.NotificationArn as { Ref: string }).Ref;
    // THEN the e-mail subscribes to the very topic the approval notifies, with a dead-letter queue
    t.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'ml-oncall@example.com',
      TopicArn: { Ref: topicRef },
      RedrivePolicy: {
        deadLetterTargetArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^NotificationEmailDeadLetterQueue'), 'Arn'] },
      },
    });
    // AND the queue is encrypted with the topic's own key, whose policy lets SNS write there for this topic only
    const topicKey = (t.findResources('AWS::SNS::Topic')[topicRef]!.Properties as { KmsMasterKeyId: unknown })
      .KmsMasterKeyId as { 'Fn::GetAtt': [string, string] };
    const [queue] = Object.entries(t.findResources('AWS::SQS::Queue')).filter(([id]) =>
      id.startsWith('NotificationEmailDeadLetterQueue'),
    );
    expect((queue![1].Properties as { KmsMasterKeyId: unknown }).KmsMasterKeyId).toEqual(topicKey);
    expect(snsKeyStatements(t, topicKey['Fn::GetAtt'][0])).toEqual([
      snsDeadLetterStatement(
        'NotificationEmailDeadLetterQueue',
        'arn:aws:sns:eu-central-1:555555555555:credit-risk-pipeline-notifications',
      ),
    ]);
    // AND the default config, without an alarm e-mail, subscribes nobody
    def.template.resourceCountIs('AWS::SNS::Subscription', 0);
  });

  test('the approval check reads the approval of its own stage and execution, with the configured max age', () => {
    const [check] = def.stage('production').filter((a) => a.Name === 'ApprovalCheck');
    expect(JSON.parse(check!.Configuration!.EnvironmentVariables as string)).toEqual([
      { name: 'EXECUTION_ID', type: 'PLAINTEXT', value: '#{codepipeline.PipelineExecutionId}' },
    ]);
    const [project] = Object.values(def.template.findResources('AWS::CodeBuild::Project')).filter((p) =>
      String((p.Properties as { Description: string }).Description).endsWith('/production/ApprovalCheck'),
    );
    const spec = JSON.parse((project!.Properties as { Source: { BuildSpec: string } }).Source.BuildSpec) as {
      phases: { build: { commands: string[] } };
    };
    expect(spec.phases.build.commands).toEqual([
      'npm ci --no-audit --no-fund',
      'npm run release:approval -- --pipeline mlops-delivery --execution "$EXECUTION_ID" --stage production --max-age-hours 24',
    ]);
  });

  test('environments without an approval get no approval, no second gates and no approval check', () => {
    expect(def.stage('staging').map((a) => a.Name)).not.toEqual(
      expect.arrayContaining(['Approve', 'ImageGateAfterApproval', 'EndpointGateBeforeDeploy', 'ApprovalCheck']),
    );
    expect(def.stage('staging').filter((a) => /Approv/.test(a.Name))).toEqual([]);
  });
});

describe('release records', () => {
  test.each([
    ['default', def, 2557],
    ['large', large, 3650],
  ])(
    'the %s config: an Object Lock COMPLIANCE bucket with the configured retention, KMS, TLS only, logged',
    (_n, p, days) => {
      p.template.hasResourceProperties('AWS::S3::Bucket', {
        ObjectLockEnabled: true,
        ObjectLockConfiguration: {
          ObjectLockEnabled: 'Enabled',
          Rule: { DefaultRetention: { Mode: 'COMPLIANCE', Days: days } },
        },
        VersioningConfiguration: { Status: 'Enabled' },
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [
            Match.objectLike({
              ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: Match.anyValue() },
            }),
          ],
        },
        LoggingConfiguration: Match.objectLike({ DestinationBucketName: Match.anyValue() }),
        PublicAccessBlockConfiguration: Match.objectLike({ BlockPublicPolicy: true, RestrictPublicBuckets: true }),
      });
      p.template.hasResource('AWS::S3::Bucket', {
        Properties: Match.objectLike({ ObjectLockEnabled: true }),
        DeletionPolicy: 'Retain',
      });
      p.template.hasResourceProperties('AWS::KMS::Alias', {
        AliasName: Match.stringLikeRegexp('/pipeline/release-records$'),
      });
    },
  );

  test('each deploying stage writes its record after the endpoint gate, with commit, execution and the record bucket', () => {
    for (const name of ['staging', 'production']) {
      const actions = def.stage(name);
      const record = actions[actions.length - 1]!;
      expect(record.Name).toBe('ReleaseRecord');
      const env = JSON.parse(record.Configuration!.EnvironmentVariables as string) as { name: string; value: string }[];
      expect(env).toEqual([
        { name: 'EXECUTION_ID', type: 'PLAINTEXT', value: '#{codepipeline.PipelineExecutionId}' },
        { name: 'COMMIT_ID', type: 'PLAINTEXT', value: expect.stringMatching(/^#\{Source@[^.]+\.CommitId\}$/) },
      ]);
    }
  });

  test('the release steps run as one role that may read this pipeline and its artifacts and only add records', () => {
    const [policy] = Object.values(def.template.findResources('AWS::IAM::ManagedPolicy')).filter((p) =>
      JSON.stringify(p).includes('AddReleaseRecords'),
    );
    const statements = (
      policy!.Properties as { PolicyDocument: { Statement: { Sid: string; Action: unknown; Resource: unknown }[] } }
    ).PolicyDocument.Statement;
    const bySid = Object.fromEntries(statements.map((s) => [s.Sid, s]));
    expect(Object.keys(bySid).sort()).toEqual(
      [
        'AddReleaseRecords',
        'EncryptReleaseRecords',
        'ReadPipelineArtifacts',
        'ReadThisPipelinesActionExecutions',
        'UseArtifactKey',
        'WriteBuildLogs',
      ].sort(),
    );
    expect(bySid.ReadThisPipelinesActionExecutions!.Action).toBe('codepipeline:ListActionExecutions');
    expect(JSON.stringify(bySid.ReadThisPipelinesActionExecutions!.Resource)).toContain(
      ':codepipeline:eu-west-1:999999999999:mlops-delivery"',
    );
    expect(bySid.AddReleaseRecords!.Action).toEqual(['s3:PutObject', 's3:PutObjectRetention']);
    expect(JSON.stringify(bySid.AddReleaseRecords!.Resource)).toContain('/releases/*');
    // Nothing that deletes, bypasses a retention, or reads records back.
    const all = JSON.stringify(statements);
    for (const forbidden of ['s3:Delete', 'BypassGovernanceRetention', 'PutObjectLegalHold', 's3:*', 'kms:*'])
      expect(all).not.toContain(forbidden);
    // AND the CodeBuild projects of the release steps run as exactly that role, with no inline policy added to it
    const role = Object.entries(def.template.findResources('AWS::IAM::Role')).find(([id]) =>
      id.startsWith('ReleaseRecordsStepRole'),
    );
    expect(role).toBeDefined();
    const inline = Object.values(def.template.findResources('AWS::IAM::Policy')).filter((p) =>
      JSON.stringify((p.Properties as { Roles?: unknown }).Roles ?? []).includes(role![0]),
    );
    expect(inline).toEqual([]);
  });
});

describe('model card with substance', () => {
  const card = (p: typeof def, environment: string, model: string) => {
    const stack = p.env(environment).modelStacks.find((s) => s.node.id === `Model-${model}`)!;
    return Object.values(Template.fromStack(stack).findResources('AWS::SageMaker::ModelCard'))[0]!.Properties as {
      ModelCardStatus: string;
      Content: {
        ModelOverview: { InferenceEnvironment: { ContainerImage: string[] } };
        IntendedUses: Record<string, string>;
        TrainingDetails: { TrainingObservations: string };
        AdditionalInformation: { CustomDetails: Record<string, string> };
      };
    };
  };
  const baseline = JSON.parse(readFileSync(join(__dirname, '..', '..', 'baselines', 'fraud-xgb.json'), 'utf8')) as {
    source: { sha256: string };
    recordCount: number;
    fairness: { demographicParityDifference: number; disparateImpactRatio: number };
  };

  test('Draft where no approval precedes the deployment, Approved only behind the pipeline’s approval', () => {
    expect(card(def, 'staging', 'fraud-xgb').ModelCardStatus).toBe('Draft');
    expect(card(def, 'production', 'fraud-xgb').ModelCardStatus).toBe('Approved');
    const doc = defaultConfigDocument() as { pipeline?: unknown };
    delete doc.pipeline;
    const plain = buildTestApp(doc, { policyPacks: false });
    for (const e of plain.environments) {
      const [c] = Object.values(Template.fromStack(e.modelStacks[0]!).findResources('AWS::SageMaker::ModelCard'));
      expect((c!.Properties as { ModelCardStatus: string }).ModelCardStatus).toBe('Draft');
    }
  });

  test('names the image by digest, the training data by its hash, the fairness attribute and thresholds', () => {
    const { config } = def.built;
    const model = config.models[0]!;
    const c = card(def, 'production', 'fraud-xgb');
    expect(c.Content.ModelOverview.InferenceEnvironment.ContainerImage).toEqual([`fraud-xgb@${model.image.digest}`]);
    expect(c.Content.IntendedUses).toMatchObject({ RiskRating: model.card.riskRating });
    expect(c.Content.TrainingDetails.TrainingObservations).toContain(
      `SHA-256 ${baseline.source.sha256}, ${baseline.recordCount} records`,
    );
    expect(c.Content.AdditionalInformation.CustomDetails).toMatchObject({
      imageDigest: model.image.digest,
      trainingDataSha256: baseline.source.sha256,
      sensitiveAttribute: 'gender',
      fairnessDisparateImpactMin: String(model.monitoring.thresholds.disparateImpactMin),
      fairnessParityDifferenceMax: String(model.monitoring.thresholds.parityDifferenceMax),
      trainingDemographicParityDifference: String(baseline.fairness.demographicParityDifference),
      trainingDisparateImpactRatio: String(baseline.fairness.disparateImpactRatio),
      approval: 'deployed by the delivery pipeline after its manual approval',
    });
  });

  test('intended uses, limits and the risk rating with its rationale come from the config', () => {
    const doc = defaultConfigDocument() as { models: { card?: Record<string, string> }[] };
    doc.models[0]!.card = {
      intendedUses: 'Scores card transactions for fraud review queues.',
      limitations: 'Not for credit decisions; not validated outside the EU.',
      riskRating: 'High',
      riskRationale: 'Wrong scores delay legitimate payments.',
    };
    const c = card(build(doc), 'staging', 'fraud-xgb');
    expect(c.Content.IntendedUses).toEqual({
      IntendedUses: 'Scores card transactions for fraud review queues.',
      FactorsAffectingModelEfficiency: 'Not for credit decisions; not validated outside the EU.',
      RiskRating: 'High',
      ExplanationsForRiskRating: 'Wrong scores delay legitimate payments.',
    });
  });
});
