/**
 * The delivery pipeline as synthesized: fine-grained assertions on the PipelineStack template (default and large
 * config), the gate role each PlatformStack gets, and what stays the same without a pipeline block.
 *
 * moto 5.2.1 cannot create CodePipeline, CodeBuild or CodeConnections resources through CloudFormation, so nothing
 * here is deployed: the template is the proof. The gate's run-time path (the checker answering a CodePipeline job
 * from a role assumed across accounts) runs against moto in test/integration/pipeline-gate.test.ts.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { parsePipelineParameters } from '../../lambda/compliance-checker/events';
import { compliancePolicy, parseConfig } from '../../lib/config/loader';
import { gateNames } from '../../core/contracts/pipeline-gate';
import { MlopsEnvironment, MlopsStage } from '../../lib/stacks/mlops-environment';
import { PipelineStack, synthCommands } from '../../lib/stacks/pipeline-stack';
import { buildTestApp, defaultConfigDocument, largeConfigDocument, newApp } from '../support/app';

interface CfnAction {
  Name: string;
  ActionTypeId: { Category: string; Provider: string };
  RunOrder: number;
  Configuration?: Record<string, unknown>;
  RoleArn?: unknown;
}
interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
}
interface CfnStage {
  Name: string;
  Actions: CfnAction[];
}

function pipelineOf(doc: unknown) {
  const built = buildTestApp(doc, { policyPacks: false });
  const stack = built.pipeline!;
  const template = Template.fromStack(stack);
  const [pipeline] = Object.values(template.findResources('AWS::CodePipeline::Pipeline'));
  const props = pipeline!.Properties as { Stages: CfnStage[]; Triggers: unknown[]; PipelineType: string };
  return { built, stack, template, props, stage: (name: string) => props.Stages.find((s) => s.Name === name)! };
}

const def = pipelineOf(defaultConfigDocument());
const large = pipelineOf(largeConfigDocument());

describe('PipelineStack: trigger and type', () => {
  test('pipeline type V2, in the tooling account and region', () => {
    expect(def.props.PipelineType).toBe('V2');
    expect({ account: def.stack.account, region: def.stack.region }).toEqual({
      account: def.built.config.pipeline!.account,
      region: def.built.config.pipeline!.region,
    });
  });

  test.each([
    [
      'default',
      def,
      'main',
      ['bin/**', 'core/**', 'lib/**', 'lambda/**', 'baselines/**', 'config/**', 'cdk.json', 'package*.json'],
      ['**/*.md'],
    ],
    [
      'large',
      large,
      'release',
      ['bin/**', 'core/**', 'config/large.json', 'package-lock.json'],
      ['**/*.md', 'docs/**'],
    ],
  ])(
    'the %s config: one push trigger on the branch and file paths, no pull-request trigger',
    (_n, p, branch, include, exclude) => {
      expect(p.props.Triggers).toHaveLength(1);
      expect(p.props.Triggers[0]).toEqual({
        ProviderType: 'CodeStarSourceConnection',
        GitConfiguration: {
          SourceActionName: 'Source',
          Push: [
            {
              Branches: { Includes: [branch] },
              FilePaths: { Includes: expect.arrayContaining(include), Excludes: exclude },
            },
          ],
        },
      });
      expect(JSON.stringify(p.props.Triggers)).not.toMatch(/PullRequest/);
    },
  );

  test('the source action reads the configured repository and branch through the connection', () => {
    const [source] = def.stage('Source').Actions;
    expect(source).toMatchObject({
      Name: 'Source',
      ActionTypeId: { Provider: 'CodeStarSourceConnection' },
      Configuration: {
        ConnectionArn: def.built.config.pipeline!.connectionArn,
        FullRepositoryId: 'example-org/mlops-secure-delivery',
        BranchName: 'main',
      },
    });
  });

  test.each([
    ['codeconnections', def],
    ['codestar-connections', large],
  ])('a %s connection ARN: UseConnection of both services on both ARN forms', (_form, p) => {
    const arn = p.built.config.pipeline!.connectionArn;
    const twin = arn.includes(':codeconnections:')
      ? arn.replace(':codeconnections:', ':codestar-connections:')
      : arn.replace(':codestar-connections:', ':codeconnections:');
    // GIVEN every Allow statement of the pipeline stack, flattened to action x resource
    const grants = new Set<string>();
    for (const policy of Object.values(p.template.findResources('AWS::IAM::Policy'))) {
      const doc = (policy.Properties as { PolicyDocument: { Statement: Statement[] } }).PolicyDocument;
      for (const st of doc.Statement.filter((x) => x.Effect === 'Allow')) {
        for (const a of [st.Action].flat())
          for (const r of [st.Resource].flat()) grants.add(`${a} ${JSON.stringify(r)}`);
      }
    }
    // THEN both services' UseConnection are allowed on both ARN forms of the connection
    for (const action of ['codeconnections:UseConnection', 'codestar-connections:UseConnection']) {
      for (const resource of [arn, twin]) expect(grants).toContain(`${action} ${JSON.stringify(resource)}`);
    }
  });
});

describe('PipelineStack: gates, approvals and deployments per environment', () => {
  test('stages in order: source, synth, self-mutation, assets, then every environment in config order', () => {
    expect(def.props.Stages.map((s) => s.Name)).toEqual([
      'Source',
      'Build',
      'UpdatePipeline',
      'Assets',
      'staging',
      'production',
    ]);
  });

  test.each([
    ['default', def],
    ['large', large],
  ])(
    'the %s config: image gate, approval and gates again where asked, deploys, endpoint gate, release record',
    (_n, p) => {
      const { config } = p.built;
      for (const env of config.environments) {
        // GIVEN the environment's pipeline stage
        const actions = [...p.stage(env.name).Actions].sort((a, b) => a.RunOrder - b.RunOrder);
        const gateRole = `arn:aws:iam::${env.account}:role/${gateNames.gateRole(config.projectName, env.name)}`;
        const functionName = gateNames.checkerFunction(config.projectName, env.name);
        // Every image by its digest: what the model runs is what the gate judges.
        const images = [...new Map(config.models.map((m) => [`${m.image.repository}@${m.image.digest}`, m])).values()];
        const imageParameters = JSON.stringify({
          images: images.map((m) => ({ repository: m.image.repository, digest: m.image.digest ?? m.image.tag })),
          failOn: 'LOW',
        });
        const endpointNames = config.models.map((m) => `${config.projectName}-${env.name}-${m.name}`);
        const lambdaGate = (name: string, parameters: string) => ({
          Name: name,
          ActionTypeId: { Category: 'Invoke', Provider: 'Lambda' },
          RoleArn: gateRole,
          Configuration: { FunctionName: functionName, UserParameters: parameters },
        });
        // THEN the image gate runs first, over exactly the images (digests) the environment will run
        expect(actions[0]).toMatchObject({ ...lambdaGate('ImageGate', imageParameters), RunOrder: 1 });
        const deploys = actions.filter((a) => a.ActionTypeId.Provider === 'CloudFormation');
        expect([...new Set(deploys.map((a) => a.Configuration!.StackName))].sort()).toEqual(
          [`${config.projectName}-${env.name}-platform`, ...endpointNames].sort(),
        );
        const firstDeploy = Math.min(...deploys.map((a) => a.RunOrder));
        const beforeDeploy = actions.filter((a) => a.RunOrder < firstDeploy).map((a) => a.Name);
        if (env.manualApproval) {
          // AND where an approval is configured: the approval, then the image and endpoint gates again and the
          // approval's expiry check, all after the approval and before the first deployment
          expect(beforeDeploy).toEqual([
            'ImageGate',
            'Approve',
            'ImageGateAfterApproval',
            'EndpointGateBeforeDeploy',
            'ApprovalCheck',
          ]);
          expect(actions[2]).toMatchObject(lambdaGate('ImageGateAfterApproval', imageParameters));
          expect(actions[3]).toMatchObject(
            lambdaGate(
              'EndpointGateBeforeDeploy',
              JSON.stringify({ endpointNames, failOn: 'LOW', allowMissing: true }),
            ),
          );
          expect(actions[4]).toMatchObject({ Name: 'ApprovalCheck', ActionTypeId: { Provider: 'CodeBuild' } });
        } else {
          expect(beforeDeploy).toEqual(['ImageGate']);
        }
        expect(actions.filter((a) => a.ActionTypeId.Category === 'Approval')).toHaveLength(env.manualApproval ? 1 : 0);
        // AND after every deployment: the endpoint gate over the environment's endpoints, then the release record
        const afterDeploy = actions.filter((a) => a.RunOrder > Math.max(...deploys.map((d) => d.RunOrder)));
        expect(afterDeploy.map((a) => a.Name)).toEqual(['EndpointGate', 'ReleaseRecord']);
        expect(afterDeploy[0]).toMatchObject(
          lambdaGate('EndpointGate', JSON.stringify({ endpointNames, failOn: 'LOW' })),
        );
        expect(afterDeploy[1]).toMatchObject({ ActionTypeId: { Category: 'Build', Provider: 'CodeBuild' } });
      }
    },
  );

  test("every gate's UserParameters are accepted by the compliance checker's own parser", () => {
    for (const p of [def, large]) {
      for (const env of p.built.config.environments) {
        for (const a of p.stage(env.name).Actions.filter((x) => x.ActionTypeId.Provider === 'Lambda')) {
          const params = parsePipelineParameters(a.Configuration!.UserParameters);
          expect(params.failOn).toBe('LOW');
          expect((params.images?.length ?? 0) + (params.endpoints?.length ?? 0)).toBeGreaterThan(0);
        }
      }
    }
  });

  test('an image named by a digest in its tag is gated by that digest', () => {
    // GIVEN a model pinned by digest in the tag field (and no separate digest)
    const doc = defaultConfigDocument() as { models: { image: { tag: string; digest?: string } }[] };
    const digest = `sha256:${'a'.repeat(64)}`;
    doc.models[0]!.image.tag = digest;
    delete doc.models[0]!.image.digest;
    // WHEN the pipeline is built
    const p = pipelineOf(doc);
    // THEN the image gate names the digest
    const gate = p.stage('staging').Actions.find((a) => a.Name === 'ImageGate')!;
    expect(JSON.parse(gate.Configuration!.UserParameters as string)).toEqual({
      images: [{ repository: 'fraud-xgb', digest }],
      failOn: 'LOW',
    });
  });

  test('the pipeline role (fixed name, trusted by CodePipeline) may assume each environment’s gate role', () => {
    const assumed = JSON.stringify(
      Object.values(def.template.findResources('AWS::IAM::Policy')).filter((p) =>
        JSON.stringify(p).includes('mlops-staging-pipeline-gate'),
      ),
    );
    expect(assumed).toContain('arn:aws:iam::111111111111:role/mlops-staging-pipeline-gate');
    expect(assumed).toContain('arn:aws:iam::222222222222:role/mlops-production-pipeline-gate');
    def.template.hasResourceProperties('AWS::IAM::Role', {
      RoleName: gateNames.pipelineRole('mlops'),
      AssumeRolePolicyDocument: {
        Statement: [Match.objectLike({ Principal: { Service: 'codepipeline.amazonaws.com' } })],
      },
    });
  });
});

describe('PipelineStack: synth step', () => {
  const spec = () => {
    const [project] = Object.values(def.template.findResources('AWS::CodeBuild::Project')).filter((p) =>
      JSON.stringify(p).includes('npx cdk synth'),
    );
    return JSON.parse((project!.Properties as { Source: { BuildSpec: string } }).Source.BuildSpec) as {
      phases: { install: { commands: string[] }; build: { commands: string[] } };
      artifacts: Record<string, unknown>;
    };
  };

  test('runs npm ci, lint, the synth with all packs, then the reports and SBOMs, in that order', () => {
    expect(spec().phases.build.commands).toEqual(synthCommands());
    expect(synthCommands()).toEqual([
      'npm ci --no-audit --no-fund',
      'npm run lint',
      'npx cdk synth',
      'npm run report -- --assembly cdk.out --out reports/security',
      'npm run sbom -- --out reports/sbom',
    ]);
  });

  test('keeps the cloud assembly and the reports directory as artifacts', () => {
    const artifacts = JSON.stringify(spec().artifacts);
    expect(artifacts).toContain('"base-directory":"cdk.out"');
    expect(artifacts).toContain('"base-directory":"reports"');
  });

  test('the self-mutation step installs the CDK CLI version this repository pins, not the latest', () => {
    const version = (
      JSON.parse(readFileSync(join(__dirname, '..', '..', 'package-lock.json'), 'utf8')) as {
        packages: Record<string, { version: string }>;
      }
    ).packages['node_modules/aws-cdk']!.version;
    expect(JSON.stringify(def.template.toJSON())).toContain(`npm install -g aws-cdk@${version}`);
    expect(JSON.stringify(def.template.toJSON())).not.toContain('aws-cdk@2\\"');
  });

  test('passes a config file given at deploy time on to the synth in the pipeline', () => {
    expect(synthCommands('config/prod.json')[2]).toBe('npx cdk synth -c config=config/prod.json');
  });
});

describe('PipelineStack: artifacts, keys and notifications', () => {
  test('artifact store: KMS key of our own, rotated, retained; bucket encrypted, access-logged, retained', () => {
    expect((def.props as unknown as { ArtifactStores: unknown[] }).ArtifactStores).toEqual([
      {
        Region: 'eu-west-1',
        ArtifactStore: {
          Type: 'S3',
          Location: { Ref: expect.stringMatching(/^ArtifactsArtifactBucket/) },
          EncryptionKey: { Type: 'KMS', Id: { 'Fn::GetAtt': [expect.stringMatching(/^ArtifactsKey/), 'Arn'] } },
        },
      },
    ]);
    def.template.allResourcesProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    for (const key of Object.values(def.template.findResources('AWS::KMS::Key'))) {
      expect(key).toMatchObject({ DeletionPolicy: 'Retain' });
    }
    def.template.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [
          Match.objectLike({ ServerSideEncryptionByDefault: Match.objectLike({ SSEAlgorithm: 'aws:kms' }) }),
        ],
      },
      LoggingConfiguration: Match.objectLike({ DestinationBucketName: Match.anyValue() }),
      VersioningConfiguration: { Status: 'Enabled' },
    });
    for (const b of Object.values(def.template.findResources('AWS::S3::Bucket'))) {
      expect(b).toMatchObject({ DeletionPolicy: 'Retain' });
    }
  });

  test('environments in another region get their own governed artifact store, not CDK’s support stack', () => {
    // GIVEN the large config: pipeline in eu-central-1, staging in eu-west-1
    expect(large.stack.regionStacks.map((s) => s.region)).toEqual(['eu-west-1']);
    const region = Template.fromStack(large.stack.regionStacks[0]!);
    // THEN that store is encrypted with a rotated key, access-logged and retained
    region.allResourcesProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    region.hasResourceProperties('AWS::S3::Bucket', {
      LoggingConfiguration: Match.objectLike({ DestinationBucketName: Match.anyValue() }),
    });
    expect(large.props).toMatchObject({
      ArtifactStores: expect.arrayContaining([expect.objectContaining({ Region: 'eu-west-1' })]),
    });
    // AND KMS use across regions is confined to the pipeline's artifact keys
    large.template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Condition: {
              'ForAllValues:StringNotLike': { 'kms:ResourceAliases': 'alias/credit-risk/pipeline/artifacts*' },
            },
          }),
        ]),
      },
    });
    expect(def.stack.regionStacks).toEqual([]);
  });

  test('pipeline, stage and approval outcome notifications go to a KMS-encrypted topic', () => {
    def.template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
    def.template.hasResourceProperties('AWS::CodeStarNotifications::NotificationRule', {
      EventTypeIds: [
        'codepipeline-pipeline-pipeline-execution-failed',
        'codepipeline-pipeline-pipeline-execution-succeeded',
        'codepipeline-pipeline-stage-execution-failed',
        'codepipeline-pipeline-stage-execution-succeeded',
        'codepipeline-pipeline-manual-approval-succeeded',
        'codepipeline-pipeline-manual-approval-failed',
      ],
      Targets: [{ TargetType: 'SNS', TargetAddress: { Ref: Match.stringLikeRegexp('NotificationTopic') } }],
    });
    def.template.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({ Principal: { Service: 'codestar-notifications.amazonaws.com' } }),
        ]),
      },
    });
  });
});

describe('the gate role in each PlatformStack', () => {
  test('trusted by the tooling account’s pipeline role alone; may invoke the checker and nothing else', () => {
    for (const stage of def.built.environments) {
      const env = (stage as MlopsStage).environmentConfig;
      const t = Template.fromStack(stage.platform);
      t.hasResourceProperties('AWS::IAM::Role', {
        RoleName: gateNames.gateRole('mlops', env.name),
        AssumeRolePolicyDocument: {
          Statement: [
            {
              Action: 'sts:AssumeRole',
              Effect: 'Allow',
              Principal: { AWS: 'arn:aws:iam::999999999999:root' },
              Condition: { ArnEquals: { 'aws:PrincipalArn': 'arn:aws:iam::999999999999:role/mlops-pipeline' } },
            },
          ],
        },
      });
      t.hasResourceProperties('AWS::Lambda::Function', {
        FunctionName: gateNames.checkerFunction('mlops', env.name),
      });
      const [gatePolicy] = Object.values(t.findResources('AWS::IAM::ManagedPolicy')).filter((p) =>
        JSON.stringify(p).includes('InvokeComplianceChecker'),
      );
      expect((gatePolicy!.Properties as { PolicyDocument: unknown }).PolicyDocument).toEqual({
        Version: '2012-10-17',
        Statement: [
          {
            Sid: 'InvokeComplianceChecker',
            Action: 'lambda:InvokeFunction',
            Effect: 'Allow',
            Resource: { 'Fn::GetAtt': [expect.stringMatching(/^ComplianceChecker/), 'Arn'] },
          },
          { Sid: 'FindFunctionForCodePipeline', Action: 'lambda:ListFunctions', Effect: 'Allow', Resource: '*' },
        ],
      });
    }
  });
});

describe('without a pipeline block', () => {
  const doc = defaultConfigDocument() as Record<string, unknown>;
  delete doc.pipeline;
  const plain = buildTestApp(doc, { policyPacks: false });
  const withPipeline = def.built;

  test('no pipeline stack, no gate role, no fixed checker name: environments are plain constructs', () => {
    expect(plain.pipeline).toBeUndefined();
    expect(plain.app.node.children.filter((c) => c instanceof Stack)).toEqual([]);
    for (const env of plain.environments) {
      expect(env).toBeInstanceOf(MlopsEnvironment);
      const t = Template.fromStack(env.platform);
      expect(JSON.stringify(t.findResources('AWS::IAM::Role'))).not.toMatch(/pipeline-gate/);
      for (const fn of Object.values(t.findResources('AWS::Lambda::Function'))) {
        expect(fn.Properties).not.toHaveProperty('FunctionName');
      }
    }
  });

  test('with a pipeline the same stacks are the stages: same paths and stack names', () => {
    const stacks = (envs: typeof plain.environments) =>
      envs.flatMap((e) => [e.platform, ...e.modelStacks]).map((s) => `${s.node.path} ${s.stackName}`);
    expect(stacks(withPipeline.environments)).toEqual(stacks(plain.environments));
    for (const e of withPipeline.environments) expect(e).toBeInstanceOf(MlopsStage);
  });

  test('the model stacks do not change when a pipeline is added, but for the approved model card', () => {
    // Staging has no approval: identical.
    const [a, b] = [plain, withPipeline].map((x) => Template.fromStack(x.environments[0]!.modelStacks[0]!).toJSON());
    expect(a).toEqual(b);
    // Production is deployed by the pipeline only after its approval: the card says Approved, and nothing else moves.
    const card = (t: { Resources: Record<string, { Type: string; Properties: Record<string, unknown> }> }) =>
      Object.values(t.Resources).find((r) => r.Type === 'AWS::SageMaker::ModelCard')!.Properties;
    const [c, d] = [plain, withPipeline].map(
      (x) => Template.fromStack(x.environments[1]!.modelStacks[0]!).toJSON() as Parameters<typeof card>[0],
    );
    expect([card(c).ModelCardStatus, card(d).ModelCardStatus]).toEqual(['Draft', 'Approved']);
    const withoutCards = (t: Parameters<typeof card>[0]) =>
      Object.entries(t.Resources).filter(([, r]) => r.Type !== 'AWS::SageMaker::ModelCard');
    expect(withoutCards(c)).toEqual(withoutCards(d));
  });
});

describe('PipelineStack wiring', () => {
  test('rejects stages that are not the config’s environments in config order', () => {
    // GIVEN the environments as stages, in reverse order
    const config = parseConfig(defaultConfigDocument());
    const app = newApp();
    const policy = compliancePolicy(config);
    const stages = [...config.environments]
      .reverse()
      .map((environment) => new MlopsStage(app, environment.name, { config, environment, policy }));
    // WHEN / THEN
    expect(() => new PipelineStack(app, 'Pipeline', { config, pipeline: config.pipeline!, stages })).toThrow(
      /stages must be the config's environments in config order \[staging, production\], got \[production, staging\]/,
    );
  });
});
