/**
 * Compliant-by-default facts and context for rule tests: each test changes only the fact under test, so a failure
 * points at that fact.
 */
import {
  BucketFacts,
  CompliancePolicy,
  EndpointConfigFacts,
  EndpointFacts,
  ImageFacts,
  ModelFacts,
  PolicyContext,
  RepositoryFacts,
  Rule,
  RuleResult,
  ResourceFacts,
} from '../../core/policy';

export const NOW = new Date('2026-03-01T12:00:00Z');

export const POLICY: CompliancePolicy = {
  allowedRegions: ['eu-west-1', 'eu-central-1'],
  captureRetentionDays: 30,
  maxCaptureSamplingPercent: 20,
  requiredTags: ['Owner', 'CostCenter', 'DataClassification'],
  dataClassifications: ['public', 'internal', 'confidential', 'restricted'],
  maxFindingSeverity: 'MEDIUM',
  imageScanMaxAgeDays: 7,
  requireVpc: true,
  productionEnvironments: ['prod'],
  knownAccounts: ['111122223333'],
};

export function ctx(policy: Partial<CompliancePolicy> = {}, now: Date = NOW): PolicyContext {
  return { policy: { ...POLICY, ...policy }, now };
}

export const TAGS_OK = { Owner: 'ml-platform', CostCenter: 'cc-42', DataClassification: 'confidential' };
const CMK = {
  id: 'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab',
  customerManaged: true,
};

export const model = (o: Partial<ModelFacts> = {}): ModelFacts => ({
  kind: 'Model',
  id: 'Model',
  region: 'eu-west-1',
  tags: TAGS_OK,
  networkIsolation: true,
  vpc: { subnetIds: ['subnet-0123456789abcdef0'], securityGroupIds: ['sg-0123456789abcdef0'] },
  images: ['111122223333.dkr.ecr.eu-west-1.amazonaws.com/fraud:1.0.0'],
  imageSources: [
    {
      uri: '111122223333.dkr.ecr.eu-west-1.amazonaws.com/fraud:1.0.0',
      registryAccount: '111122223333',
      pin: { tag: '1.0.0' },
    },
  ],
  ...o,
});

export const endpointConfig = (o: Partial<EndpointConfigFacts> = {}): EndpointConfigFacts => ({
  kind: 'EndpointConfig',
  id: 'EndpointConfig',
  region: 'eu-west-1',
  tags: TAGS_OK,
  kmsKey: CMK,
  dataCapture: {
    enabled: true,
    samplingPercent: 10,
    captureInput: true,
    captureOutput: true,
    kmsKey: CMK,
    destinationS3Uri: 's3://capture-bucket/fraud',
  },
  modelNames: ['fraud-model'],
  ...o,
});

export const endpoint = (o: Partial<EndpointFacts> = {}): EndpointFacts => ({
  kind: 'Endpoint',
  id: 'Endpoint',
  region: 'eu-west-1',
  tags: { ...TAGS_OK, Environment: 'prod' },
  environment: 'prod',
  deployment: { strategy: 'CANARY', rollbackAlarmCount: 2 },
  ...o,
});

export const repository = (o: Partial<RepositoryFacts> = {}): RepositoryFacts => ({
  kind: 'Repository',
  id: 'Repository',
  region: 'eu-west-1',
  tags: TAGS_OK,
  tagImmutable: true,
  scanOnPush: true,
  encryption: { type: 'KMS', kmsKey: CMK },
  hasLifecyclePolicy: true,
  policyStatements: [],
  ...o,
});

export const bucket = (o: Partial<BucketFacts> = {}): BucketFacts => ({
  kind: 'Bucket',
  id: 'Bucket',
  region: 'eu-west-1',
  tags: TAGS_OK,
  purpose: 'data-capture',
  encryption: { type: 'aws:kms', kmsKey: CMK },
  versioned: true,
  publicAcl: false,
  policyStatements: [],
  publicAccessBlocked: true,
  accessLogging: true,
  tlsOnly: true,
  expirationDays: 20,
  noncurrentExpirationDays: 5,
  ...o,
});

export const image = (o: Partial<ImageFacts> = {}): ImageFacts => ({
  kind: 'Image',
  id: 'arn:aws:ecr:eu-west-1:111122223333:repository/fraud@sha256:abc',
  repositoryName: 'fraud',
  digest: 'sha256:abc',
  imageTags: ['1.0.0'],
  scan: {
    status: 'COMPLETE',
    completedAt: '2026-02-28T12:00:00Z',
    findingSeverityCounts: { LOW: 3, MEDIUM: 1, UNDEFINED: 2 },
  },
  ...o,
});

/** Runs a rule and returns its verdict; a helper so each test reads as GIVEN facts, WHEN checked, THEN verdict. */
export function check(rule: Rule, facts: ResourceFacts, c: PolicyContext = ctx()): RuleResult {
  return rule.check(facts, c);
}
