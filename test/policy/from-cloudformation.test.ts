import {
  BucketFacts,
  EndpointConfigFacts,
  EndpointFacts,
  evaluate,
  ModelFacts,
  RepositoryFacts,
  ResourceFacts,
} from '../../core/policy';
import { CfnTemplate, factsByLogicalId, factsFromTemplate, renderValue } from '../../core/policy/from-cloudformation';
import { ctx } from '../support/policy-facts';

/** Facts of one logical id, typed by kind (a role has two: its trust policy and its inline policies). */
function factsOf<T extends ResourceFacts>(template: CfnTemplate, id: string, region?: string, kind?: T['kind']): T {
  const all = factsByLogicalId(template, region !== undefined ? { region } : {}).get(id) ?? [];
  const facts = kind !== undefined ? all.find((f) => f.kind === kind) : (all.find((f) => f.kind !== 'Role') ?? all[0]);
  if (facts === undefined) throw new Error(`no facts for ${id}`);
  return facts as T;
}

const tags = (t: Record<string, unknown>) => Object.entries(t).map(([Key, Value]) => ({ Key, Value }));
const TAGS_OK = { Owner: 'ml-platform', CostCenter: 'cc-42', DataClassification: 'confidential', Environment: 'prod' };

/** A compliant template in the shape CDK synthesizes. */
const SECURE: CfnTemplate = {
  Parameters: { KeyArnParam: { Type: 'String' } },
  Resources: {
    CaptureKey: { Type: 'AWS::KMS::Key', Properties: { EnableKeyRotation: true } },
    CaptureKeyAlias: {
      Type: 'AWS::KMS::Alias',
      Properties: { AliasName: 'alias/mlops/capture', TargetKeyId: { 'Fn::GetAtt': ['CaptureKey', 'Arn'] } },
    },
    Model: {
      Type: 'AWS::SageMaker::Model',
      Properties: {
        ModelName: 'fraud-v1',
        EnableNetworkIsolation: true,
        ExecutionRoleArn: { 'Fn::GetAtt': ['ModelRole', 'Arn'] },
        PrimaryContainer: {
          Image: {
            'Fn::Join': [
              '',
              ['111122223333.dkr.ecr.eu-west-1.', { Ref: 'AWS::URLSuffix' }, '/', { Ref: 'Repo' }, ':1.0.0'],
            ],
          },
        },
        VpcConfig: {
          Subnets: ['subnet-0123456789abcdef0'],
          SecurityGroupIds: [{ 'Fn::GetAtt': ['ModelSg', 'GroupId'] }],
        },
        Tags: tags(TAGS_OK),
      },
    },
    EndpointConfig: {
      Type: 'AWS::SageMaker::EndpointConfig',
      Properties: {
        KmsKeyId: { Ref: 'CaptureKey' },
        ProductionVariants: [{ ModelName: { 'Fn::GetAtt': ['Model', 'ModelName'] }, VariantName: 'AllTraffic' }],
        DataCaptureConfig: {
          InitialSamplingPercentage: 10,
          DestinationS3Uri: { 'Fn::Sub': 's3://${CaptureBucket}/fraud' },
          KmsKeyId: { 'Fn::GetAtt': ['CaptureKey', 'Arn'] },
          CaptureOptions: [{ CaptureMode: 'Input' }, { CaptureMode: 'Output' }],
        },
        Tags: tags(TAGS_OK),
      },
    },
    Endpoint: {
      Type: 'AWS::SageMaker::Endpoint',
      Properties: {
        EndpointName: 'fraud',
        EndpointConfigName: { 'Fn::GetAtt': ['EndpointConfig', 'EndpointConfigName'] },
        DeploymentConfig: {
          BlueGreenUpdatePolicy: {
            TrafficRoutingConfiguration: {
              Type: 'CANARY',
              CanarySize: { Type: 'CAPACITY_PERCENT', Value: 10 },
              WaitIntervalInSeconds: 300,
            },
          },
          AutoRollbackConfiguration: {
            Alarms: [{ AlarmName: { Ref: 'Alarm5xx' } }, { AlarmName: { Ref: 'AlarmLatency' } }],
          },
        },
        Tags: tags(TAGS_OK),
      },
    },
    Repo: {
      Type: 'AWS::ECR::Repository',
      Properties: {
        RepositoryName: 'fraud',
        ImageTagMutability: 'IMMUTABLE',
        ImageScanningConfiguration: { ScanOnPush: true },
        EncryptionConfiguration: { EncryptionType: 'KMS', KmsKey: { 'Fn::GetAtt': ['CaptureKey', 'Arn'] } },
        LifecyclePolicy: { LifecyclePolicyText: '{"rules":[]}' },
        Tags: tags(TAGS_OK),
      },
    },
    CaptureBucket: {
      Type: 'AWS::S3::Bucket',
      Properties: {
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [
            {
              ServerSideEncryptionByDefault: {
                SSEAlgorithm: 'aws:kms',
                KMSMasterKeyID: { 'Fn::GetAtt': ['CaptureKey', 'Arn'] },
              },
            },
          ],
        },
        VersioningConfiguration: { Status: 'Enabled' },
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          BlockPublicPolicy: true,
          IgnorePublicAcls: true,
          RestrictPublicBuckets: true,
        },
        LoggingConfiguration: { DestinationBucketName: { Ref: 'LogBucket' }, LogFilePrefix: 'capture/' },
        LifecycleConfiguration: {
          Rules: [
            { Status: 'Enabled', ExpirationInDays: 20, NoncurrentVersionExpiration: { NoncurrentDays: 5 } },
            { Status: 'Enabled', Prefix: 'tmp/', ExpirationInDays: 1 },
          ],
        },
        Tags: tags({ ...TAGS_OK, 'mlops:purpose': 'data-capture' }),
      },
    },
    CaptureBucketPolicy: {
      Type: 'AWS::S3::BucketPolicy',
      Properties: {
        Bucket: { Ref: 'CaptureBucket' },
        PolicyDocument: {
          Version: '2012-10-17',
          Statement: [
            {
              Action: 's3:*',
              Condition: { Bool: { 'aws:SecureTransport': 'false' } },
              Effect: 'Deny',
              Principal: { AWS: '*' },
              Resource: [
                { 'Fn::GetAtt': ['CaptureBucket', 'Arn'] },
                { 'Fn::Join': ['', [{ 'Fn::GetAtt': ['CaptureBucket', 'Arn'] }, '/*']] },
              ],
            },
          ],
        },
      },
    },
    LogBucket: {
      Type: 'AWS::S3::Bucket',
      Properties: {
        BucketName: 'mlops-access-logs',
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
        },
        VersioningConfiguration: { Status: 'Enabled' },
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: 'true',
          BlockPublicPolicy: 'true',
          IgnorePublicAcls: 'true',
          RestrictPublicBuckets: 'true',
        },
        Tags: tags({ ...TAGS_OK, 'mlops:purpose': 'access-logs' }),
      },
    },
    // A literal bucket name joins the policy to the bucket too.
    LogBucketPolicy: {
      Type: 'AWS::S3::BucketPolicy',
      Properties: {
        Bucket: 'mlops-access-logs',
        PolicyDocument: {
          Statement: {
            Action: ['s3:*'],
            Condition: { Bool: { 'aws:SecureTransport': false } },
            Effect: 'Deny',
            Principal: '*',
            Resource: '*',
          },
        },
      },
    },
    Topic: { Type: 'AWS::SNS::Topic', Properties: {} },
  },
};

/** An insecure template: every setting the rules look for is missing or weak. */
const INSECURE: CfnTemplate = {
  Resources: {
    Model: {
      Type: 'AWS::SageMaker::Model',
      Properties: {
        ExecutionRoleArn: 'arn:aws:iam::111122223333:role/sm',
        Containers: [
          { Image: 'public.ecr.aws/x/y:latest' },
          { Image: { 'Fn::Sub': '${AWS::AccountId}.dkr.ecr.${AWS::Region}.amazonaws.com/z:2' } },
        ],
      },
    },
    EndpointConfig: {
      Type: 'AWS::SageMaker::EndpointConfig',
      Properties: {
        ProductionVariants: [{ ModelName: 'm1' }],
        ShadowProductionVariants: [{ ModelName: 'm2' }],
        DataCaptureConfig: {
          EnableCapture: false,
          InitialSamplingPercentage: 100,
          DestinationS3Uri: 's3://b/p',
          KmsKeyId: 'alias/aws/s3',
          CaptureOptions: [{ CaptureMode: 'InputAndOutput' }],
        },
      },
    },
    Endpoint: {
      Type: 'AWS::SageMaker::Endpoint',
      Properties: { EndpointConfigName: 'cfg', Tags: tags({ Environment: 'prod' }) },
    },
    Repo: { Type: 'AWS::ECR::Repository', Properties: { ImageTagMutability: 'IMMUTABLE_WITH_EXCLUSION' } },
    Bucket: {
      Type: 'AWS::S3::Bucket',
      Properties: {
        VersioningConfiguration: { Status: 'Suspended' },
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          BlockPublicPolicy: true,
          IgnorePublicAcls: true,
          RestrictPublicBuckets: false,
        },
        Tags: tags({ 'mlops:purpose': 'data-capture' }),
      },
    },
    // Denies only GetObject over HTTP: puts are still allowed in clear text.
    BucketPolicy: {
      Type: 'AWS::S3::BucketPolicy',
      Properties: {
        Bucket: { Ref: 'Bucket' },
        PolicyDocument: {
          Statement: [
            {
              Action: 's3:GetObject',
              Condition: { Bool: { 'aws:SecureTransport': 'false' } },
              Effect: 'Deny',
              Principal: '*',
            },
          ],
        },
      },
    },
  },
};

describe('factsFromTemplate: resource selection', () => {
  test('returns facts for the five resource kinds only, keyed by logical id, with the region', () => {
    // GIVEN a template with SageMaker, ECR, S3, KMS, SNS resources
    // WHEN adapted with the stack's region
    const facts = factsFromTemplate(SECURE, { region: 'eu-west-1' });
    // THEN only the five kinds appear, each with its logical id and the region
    expect(facts.map((f) => `${f.kind}:${f.id}`).sort()).toEqual([
      'Bucket:CaptureBucket',
      'Bucket:LogBucket',
      'Endpoint:Endpoint',
      'EndpointConfig:EndpointConfig',
      'Key:CaptureKey',
      'Model:Model',
      'Repository:Repo',
    ]);
    expect(facts.every((f) => f.region === 'eu-west-1')).toBe(true);
  });

  test('leaves region undefined for environment-agnostic templates', () => {
    // GIVEN no region option
    // WHEN adapted
    const facts = factsFromTemplate(SECURE);
    // THEN region is absent
    expect(facts.every((f) => f.region === undefined)).toBe(true);
  });

  test('rejects nothing on an empty template', () => {
    // GIVEN templates without resources
    // WHEN adapted
    // THEN no facts and no throw
    expect(factsFromTemplate({})).toEqual([]);
    expect(factsByLogicalId({ Resources: {} }).size).toBe(0);
  });
});

describe('factsFromTemplate: SageMaker model', () => {
  test('reads isolation, VPC, role and a joined image from a compliant model', () => {
    // GIVEN the secure model
    // WHEN adapted
    const m = factsOf<ModelFacts>(SECURE, 'Model');
    // THEN every fact is read, intrinsics rendered readably
    expect(m).toEqual({
      kind: 'Model',
      id: 'Model',
      name: 'fraud-v1',
      tags: TAGS_OK,
      networkIsolation: true,
      vpc: { subnetIds: ['subnet-0123456789abcdef0'], securityGroupIds: ['${ModelSg.GroupId}'] },
      executionRoleArn: '${ModelRole.Arn}',
      images: ['111122223333.dkr.ecr.eu-west-1.${AWS::URLSuffix}/${Repo}:1.0.0'],
      // The registry's account is the literal one in the join; the tag is the literal after the last colon.
      imageSources: [
        {
          uri: '111122223333.dkr.ecr.eu-west-1.${AWS::URLSuffix}/${Repo}:1.0.0',
          registryAccount: '111122223333',
          pin: { tag: '1.0.0' },
        },
      ],
    });
  });

  test('fails isolation and VPC for a model without them, reading multi-container images', () => {
    // GIVEN the insecure model
    // WHEN adapted
    const m = factsOf<ModelFacts>(INSECURE, 'Model');
    // THEN isolation is off, there is no VPC, and both images are listed
    expect(m.networkIsolation).toBe(false);
    expect(m.vpc).toBeUndefined();
    expect(m.tags).toEqual({});
    expect(m.images).toEqual([
      'public.ecr.aws/x/y:latest',
      '${AWS::AccountId}.dkr.ecr.${AWS::Region}.amazonaws.com/z:2',
    ]);
  });

  test('rejects an intrinsic EnableNetworkIsolation as not shown', () => {
    // GIVEN isolation behind a condition
    const t: CfnTemplate = {
      Resources: {
        M: { Type: 'AWS::SageMaker::Model', Properties: { EnableNetworkIsolation: { 'Fn::If': ['C', true, false] } } },
      },
    };
    // WHEN adapted
    const m = factsOf<ModelFacts>(t, 'M');
    // THEN it is unknown: neither isolated nor guessed off
    expect(m.networkIsolation).toBeUndefined();
  });
});

describe('factsFromTemplate: endpoint config', () => {
  test('reads keys, capture and model names from a compliant config', () => {
    // GIVEN the secure config, keys given by Ref and GetAtt to a KMS key in the template
    // WHEN adapted
    const c = factsOf<EndpointConfigFacts>(SECURE, 'EndpointConfig');
    // THEN both keys are customer-managed and capture is read with its default EnableCapture
    expect(c.kmsKey).toEqual({ id: '${CaptureKey}', customerManaged: true });
    expect(c.dataCapture).toEqual({
      enabled: true,
      samplingPercent: 10,
      captureInput: true,
      captureOutput: true,
      kmsKey: { id: '${CaptureKey.Arn}', customerManaged: true },
      destinationS3Uri: 's3://${CaptureBucket}/fraud',
    });
    expect(c.modelNames).toEqual(['${Model.ModelName}']);
  });

  test('fails capture for a disabled, AWS-managed, full-sampling config', () => {
    // GIVEN the insecure config
    // WHEN adapted
    const c = factsOf<EndpointConfigFacts>(INSECURE, 'EndpointConfig');
    // THEN no storage key, capture disabled with an AWS-managed key, and shadow models included
    expect(c.kmsKey).toBeUndefined();
    expect(c.dataCapture).toMatchObject({
      enabled: false,
      samplingPercent: 100,
      captureInput: true,
      captureOutput: true,
      kmsKey: { id: 'alias/aws/s3', customerManaged: false },
    });
    expect(c.modelNames).toEqual(['m1', 'm2']);
  });

  test('leaves dataCapture undefined without a DataCaptureConfig', () => {
    // GIVEN no capture block
    const t: CfnTemplate = {
      Resources: { C: { Type: 'AWS::SageMaker::EndpointConfig', Properties: { ProductionVariants: [] } } },
    };
    // WHEN adapted
    const c = factsOf<EndpointConfigFacts>(t, 'C');
    // THEN no capture
    expect(c.dataCapture).toBeUndefined();
  });

  test('rejects unresolvable capture settings as unknown, never a guessed value', () => {
    // GIVEN capture settings from parameters
    const t: CfnTemplate = {
      Resources: {
        C: {
          Type: 'AWS::SageMaker::EndpointConfig',
          Properties: {
            DataCaptureConfig: {
              EnableCapture: { Ref: 'EnableParam' },
              InitialSamplingPercentage: { Ref: 'PctParam' },
              CaptureOptions: { Ref: 'OptionsParam' },
            },
          },
        },
      },
    };
    // WHEN adapted
    const c = factsOf<EndpointConfigFacts>(t, 'C');
    // THEN every setting is unknown: the rules report it so, never compliant, never not applicable
    expect(c.dataCapture).toEqual({
      enabled: undefined,
      samplingPercent: undefined,
      captureInput: undefined,
      captureOutput: undefined,
    });
  });
});

describe('factsFromTemplate: KMS key references', () => {
  const configWithKey = (KmsKeyId: unknown, extra: Record<string, unknown> = {}): CfnTemplate => ({
    Parameters: { KeyParam: { Type: 'String' } },
    Resources: {
      Key: { Type: 'AWS::KMS::Key', Properties: {} },
      Replica: { Type: 'AWS::KMS::ReplicaKey', Properties: {} },
      Alias: { Type: 'AWS::KMS::Alias', Properties: { AliasName: 'alias/mine', TargetKeyId: { Ref: 'Key' } } },
      Role: { Type: 'AWS::IAM::Role', Properties: {} },
      C: { Type: 'AWS::SageMaker::EndpointConfig', Properties: { KmsKeyId } },
      ...extra,
    },
  });
  const keyOf = (v: unknown) => factsOf<EndpointConfigFacts>(configWithKey(v), 'C').kmsKey;

  test.each([
    ['Ref to a key in the template', { Ref: 'Key' }, true],
    ['GetAtt Arn of a key in the template', { 'Fn::GetAtt': ['Key', 'Arn'] }, true],
    ['GetAtt in dotted string form', { 'Fn::GetAtt': 'Key.Arn' }, true],
    ['Ref to a replica key', { Ref: 'Replica' }, true],
    ['Ref to an alias resource', { Ref: 'Alias' }, true],
    ['literal key ARN', 'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab', true],
    ['literal key id', '1234abcd-12ab-34cd-56ef-1234567890ab', true],
    ['literal customer alias', 'alias/mlops', true],
    [
      'key ARN joined with pseudo parameters',
      { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':kms:eu-west-1:111122223333:key/k']] },
      true,
    ],
    ['Sub of a template key', { 'Fn::Sub': '${Key.Arn}' }, true],
    ['AWS-managed alias', 'alias/aws/sagemaker', false],
    ['AWS-managed alias ARN', 'arn:aws:kms:eu-west-1:111122223333:alias/aws/s3', false],
    [
      'joined AWS-managed alias ARN',
      { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':kms:eu-west-1:1:alias/aws/s3']] },
      false,
    ],
    ['Ref to a parameter', { Ref: 'KeyParam' }, undefined],
    ['import', { 'Fn::ImportValue': 'shared-key-arn' }, undefined],
    ['condition', { 'Fn::If': ['C', { Ref: 'Key' }, 'alias/x'] }, undefined],
    ['attribute of a non-key resource', { 'Fn::GetAtt': ['Role', 'Arn'] }, undefined],
    ['Sub of a parameter', { 'Fn::Sub': 'arn:aws:kms:eu-west-1:1:key/${KeyParam}' }, undefined],
  ])('%s -> customerManaged %s', (_what, value, expected) => {
    // GIVEN a KmsKeyId in the given form
    // WHEN adapted
    const key = keyOf(value);
    // THEN customer management is proved, disproved or left unknown
    expect(key?.customerManaged).toBe(expected);
  });

  test('does not mistake a customer alias containing "alias/aws/" mid-name for an AWS-managed one', () => {
    // GIVEN alias/my-alias/aws/x (customer-managed: only names starting alias/aws/ are reserved)
    // WHEN adapted
    const key = keyOf('alias/my-alias/aws/x');
    // THEN customer-managed
    expect(key).toEqual({ id: 'alias/my-alias/aws/x', customerManaged: true });
  });

  test('treats a missing or empty key as no key', () => {
    // GIVEN no KmsKeyId / an empty one
    // WHEN adapted
    // THEN kmsKey is undefined
    expect(keyOf(undefined)).toBeUndefined();
    expect(keyOf('')).toBeUndefined();
  });
});

describe('factsFromTemplate: endpoint', () => {
  test('reads the blue/green strategy, rollback alarms and environment', () => {
    // GIVEN the secure endpoint
    // WHEN adapted
    const e = factsOf<EndpointFacts>(SECURE, 'Endpoint');
    // THEN CANARY with 2 alarms in prod
    expect(e).toMatchObject({
      kind: 'Endpoint',
      name: 'fraud',
      endpointConfigName: '${EndpointConfig.EndpointConfigName}',
      environment: 'prod',
      deployment: { strategy: 'CANARY', rollbackAlarmCount: 2 },
    });
  });

  test('fails rollout facts for an endpoint without DeploymentConfig', () => {
    // GIVEN the insecure endpoint
    // WHEN adapted
    const e = factsOf<EndpointFacts>(INSECURE, 'Endpoint');
    // THEN no deployment, environment still read
    expect(e.deployment).toBeUndefined();
    expect(e.environment).toBe('prod');
  });

  test('rejects an unknown traffic routing type as unknown and counts no alarms', () => {
    // GIVEN a blue/green policy whose type is a parameter and no rollback config
    const t: CfnTemplate = {
      Resources: {
        E: {
          Type: 'AWS::SageMaker::Endpoint',
          Properties: {
            DeploymentConfig: {
              BlueGreenUpdatePolicy: { TrafficRoutingConfiguration: { Type: { Ref: 'TypeParam' } } },
            },
            Tags: [{ Key: 'Environment', Value: { Ref: 'EnvParam' } }],
          },
        },
      },
    };
    // WHEN adapted
    const e = factsOf<EndpointFacts>(t, 'E');
    // THEN an unknown strategy, zero alarms, and no environment from an intrinsic tag value
    expect(e.deployment).toEqual({ strategy: undefined, rollbackAlarmCount: 0 });
    expect(e.environment).toBeUndefined();
    expect(e.tags).toEqual({ Environment: '${EnvParam}' });
  });
});

describe('factsFromTemplate: ECR repository', () => {
  test('reads a compliant repository', () => {
    // GIVEN the secure repository
    // WHEN adapted
    const r = factsOf<RepositoryFacts>(SECURE, 'Repo');
    // THEN immutable, scanned, KMS with the template key, lifecycle
    expect(r).toMatchObject({
      name: 'fraud',
      tagImmutable: true,
      scanOnPush: true,
      encryption: { type: 'KMS', kmsKey: { id: '${CaptureKey.Arn}', customerManaged: true } },
      hasLifecyclePolicy: true,
    });
  });

  test('fails a repository with defaults and IMMUTABLE_WITH_EXCLUSION', () => {
    // GIVEN the insecure repository
    // WHEN adapted
    const r = factsOf<RepositoryFacts>(INSECURE, 'Repo');
    // THEN mutable (exclusions stay overwritable), unscanned, AES256, no lifecycle
    expect(r).toMatchObject({
      tagImmutable: false,
      scanOnPush: false,
      encryption: { type: 'AES256' },
      hasLifecyclePolicy: false,
    });
    expect(r.encryption.kmsKey).toBeUndefined();
  });

  test('records the AWS-managed aws/ecr key for KMS without a key', () => {
    // GIVEN KMS encryption without KmsKey
    const t: CfnTemplate = {
      Resources: {
        R: { Type: 'AWS::ECR::Repository', Properties: { EncryptionConfiguration: { EncryptionType: 'KMS' } } },
      },
    };
    // WHEN adapted
    const r = factsOf<RepositoryFacts>(t, 'R');
    // THEN the AWS-managed key is named
    expect(r.encryption).toEqual({ type: 'KMS', kmsKey: { id: 'alias/aws/ecr', customerManaged: false } });
  });

  test('counts an enhanced scanning rule whose filter matches the repository as scan on push', () => {
    // GIVEN registry scanning rules: continuous for "fraud*", manual for everything
    const t: CfnTemplate = {
      Resources: {
        Scanning: {
          Type: 'AWS::ECR::RegistryScanningConfiguration',
          Properties: {
            ScanType: 'ENHANCED',
            Rules: [
              { ScanFrequency: 'CONTINUOUS_SCAN', RepositoryFilters: [{ Filter: 'fraud*', FilterType: 'WILDCARD' }] },
              { ScanFrequency: 'MANUAL', RepositoryFilters: [{ Filter: '*', FilterType: 'WILDCARD' }] },
            ],
          },
        },
        Covered: { Type: 'AWS::ECR::Repository', Properties: { RepositoryName: 'fraud-xgb' } },
        Other: { Type: 'AWS::ECR::Repository', Properties: { RepositoryName: 'churn' } },
        Unnamed: { Type: 'AWS::ECR::Repository', Properties: {} },
      },
    };
    // WHEN adapted
    const byId = factsByLogicalId(t);
    // THEN only the matching, named repository is covered
    expect((byId.get('Covered')?.[0] as RepositoryFacts).scanOnPush).toBe(true);
    expect((byId.get('Other')?.[0] as RepositoryFacts).scanOnPush).toBe(false);
    expect((byId.get('Unnamed')?.[0] as RepositoryFacts).scanOnPush).toBe(false);
  });

  test('a catch-all enhanced scanning filter covers a repository with a generated name', () => {
    // GIVEN a "*" scan-on-push rule and an unnamed repository
    const t: CfnTemplate = {
      Resources: {
        Scanning: {
          Type: 'AWS::ECR::RegistryScanningConfiguration',
          Properties: {
            ScanType: 'ENHANCED',
            Rules: [{ ScanFrequency: 'SCAN_ON_PUSH', RepositoryFilters: [{ Filter: '*', FilterType: 'WILDCARD' }] }],
          },
        },
        R: { Type: 'AWS::ECR::Repository', Properties: {} },
      },
    };
    // WHEN adapted
    // THEN covered
    expect(factsOf<RepositoryFacts>(t, 'R').scanOnPush).toBe(true);
  });
});

describe('factsFromTemplate: S3 bucket', () => {
  test('reads a compliant capture bucket, joining its TLS-only policy by Ref', () => {
    // GIVEN the secure capture bucket and its policy
    // WHEN adapted
    const b = factsOf<BucketFacts>(SECURE, 'CaptureBucket');
    // THEN every fact; the prefix-scoped 1-day rule does not count for the whole bucket
    expect(b).toMatchObject({
      purpose: 'data-capture',
      encryption: { type: 'aws:kms', kmsKey: { id: '${CaptureKey.Arn}', customerManaged: true } },
      versioned: true,
      publicAccessBlocked: true,
      accessLogging: true,
      tlsOnly: true,
      expirationDays: 20,
      noncurrentExpirationDays: 5,
    });
  });

  test('joins a bucket policy by literal bucket name and reads string booleans', () => {
    // GIVEN the log bucket, its policy naming it literally, flags as "true" strings
    // WHEN adapted
    const b = factsOf<BucketFacts>(SECURE, 'LogBucket');
    // THEN TLS-only, public access blocked, SSE-S3, purpose access-logs
    expect(b).toMatchObject({
      name: 'mlops-access-logs',
      purpose: 'access-logs',
      encryption: { type: 'AES256' },
      publicAccessBlocked: true,
      tlsOnly: true,
      accessLogging: false,
    });
  });

  test('fails a bucket with defaults, a partial public access block and a partial TLS deny', () => {
    // GIVEN the insecure bucket
    // WHEN adapted
    const b = factsOf<BucketFacts>(INSECURE, 'Bucket');
    // THEN nothing is shown compliant
    expect(b).toEqual({
      kind: 'Bucket',
      id: 'Bucket',
      tags: { 'mlops:purpose': 'data-capture' },
      purpose: 'data-capture',
      encryption: { type: 'AES256' },
      versioned: false,
      publicAcl: false,
      // The partial TLS deny is the bucket's whole policy.
      policyStatements: [expect.objectContaining({ effect: 'Deny', actions: ['s3:GetObject'] })],
      publicAccessBlocked: false,
      accessLogging: false,
      tlsOnly: false,
    });
  });

  test('records the AWS-managed aws/s3 key for SSE-KMS without a key id', () => {
    // GIVEN aws:kms without KMSMasterKeyID
    const t: CfnTemplate = {
      Resources: {
        B: {
          Type: 'AWS::S3::Bucket',
          Properties: {
            BucketEncryption: {
              ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms' } }],
            },
          },
        },
      },
    };
    // WHEN adapted
    // THEN the AWS-managed key is named
    expect(factsOf<BucketFacts>(t, 'B').encryption).toEqual({
      type: 'aws:kms',
      kmsKey: { id: 'alias/aws/s3', customerManaged: false },
    });
  });

  test('counts only enabled, unfiltered lifecycle rules, taking the shortest', () => {
    // GIVEN rules: disabled, tag-filtered, size-filtered, NewerNoncurrentVersions, legacy noncurrent, and two whole-bucket
    const t: CfnTemplate = {
      Resources: {
        B: {
          Type: 'AWS::S3::Bucket',
          Properties: {
            VersioningConfiguration: { Status: 'Enabled' },
            LifecycleConfiguration: {
              Rules: [
                { Status: 'Disabled', ExpirationInDays: 1 },
                { Status: 'Enabled', TagFilters: [{ Key: 'k', Value: 'v' }], ExpirationInDays: 2 },
                { Status: 'Enabled', ObjectSizeGreaterThan: 1024, ExpirationInDays: 3 },
                { Status: 'Enabled', NoncurrentVersionExpiration: { NoncurrentDays: 1, NewerNoncurrentVersions: 3 } },
                { Status: 'Enabled', Prefix: '', ExpirationInDays: 40, NoncurrentVersionExpirationInDays: 9 },
                { Status: 'Enabled', TagFilters: [], ExpirationInDays: 25 },
              ],
            },
          },
        },
      },
    };
    // WHEN adapted
    const b = factsOf<BucketFacts>(t, 'B');
    // THEN 25 days current (whole-bucket minimum) and 9 days noncurrent (legacy field)
    expect(b.expirationDays).toBe(25);
    expect(b.noncurrentExpirationDays).toBe(9);
  });

  describe('TLS-only bucket policies', () => {
    const bucketWith = (statement: Record<string, unknown>, Bucket: unknown = { Ref: 'B' }): CfnTemplate => ({
      Resources: {
        B: { Type: 'AWS::S3::Bucket', Properties: {} },
        P: { Type: 'AWS::S3::BucketPolicy', Properties: { Bucket, PolicyDocument: { Statement: [statement] } } },
      },
    });
    const deny = {
      Effect: 'Deny',
      Principal: '*',
      Action: 's3:*',
      Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      Resource: [{ 'Fn::GetAtt': ['B', 'Arn'] }, { 'Fn::Join': ['', [{ 'Fn::GetAtt': ['B', 'Arn'] }, '/*']] }],
    };

    test.each([
      ['that allows', { ...deny, Effect: 'Allow' }],
      ['for some principals', { ...deny, Principal: { AWS: 'arn:aws:iam::111122223333:root' } }],
      ['for some actions', { ...deny, Action: ['s3:PutObject'] }],
      ['on SecureTransport true', { ...deny, Condition: { Bool: { 'aws:SecureTransport': 'true' } } }],
      [
        'on a different condition operator',
        { ...deny, Condition: { StringEquals: { 'aws:SecureTransport': 'false' } } },
      ],
      // the rest of the bucket accepts plain HTTP
      [
        'narrowed to a prefix nobody uses',
        { ...deny, Resource: [{ 'Fn::Join': ['', [{ 'Fn::GetAtt': ['B', 'Arn'] }, '/unused/*']] }] },
      ],
      ['on the bucket but not its objects', { ...deny, Resource: { 'Fn::GetAtt': ['B', 'Arn'] } }],
    ])('rejects a TLS deny %s', (_what, statement) => {
      // GIVEN a policy that looks like TLS enforcement but is not
      // WHEN adapted
      // THEN it does not count
      expect(factsOf<BucketFacts>(bucketWith(statement), 'B').tlsOnly).toBe(false);
    });

    test.each([
      ['on every action', { ...deny, Action: '*' }],
      ['on every resource', { ...deny, Resource: '*' }],
    ])('accepts a TLS deny %s', (_what, statement) => {
      // GIVEN the real statement, widened
      // WHEN adapted
      // THEN the bucket is TLS-only
      expect(factsOf<BucketFacts>(bucketWith(statement), 'B').tlsOnly).toBe(true);
    });

    // A bucket with a generated name, its policy naming it through an intrinsic.
    const subDeny = {
      ...deny,
      Principal: { AWS: '*' },
      Condition: { Bool: { 'aws:SecureTransport': false } },
      Resource: [{ 'Fn::Sub': 'arn:${AWS::Partition}:s3:::${B}' }, { 'Fn::Sub': 'arn:${AWS::Partition}:s3:::${B}/*' }],
    };
    test.each([
      ['Fn::Sub', true, { 'Fn::Sub': '${B}' }],
      ['Fn::Join', true, { 'Fn::Join': ['', [{ Ref: 'B' }]] }],
      // a policy on a parameter's bucket leaves this one unknown, not false
      ['a parameter', undefined, { Ref: 'BucketParam' }],
    ])('keeps a bucket policy that names its bucket by %s -> tlsOnly %s', (_how, expected, bucket) => {
      // GIVEN the policy's Bucket given this way
      // WHEN adapted
      // THEN it belongs to the bucket, or leaves it unknown
      expect(factsOf<BucketFacts>(bucketWith(subDeny, bucket), 'B').tlsOnly).toBe(expected);
    });
  });

  test.each([
    ['a missing', { Type: 'AWS::S3::Bucket' }],
    ['an unknown', { Type: 'AWS::S3::Bucket', Properties: { Tags: [{ Key: 'mlops:purpose', Value: 'scratch' }] } }],
  ])('defaults purpose to other for %s purpose tag', (_what, bucket) => {
    // GIVEN a bucket without the tag or with an unknown value
    const t: CfnTemplate = { Resources: { B: bucket } };
    // WHEN adapted
    // THEN other
    expect(factsOf<BucketFacts>(t, 'B').purpose).toBe('other');
  });
});

describe('factsFromTemplate: tags', () => {
  test('leaves tags undefined when the tag list itself is an intrinsic', () => {
    // GIVEN Tags from a condition
    const t: CfnTemplate = {
      Resources: { B: { Type: 'AWS::S3::Bucket', Properties: { Tags: { 'Fn::If': ['C', [], []] } } } },
    };
    // WHEN adapted
    // THEN tags cannot be shown
    expect(factsOf<BucketFacts>(t, 'B').tags).toBeUndefined();
  });
});

describe('renderValue', () => {
  test('renders intrinsics in Fn::Sub syntax and unknown ones as JSON', () => {
    // GIVEN assorted values
    // WHEN rendered
    // THEN readable strings
    expect(renderValue({ Ref: 'X' })).toBe('${X}');
    expect(renderValue({ 'Fn::GetAtt': ['X', 'Arn'] })).toBe('${X.Arn}');
    expect(renderValue({ 'Fn::Join': ['-', ['a', { Ref: 'B' }]] })).toBe('a-${B}');
    expect(renderValue({ 'Fn::Sub': ['s3://${B}/${P}', { P: { Ref: 'Prefix' } }] })).toBe('s3://${B}/${Prefix}');
    expect(renderValue({ 'Fn::ImportValue': 'x' })).toBe('{"Fn::ImportValue":"x"}');
    expect(renderValue(42)).toBe('42');
    expect(renderValue({ 'Fn::Select': [1, { 'Fn::Split': [':', 'a:b:c'] }] })).toBe('b');
    expect(renderValue({ 'Fn::Select': [4, { 'Fn::Split': [':', { 'Fn::GetAtt': ['Repo', 'Arn'] }] }] })).toBe(
      '${Select(4, Split(":", ${Repo.Arn}))}',
    );
  });
});

describe('end to end: template -> facts -> rules', () => {
  const policy = ctx({ requiredTags: ['Owner', 'CostCenter', 'DataClassification'], requireVpc: true });

  test('the secure template has no non-compliant finding', () => {
    // GIVEN the secure template in eu-west-1
    const facts = factsFromTemplate(SECURE, { region: 'eu-west-1' });
    // WHEN evaluated at synth
    const failing = evaluate(facts, policy, 'synth').filter((f) => f.status === 'NON_COMPLIANT');
    // THEN nothing fails
    expect(failing.map((f) => `${f.ruleId} ${f.resourceId}: ${f.reason}`)).toEqual([]);
  });

  test('fails the insecure template on every rule it breaks', () => {
    // GIVEN the insecure template
    const facts = factsFromTemplate(INSECURE, { region: 'eu-west-1' });
    // WHEN evaluated at synth
    const failing = evaluate(facts, policy, 'synth').filter((f) => f.status === 'NON_COMPLIANT');
    // THEN each insecure setting is caught
    const ids = new Set(failing.map((f) => `${f.ruleId}:${f.resourceId}`));
    for (const expected of [
      'MLOPS-SM-1:EndpointConfig',
      'MLOPS-SM-2:Model',
      'MLOPS-SM-3:Model',
      'MLOPS-SM-4:Endpoint',
      'MLOPS-CAPTURE-1:EndpointConfig',
      'MLOPS-CAPTURE-4:Bucket',
      'MLOPS-ECR-1:Repo',
      'MLOPS-ECR-2:Repo',
      'MLOPS-ECR-3:Repo',
      'MLOPS-ECR-4:Repo',
      'MLOPS-BUCKET-1:Bucket',
      'MLOPS-BUCKET-2:Bucket',
      'MLOPS-BUCKET-3:Bucket',
      'MLOPS-BUCKET-4:Bucket',
      'MLOPS-TAG-1:Model',
      'MLOPS-TAG-2:Repo',
    ]) {
      expect(ids).toContain(expected);
    }
  });
});
