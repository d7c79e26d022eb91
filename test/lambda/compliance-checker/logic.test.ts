import {
  endpointConfigFacts,
  endpointFacts,
  imageFacts,
  modelFacts,
  parseEcrImageUri,
  registryScansOnPush,
  repositoryFacts,
} from '../../../core/policy/from-aws';
import { Finding } from '../../../core/policy/rule';
import { batches, dedupeEvaluations, evaluation, MAX_ANNOTATION } from '../../../lambda/compliance-checker/config-rule';
import { classifyEvent, parsePipelineParameters } from '../../../lambda/compliance-checker/events';
import { gateDecision } from '../../../lambda/compliance-checker/gate';
import {
  buildReport,
  datedReportKey,
  newViolations,
  openViolationsOf,
} from '../../../lambda/compliance-checker/report';
import { parsePolicy, readSettings } from '../../../lambda/compliance-checker/settings';
import { KEY_ARN, NOW, POLICY } from '../../support/fake-account';

const ARN = 'arn:aws:sagemaker:eu-west-1:111111111111';

describe('from-aws adapter', () => {
  test('model: ARN id, region from the ARN, isolation default false, images, tags', () => {
    const f = modelFacts(
      {
        ModelName: 'm',
        ModelArn: `${ARN}:model/m`,
        PrimaryContainer: { Image: 'img:1' },
        Containers: [{ Image: 'img:2' }],
        VpcConfig: { Subnets: [], SecurityGroupIds: [] },
        ExecutionRoleArn: 'r',
        CreationTime: NOW,
      },
      [{ Key: 'Environment', Value: 'production' }],
    );
    expect(f).toEqual({
      kind: 'Model',
      id: `${ARN}:model/m`,
      name: 'm',
      region: 'eu-west-1',
      networkIsolation: false,
      images: ['img:1', 'img:2'],
      // Docker Hub library images: not from the project's ECR, by their tags.
      imageSources: [
        { uri: 'img:1', registryAccount: 'NOT_ECR', pin: { tag: '1' } },
        { uri: 'img:2', registryAccount: 'NOT_ECR', pin: { tag: '2' } },
      ],
      account: ARN.split(':')[4],
      executionRoleArn: 'r',
      tags: { Environment: 'production' },
    });
  });

  test('endpoint config: key lookup, data capture modes, models', () => {
    const f = endpointConfigFacts(
      {
        EndpointConfigName: 'c',
        EndpointConfigArn: `${ARN}:endpoint-config/c`,
        KmsKeyId: KEY_ARN,
        ProductionVariants: [{ VariantName: 'v', ModelName: 'm' }],
        DataCaptureConfig: {
          InitialSamplingPercentage: 5,
          DestinationS3Uri: 's3://b',
          CaptureOptions: [{ CaptureMode: 'Input' }],
        },
        CreationTime: NOW,
      },
      undefined,
      (k) => (k === KEY_ARN ? true : undefined),
    );
    expect(f.kmsKey).toEqual({ id: KEY_ARN, customerManaged: true });
    expect(f.dataCapture).toEqual({
      enabled: true,
      samplingPercent: 5,
      captureInput: true,
      captureOutput: false,
      destinationS3Uri: 's3://b',
    });
    expect(f.modelNames).toEqual(['m']);
    expect(f.tags).toBeUndefined();
  });

  test('endpoint: environment from the Environment tag, rollout from LastDeploymentConfig', () => {
    const f = endpointFacts(
      {
        EndpointName: 'e',
        EndpointArn: `${ARN}:endpoint/e`,
        EndpointConfigName: 'c',
        EndpointStatus: 'InService',
        CreationTime: NOW,
        LastModifiedTime: NOW,
        LastDeploymentConfig: {
          BlueGreenUpdatePolicy: { TrafficRoutingConfiguration: { Type: 'CANARY', WaitIntervalInSeconds: 60 } },
          AutoRollbackConfiguration: { Alarms: [{ AlarmName: 'a' }, { AlarmName: 'b' }] },
        },
      },
      [{ Key: 'Environment', Value: 'production' }],
    );
    expect(f).toMatchObject({
      environment: 'production',
      deployment: { strategy: 'CANARY', rollbackAlarmCount: 2 },
      endpointConfigName: 'c',
    });
  });

  test('repository: IMMUTABLE_WITH_EXCLUSION is not immutable; KMS without key = AWS-managed; enhanced scanning rules', () => {
    const repo = {
      repositoryName: 'r',
      repositoryArn: 'arn:aws:ecr:eu-west-1:111111111111:repository/r',
      imageTagMutability: 'IMMUTABLE_WITH_EXCLUSION' as const,
      imageScanningConfiguration: { scanOnPush: true },
      encryptionConfiguration: { encryptionType: 'KMS' as const },
    };
    const enhanced = {
      scanType: 'ENHANCED' as const,
      rules: [
        {
          scanFrequency: 'CONTINUOUS_SCAN' as const,
          repositoryFilters: [{ filter: 'r*', filterType: 'WILDCARD' as const }],
        },
      ],
    };
    expect(repositoryFacts(repo, { hasLifecyclePolicy: false })).toMatchObject({
      tagImmutable: false,
      scanOnPush: true,
      encryption: { type: 'KMS', kmsKey: { customerManaged: false } },
    });
    expect(
      repositoryFacts(repo, { hasLifecyclePolicy: true, registryScanning: { scanType: 'ENHANCED', rules: [] } })
        .scanOnPush,
    ).toBe(false);
    expect(registryScansOnPush(enhanced, 'repo')).toBe(true);
    expect(registryScansOnPush(enhanced, 'other')).toBe(false);
  });

  test('image: scan findings from DescribeImageScanFindings, UNTRIAGED folded into UNDEFINED', () => {
    const f = imageFacts(
      { repositoryName: 'r', imageDigest: 'sha256:1', imageTags: ['1.0.0'] },
      'arn:aws:ecr:eu-west-1:1:repository/r',
      {
        imageScanStatus: { status: 'COMPLETE' },
        imageScanFindings: {
          imageScanCompletedAt: NOW,
          findingSeverityCounts: { HIGH: 2, UNTRIAGED: 1 } as Record<string, number>,
        },
      },
    );
    expect(f).toMatchObject({
      id: 'arn:aws:ecr:eu-west-1:1:repository/r@sha256:1',
      scan: { status: 'COMPLETE', completedAt: NOW.toISOString(), findingSeverityCounts: { HIGH: 2, UNDEFINED: 1 } },
    });
    expect(imageFacts({ repositoryName: 'r', imageDigest: 'sha256:1' }, 'arn:x').scan).toBeUndefined();
  });

  test('ECR image URIs parse; other registries do not', () => {
    expect(parseEcrImageUri('111111111111.dkr.ecr.eu-west-1.amazonaws.com/team/model:1.2')).toEqual({
      registryId: '111111111111',
      region: 'eu-west-1',
      repositoryName: 'team/model',
      tag: '1.2',
    });
    expect(parseEcrImageUri('docker.io/library/nginx:1')).toBeUndefined();
  });
});

describe('events', () => {
  test('pipeline parameters: defaults failOn to LOW, rejects unknown keys and empty targets', () => {
    expect(parsePipelineParameters('{"endpointNames":["e"]}')).toEqual({ failOn: 'LOW', endpoints: ['e'] });
    expect(() => parsePipelineParameters('{"endpoint":["e"]}')).toThrow(/UserParameters\.endpoint: is not a known key/);
    expect(() => parsePipelineParameters('')).toThrow(/names nothing to gate/);
    expect(() => parsePipelineParameters('{"images":[{"repository":"r"}]}')).toThrow(
      /UserParameters\.images\[0\]: needs a tag or a sha256 digest \(received \{"repository":"r"\}\)/,
    );
    expect(() => parsePipelineParameters('{"modelNames":["m"],"failOn":"SEVERE"}')).toThrow(
      /UserParameters\.failOn: must be one of LOW, MEDIUM, HIGH, CRITICAL \(received "SEVERE"\)/,
    );
  });

  test('rejects a malformed Config rule event with every problem at once, each naming the field and the value', () => {
    // GIVEN an event with a bad timestamp, a resource id that is not a string, no rule id and an empty token
    const event = {
      invokingEvent: JSON.stringify({
        messageType: 'ConfigurationItemChangeNotification',
        notificationCreationTime: 'yesterday',
        configurationItem: { resourceType: 'AWS::SageMaker::Model', resourceId: 7 },
      }),
      ruleParameters: '{}',
      resultToken: '',
    };
    // WHEN / THEN
    expect(() => classifyEvent(event)).toThrow(
      new RegExp(
        [
          'Invalid AWS Config rule event: 4 problem\\(s\\)',
          '  - invokingEvent.notificationCreationTime: must be an ISO-8601 timestamp \\(received "yesterday"\\)',
          '  - invokingEvent.configurationItem.resourceId: must be a string \\(the resource id\\) \\(received 7\\)',
          '  - ruleParameters.ruleId: is required: must name a catalogue rule .* \\(received nothing\\)',
          '  - resultToken: must be a non-empty string \\(received ""\\)',
        ].join('\\n'),
      ),
    );
  });

  test('the oversized change notification reads configurationItemSummary', () => {
    const inv = classifyEvent({
      invokingEvent: JSON.stringify({
        messageType: 'OversizedConfigurationItemChangeNotification',
        configurationItemSummary: {
          resourceType: 'AWS::ECR::Repository',
          resourceId: 'r',
          configurationItemStatus: 'OK',
          configurationItemCaptureTime: NOW.toISOString(),
        },
      }),
      ruleParameters: '{"ruleId":"MLOPS-ECR-1"}',
      resultToken: 't',
    });
    expect(inv).toMatchObject({ kind: 'config', item: { resourceType: 'AWS::ECR::Repository', resourceId: 'r' } });
  });
});

describe('config rule logic', () => {
  test('annotation is truncated to 256 characters; batches hold at most 100; dedupe keeps the first', () => {
    const e = evaluation('Model', 'm', 'NON_COMPLIANT', 'x'.repeat(400), NOW);
    expect(e.Annotation).toHaveLength(MAX_ANNOTATION);
    expect(batches(Array.from({ length: 250 }, (_, i) => i)).map((b) => b.length)).toEqual([100, 100, 50]);
    const { unique, duplicates } = dedupeEvaluations([e, { ...e, ComplianceType: 'COMPLIANT' }]);
    expect(unique).toEqual([e]);
    expect(duplicates).toBe(1);
  });
});

const finding = (
  ruleId: string,
  resourceId: string,
  status: Finding['status'] = 'NON_COMPLIANT',
  severity: Finding['severity'] = 'HIGH',
): Finding => ({
  ruleId,
  resourceId,
  status,
  severity,
  reason: 'r',
  resourceKind: 'Model',
});

describe('report', () => {
  test('dated key is UTC and colon-free', () => {
    expect(datedReportKey(new Date('2026-01-02T03:04:05.678Z'))).toBe('reports/2026/01/02/2026-01-02T030405.678Z.json');
  });

  test('new violations are those not open before; duplicates in one run count once', () => {
    const now = [finding('A', 'x'), finding('A', 'y'), finding('A', 'y'), finding('B', 'x', 'COMPLIANT')];
    expect(newViolations(now, ['A|x']).map((f) => f.resourceId)).toEqual(['y']);
    expect(newViolations(now, undefined)).toHaveLength(2);
  });

  test('older reports without openViolations still give their open keys', () => {
    expect(openViolationsOf({ findings: [finding('A', 'x'), finding('B', 'y', 'COMPLIANT')] })).toEqual(['A|x']);
    expect(openViolationsOf('garbage')).toBeUndefined();
  });

  test('open violations carry over for resources that could not be read', () => {
    const r = buildReport({
      runId: 'r',
      at: NOW,
      policy: POLICY,
      resources: [],
      findings: [],
      errors: [
        {
          resourceKind: 'Model',
          resource: 'm',
          operation: 'op',
          code: 'AccessDenied',
          message: '',
          accessDenied: true,
        },
      ],
      notFound: [],
      previous: { openViolations: [`A|${ARN}:model/m`, `A|${ARN}:model/gone`] },
    });
    expect(r.openViolations).toEqual([`A|${ARN}:model/m`]);
  });
});

describe('gate', () => {
  test('fails on findings at or above failOn, passes below; messages within limits', () => {
    const findings = [
      finding('MLOPS-SM-2', 'm', 'NON_COMPLIANT', 'HIGH'),
      finding('MLOPS-TAG-1', 'm', 'NON_COMPLIANT', 'LOW'),
    ];
    expect(gateDecision(findings, [], [], 'CRITICAL')).toMatchObject({ passed: true });
    const d = gateDecision(findings, [], [], 'MEDIUM');
    expect(d.passed).toBe(false);
    expect(d.message).toMatch(/rules \[MLOPS-SM-2\]/);
    const many = Array.from({ length: 500 }, (_, i) => finding('MLOPS-SM-2', `resource-${i}`));
    expect(gateDecision(many, [], [], 'LOW').message.length).toBeLessThanOrEqual(5000);
  });
});

describe('settings', () => {
  const env = {
    POLICY_JSON: JSON.stringify(POLICY),
    REPORT_BUCKET: 'b',
    REPORT_KMS_KEY_ARN: KEY_ARN,
    ALERT_TOPIC_ARN: 'arn:aws:sns:eu-west-1:1:t',
    AWS_REGION: 'eu-west-1',
  };
  test('reads defaults', () => {
    expect(readSettings(env)).toMatchObject({
      concurrency: 8,
      imageScope: 'in-use',
      reportBucket: 'b',
      scanRegions: ['eu-west-1'],
    });
  });
  test('reads the scan regions and rejects a bad one naming the value', () => {
    // GIVEN two regions, then a typo
    // WHEN read
    // THEN the list is kept; the typo fails the cold start
    expect(readSettings({ ...env, SCAN_REGIONS: 'eu-west-1, us-east-1' }).scanRegions).toEqual([
      'eu-west-1',
      'us-east-1',
    ]);
    expect(() => readSettings({ ...env, SCAN_REGIONS: 'eu-west-1,euwest2' })).toThrow(/SCAN_REGIONS: .*"euwest2"/);
  });
  test('rejects a bad policy naming the field, the value and the fix', () => {
    expect(() => parsePolicy(JSON.stringify({ ...POLICY, maxCaptureSamplingPercent: 0 }))).toThrow(
      /POLICY_JSON\.maxCaptureSamplingPercent: must be an integer between 1 and 100 \(received 0\)/,
    );
    expect(() => readSettings({ ...env, SCAN_CONCURRENCY: 'lots' })).toThrow(
      /SCAN_CONCURRENCY: must be an integer between 1 and 64 \(received "lots"\)/,
    );
    expect(() => readSettings({ ...env, REPORT_BUCKET: '' })).toThrow(/REPORT_BUCKET: is required .*\(received ""\)/);
  });
});
