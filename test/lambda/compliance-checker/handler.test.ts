import { GetRoleCommand } from '@aws-sdk/client-iam';
import { PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { PutJobFailureResultCommand, PutJobSuccessResultCommand } from '@aws-sdk/client-codepipeline';
import { PutEvaluationsCommand } from '@aws-sdk/client-config-service';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import {
  DescribeEndpointCommand,
  ListEndpointsCommand,
  ListTagsCommand,
  SageMakerClient,
} from '@aws-sdk/client-sagemaker';
import { PublishCommand } from '@aws-sdk/client-sns';
import { rulesFor } from '../../../core/policy/catalogue';
import { clientConfig } from '../../../lambda/shared/clients';
import { ComplianceReport, LATEST_KEY } from '../../../lambda/compliance-checker/report';
import {
  ACCOUNT,
  compliantStack,
  configEvent,
  createAccount,
  deniedError,
  instantRetry,
  mockAccount,
  model,
  NOW,
  pipelineEvent,
  REGION,
  scheduledEvent,
} from '../../support/fake-account';

const latest = (objects: Map<string, string>) => JSON.parse(objects.get(LATEST_KEY) as string) as ComplianceReport;

describe('client configuration: throttling', () => {
  test('a throttled call is retried by the SDK with the explicit retry settings, then succeeds', async () => {
    // GIVEN a real client built by clientConfig (the SDK's adaptive strategy, no waits) whose transport throttles twice
    const cfg = clientConfig(
      {
        region: REGION,
        endpoint: 'http://localhost:1',
        credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
        retryStrategy: instantRetry(5),
      },
      {},
    );
    expect(cfg).toMatchObject({ retryMode: 'adaptive', maxAttempts: 5 });
    let calls = 0;
    const requestHandler = {
      handle: async () => {
        calls += 1;
        const throttled = calls <= 2;
        const body = throttled ? '{"__type":"ThrottlingException","message":"Rate exceeded"}' : '{"Endpoints":[]}';
        return {
          response: {
            statusCode: throttled ? 400 : 200,
            reason: '',
            headers: {
              'content-type': 'application/x-amz-json-1.1',
              ...(throttled ? { 'x-amzn-errortype': 'ThrottlingException' } : {}),
            },
            body: Buffer.from(body),
          },
        };
      },
    };
    const client = new SageMakerClient({ ...cfg, requestHandler: requestHandler as never });
    // WHEN
    const out = await client.send(new ListEndpointsCommand({}));
    // THEN
    expect(out.Endpoints).toEqual([]);
    expect(calls).toBe(3);
    expect(out.$metadata.attempts).toBe(3);
  });

  test('fails with the service error once maxAttempts attempts were throttled', async () => {
    // GIVEN a client allowed 3 attempts whose transport always throttles
    let calls = 0;
    const cfg = clientConfig(
      { region: REGION, endpoint: 'http://localhost:1', maxAttempts: 3, retryStrategy: instantRetry(3) },
      { AWS_ACCESS_KEY_ID: 'a', AWS_SECRET_ACCESS_KEY: 'b' },
    );
    const requestHandler = {
      handle: async () => {
        calls += 1;
        return {
          response: {
            statusCode: 400,
            reason: '',
            headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-errortype': 'ThrottlingException' },
            body: Buffer.from('{"__type":"ThrottlingException","message":"Rate exceeded"}'),
          },
        };
      },
    };
    const client = new SageMakerClient({
      ...cfg,
      credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
      requestHandler: requestHandler as never,
    });
    // WHEN / THEN the third throttled attempt is the last
    await expect(client.send(new ListEndpointsCommand({}))).rejects.toMatchObject({ name: 'ThrottlingException' });
    expect(calls).toBe(3);
  });
});

describe('scheduled scan', () => {
  test('follows every page of the list calls', async () => {
    // GIVEN 5 endpoints, listed 2 per page
    const account = createAccount();
    for (const n of ['a', 'b', 'c', 'd', 'e']) compliantStack(account, n);
    const { handler, mocks } = mockAccount(account);
    // WHEN
    const result = await handler(scheduledEvent());
    // THEN 3 pages of endpoints, and every endpoint described exactly once
    expect(mocks.sm.commandCalls(ListEndpointsCommand)).toHaveLength(3);
    const described = mocks.sm
      .commandCalls(DescribeEndpointCommand)
      .map((c) => c.args[0].input.EndpointName)
      .sort();
    expect(described).toEqual(['a', 'b', 'c', 'd', 'e']);
    // AND the role the five models share is read once
    expect(mocks.iam.commandCalls(GetRoleCommand)).toHaveLength(1);
    expect(result).toMatchObject({
      kind: 'scheduled',
      resources: 5 * 3 + 4 /* repository, image, the customer-managed key and the models' one role */,
    });
  });

  test('drops a resource deleted between list and describe, counts it, and judges the rest', async () => {
    // GIVEN endpoint "gone" disappears after it was listed
    const account = createAccount();
    compliantStack(account, 'kept');
    compliantStack(account, 'gone');
    account.vanishing.add('gone');
    const { handler, logger } = mockAccount(account);
    // WHEN
    const result = await handler(scheduledEvent());
    // THEN
    expect(result).toMatchObject({ kind: 'scheduled', errors: 0 });
    const report = latest(account.objects);
    expect(report.notFound).toEqual([{ resourceKind: 'Endpoint', resource: 'gone' }]);
    expect(report.counts.notFound).toBe(1);
    expect(report.findings.some((f) => f.resourceName === 'gone')).toBe(false);
    expect(report.findings.some((f) => f.resourceName === 'kept')).toBe(true);
    expect(
      logger.lines.some(
        (l) => l.message === 'resource not found (deleted during the scan?); dropped' && l.resource === 'gone',
      ),
    ).toBe(true);
  });

  test('records access denied on one resource as an explicit error entry and still judges the others', async () => {
    // GIVEN DescribeModel is denied for one model
    const account = createAccount();
    compliantStack(account, 'ok');
    model('secret', {}, account);
    account.failures.set('secret', deniedError());
    const { handler } = mockAccount(account);
    // WHEN
    const result = await handler(scheduledEvent());
    // THEN
    expect(result).toMatchObject({ kind: 'scheduled', errors: 1 });
    const report = latest(account.objects);
    expect(report.errors).toEqual([
      expect.objectContaining({
        resourceKind: 'Model',
        resource: 'secret',
        operation: 'sagemaker:DescribeModel',
        code: 'AccessDeniedException',
        accessDenied: true,
      }),
    ]);
    expect(report.findings.filter((f) => f.resourceName === 'ok-model').length).toBeGreaterThan(0);
  });

  test('writes dated and latest reports with SSE-KMS and publishes one metric per run-time rule (0 when compliant)', async () => {
    const account = createAccount();
    compliantStack(account, 'a');
    const { handler, mocks } = mockAccount(account);
    await handler(scheduledEvent(), { awsRequestId: 'req-1' });
    const puts = mocks.s3.commandCalls(PutObjectCommand).map((c) => c.args[0].input);
    expect(puts.map((p) => p.Key)).toEqual(['reports/2026/03/01/2026-03-01T120000.000Z.json', LATEST_KEY]);
    for (const p of puts)
      expect(p).toMatchObject({ ServerSideEncryption: 'aws:kms', SSEKMSKeyId: expect.stringContaining('arn:aws:kms') });
    const data = mocks.cw.commandCalls(PutMetricDataCommand).flatMap((c) => c.args[0].input.MetricData ?? []);
    const perRule = data.filter((d) => d.MetricName === 'NonCompliantResources');
    expect(perRule.map((d) => d.Dimensions?.[0]?.Value).sort()).toEqual(
      rulesFor('run')
        .map((r) => r.id)
        .sort(),
    );
    expect(
      mocks.cw.commandCalls(PutMetricDataCommand).every((c) => c.args[0].input.Namespace === 'MLOps/Compliance'),
    ).toBe(true);
    expect(latest(account.objects)).toMatchObject({ runId: 'req-1', generatedAt: NOW.toISOString(), region: REGION });
  });

  test('notifies only new violations, and a re-run with no change sends nothing', async () => {
    // GIVEN one model without network isolation
    const account = createAccount();
    compliantStack(account, 'a', { isolation: false });
    const { handler, mocks } = mockAccount(account);
    // WHEN run twice
    const first = await handler(scheduledEvent());
    const second = await handler(scheduledEvent());
    // THEN the first run notifies, the second (no change) does not
    expect(first).toMatchObject({ notified: true });
    expect(second).toMatchObject({ notified: false, newViolations: 0 });
    expect(mocks.sns.commandCalls(PublishCommand)).toHaveLength(1);
    expect(mocks.sns.commandCalls(PublishCommand)[0]?.args[0].input.Message).toContain('MLOPS-SM-2');

    // WHEN a second non-isolated model appears
    compliantStack(account, 'b', { isolation: false });
    await handler(scheduledEvent());
    // THEN only its violation is announced
    const third = mocks.sns.commandCalls(PublishCommand)[1]?.args[0].input.Message ?? '';
    expect(third).toContain('b-model');
    expect(third).not.toContain('a-model');
  });

  test('a violation on a resource that could not be read stays open: no re-alert when it is readable again', async () => {
    const account = createAccount();
    compliantStack(account, 'a', { isolation: false });
    const { handler, mocks } = mockAccount(account);
    await handler(scheduledEvent());
    account.failures.set('a-model', deniedError());
    await handler(scheduledEvent());
    account.failures.delete('a-model');
    await handler(scheduledEvent());
    expect(mocks.sns.commandCalls(PublishCommand)).toHaveLength(1);
  });
});

describe('malformed events', () => {
  test.each([
    ['null', null],
    ['a string', 'hello'],
    ['an unknown shape', { foo: 1 }],
    [
      'Config event with invalid invokingEvent JSON',
      { invokingEvent: '{nope', ruleParameters: '{"ruleId":"MLOPS-SM-2"}', resultToken: 't' },
    ],
    ['Config event without ruleId', configEvent('', { messageType: 'ScheduledNotification' })],
    ['Config event with an unknown messageType', configEvent('MLOPS-SM-2', { messageType: 'Other' })],
    ['Config event for an unknown rule', configEvent('MLOPS-NOPE-9', { messageType: 'ScheduledNotification' })],
    ['CodePipeline job without an id', { 'CodePipeline.job': { data: {} } }],
  ])('rejects %s with a clear result instead of throwing', async (_label, event) => {
    const { handler, mocks, logger } = mockAccount(createAccount());
    const result = await handler(event);
    expect(result.kind).toBe('rejected');
    expect((result as { error: string }).error.length).toBeGreaterThan(10);
    expect(mocks.config.commandCalls(PutEvaluationsCommand)).toHaveLength(0);
    expect(logger.lines.some((l) => l.level === 'ERROR' && l.message === 'rejected invocation: malformed event')).toBe(
      true,
    );
  });
});

describe('AWS Config custom rule', () => {
  test('periodic: 250 models are reported in 3 PutEvaluations calls of at most 100, each resource once', async () => {
    const account = createAccount();
    account.pageSize = 100;
    for (let i = 0; i < 250; i += 1) model(`m-${String(i).padStart(3, '0')}`, { isolation: i % 2 === 0 }, account);
    const { handler, mocks } = mockAccount(account);
    const result = await handler(
      configEvent('MLOPS-SM-2', { messageType: 'ScheduledNotification', notificationCreationTime: NOW.toISOString() }),
    );
    const calls = mocks.config.commandCalls(PutEvaluationsCommand).map((c) => c.args[0].input);
    expect(calls.map((c) => c.Evaluations?.length)).toEqual([100, 100, 50]);
    const ids = calls.flatMap((c) => c.Evaluations ?? []).map((e) => e.ComplianceResourceId);
    expect(new Set(ids).size).toBe(250);
    const evals = calls.flatMap((c) => c.Evaluations ?? []);
    expect(evals.filter((e) => e.ComplianceType === 'NON_COMPLIANT')).toHaveLength(125);
    expect(evals[0]).toMatchObject({ ComplianceResourceType: 'AWS::SageMaker::Model', OrderingTimestamp: NOW });
    expect(calls.every((c) => c.ResultToken === 'token-1' && c.TestMode === undefined)).toBe(true);
    expect(result).toMatchObject({ kind: 'config', evaluations: 250, calls: 3 });
  });

  test('change notification: judges the one resource named by the configuration item, with its Config id', async () => {
    const account = createAccount();
    model('solo', { isolation: false }, account);
    model('other', {}, account);
    const { handler, mocks } = mockAccount(account);
    await handler(
      configEvent('MLOPS-SM-2', {
        messageType: 'ConfigurationItemChangeNotification',
        configurationItem: {
          resourceType: 'AWS::SageMaker::Model',
          resourceId: 'solo',
          resourceName: 'solo',
          configurationItemStatus: 'OK',
          configurationItemCaptureTime: '2026-03-01T11:00:00.000Z',
        },
        notificationCreationTime: NOW.toISOString(),
      }),
    );
    const evals = mocks.config.commandCalls(PutEvaluationsCommand).flatMap((c) => c.args[0].input.Evaluations ?? []);
    expect(evals).toEqual([
      expect.objectContaining({
        ComplianceResourceType: 'AWS::SageMaker::Model',
        ComplianceResourceId: 'solo',
        ComplianceType: 'NON_COMPLIANT',
        OrderingTimestamp: new Date('2026-03-01T11:00:00.000Z'),
      }),
    ]);
    expect((evals[0]?.Annotation ?? '').length).toBeLessThanOrEqual(256);
  });

  test('change notification of a deleted resource reports NOT_APPLICABLE without describing it; TESTMODE sets TestMode', async () => {
    const { handler, mocks } = mockAccount(createAccount());
    await handler(
      configEvent(
        'MLOPS-SM-2',
        {
          messageType: 'ConfigurationItemChangeNotification',
          configurationItem: {
            resourceType: 'AWS::SageMaker::Model',
            resourceId: 'old',
            configurationItemStatus: 'ResourceDeleted',
            configurationItemCaptureTime: NOW.toISOString(),
          },
          notificationCreationTime: NOW.toISOString(),
        },
        'TESTMODE',
      ),
    );
    const [call] = mocks.config.commandCalls(PutEvaluationsCommand).map((c) => c.args[0].input);
    expect(call).toMatchObject({
      TestMode: true,
      ResultToken: 'TESTMODE',
      Evaluations: [expect.objectContaining({ ComplianceResourceId: 'old', ComplianceType: 'NOT_APPLICABLE' })],
    });
    expect(mocks.sm.calls()).toHaveLength(0);
  });

  test('FailedEvaluations are retried once; success on the retry completes the call', async () => {
    const account = createAccount();
    model('a', {}, account);
    model('b', {}, account);
    const { handler, mocks } = mockAccount(account);
    mocks.config
      .on(PutEvaluationsCommand)
      .resolvesOnce({
        FailedEvaluations: [
          {
            ComplianceResourceType: 'AWS::SageMaker::Model',
            ComplianceResourceId: 'b',
            ComplianceType: 'COMPLIANT',
            OrderingTimestamp: NOW,
          },
        ],
      })
      .resolves({ FailedEvaluations: [] });
    const result = await handler(
      configEvent('MLOPS-SM-2', { messageType: 'ScheduledNotification', notificationCreationTime: NOW.toISOString() }),
    );
    const calls = mocks.config
      .commandCalls(PutEvaluationsCommand)
      .map((c) => c.args[0].input.Evaluations?.map((e) => e.ComplianceResourceId));
    expect(calls).toEqual([['a', 'b'], ['b']]);
    expect(result).toMatchObject({ calls: 2 });
  });

  test('fails loudly when evaluations still fail after the retry', async () => {
    const account = createAccount();
    model('a', {}, account);
    const { handler, mocks } = mockAccount(account);
    mocks.config.on(PutEvaluationsCommand).resolves({
      FailedEvaluations: [
        {
          ComplianceResourceType: 'AWS::SageMaker::Model',
          ComplianceResourceId: 'a',
          ComplianceType: 'COMPLIANT',
          OrderingTimestamp: NOW,
        },
      ],
    });
    await expect(handler(configEvent('MLOPS-SM-2', { messageType: 'ScheduledNotification' }))).rejects.toThrow(
      /PutEvaluations failed for 1 evaluation\(s\) after one retry: AWS::SageMaker::Model\/a/,
    );
    expect(mocks.config.commandCalls(PutEvaluationsCommand)).toHaveLength(2);
  });

  test('fails the invocation (retried) on an unreadable resource after reporting the others, never guessing it', async () => {
    const account = createAccount();
    model('a', {}, account);
    model('b', {}, account);
    account.failures.set('b', deniedError());
    const { handler, mocks, logger } = mockAccount(account);
    // WHEN the periodic evaluation runs
    const run = handler(configEvent('MLOPS-SM-2', { messageType: 'ScheduledNotification' }));
    // THEN the invocation fails (so Lambda retries it, then the dead-letter topic alerts), naming the resource
    await expect(run).rejects.toThrow(
      /could not evaluate 1 resource\(s\); retrying: Model b \(sagemaker:DescribeModel AccessDeniedException\)/,
    );
    // AND the readable resource was still reported, the unreadable one never guessed
    const ids = mocks.config
      .commandCalls(PutEvaluationsCommand)
      .flatMap((c) => c.args[0].input.Evaluations ?? [])
      .map((e) => e.ComplianceResourceId);
    expect(ids).toEqual(['a']);
    expect(
      logger.lines.some(
        (l) => l.level === 'ERROR' && String(l.message).startsWith('resources not evaluated: they could not be read'),
      ),
    ).toBe(true);
  });
});

describe('CodePipeline gate', () => {
  test('passes with PutJobSuccessResult when the named endpoint, its config, model and image comply', async () => {
    const account = createAccount();
    compliantStack(account, 'fraud');
    const { handler, mocks } = mockAccount(account);
    const result = await handler(
      pipelineEvent({ endpointNames: ['fraud'], images: [{ repository: 'models', tag: '1.0.0' }] }),
    );
    expect(result).toMatchObject({ kind: 'pipeline', passed: true });
    expect(mocks.cp.commandCalls(PutJobSuccessResultCommand)).toHaveLength(1);
    expect(mocks.cp.commandCalls(PutJobSuccessResultCommand)[0]?.args[0].input).toMatchObject({ jobId: 'job-1' });
    expect(mocks.cp.commandCalls(PutJobFailureResultCommand)).toHaveLength(0);
  });

  test('fails with PutJobFailureResult naming the failed rule and resource', async () => {
    const account = createAccount();
    compliantStack(account, 'fraud', { isolation: false });
    const { handler, mocks } = mockAccount(account);
    const result = await handler(pipelineEvent({ endpointNames: ['fraud'] }));
    expect(result).toMatchObject({ passed: false });
    const input = mocks.cp.commandCalls(PutJobFailureResultCommand)[0]?.args[0].input;
    expect(input?.failureDetails?.type).toBe('JobFailed');
    expect(input?.failureDetails?.message).toMatch(/MLOPS-SM-2.*fraud-model/s);
    expect((input?.failureDetails?.message ?? '').length).toBeLessThanOrEqual(5000);
    expect(mocks.cp.commandCalls(PutJobSuccessResultCommand)).toHaveLength(0);
  });

  test('failOn CRITICAL lets a HIGH finding through', async () => {
    const account = createAccount();
    compliantStack(account, 'fraud', { isolation: false });
    const { handler, mocks } = mockAccount(account);
    await handler(pipelineEvent({ endpointNames: ['fraud'], failOn: 'CRITICAL' }));
    expect(mocks.cp.commandCalls(PutJobSuccessResultCommand)).toHaveLength(1);
  });

  test('fails the job when a named endpoint does not exist', async () => {
    const { handler, mocks } = mockAccount(createAccount());
    await handler(pipelineEvent({ endpointNames: ['missing'] }));
    expect(mocks.cp.commandCalls(PutJobFailureResultCommand)[0]?.args[0].input.failureDetails?.message).toMatch(
      /not found: Endpoint missing/,
    );
  });

  test('fails the job (not the Lambda) on malformed UserParameters', async () => {
    const { handler, mocks } = mockAccount(createAccount());
    const result = await handler(pipelineEvent('{"endpointNames": "not-a-list"}'));
    expect(result).toMatchObject({ kind: 'pipeline', passed: false });
    expect(mocks.cp.commandCalls(PutJobFailureResultCommand)[0]?.args[0].input.failureDetails?.message).toMatch(
      /Invalid UserParameters: 1 problem\(s\)\n {2}- UserParameters\.endpointNames: must be an array/,
    );
  });

  test('an unexpected error still gives the job a failure result', async () => {
    const account = createAccount();
    compliantStack(account, 'fraud');
    const { handler, mocks } = mockAccount(account);
    mocks.sm.on(ListTagsCommand).rejects(new TypeError('socket hang up'));
    mocks.cp.on(PutJobSuccessResultCommand).rejects(new Error('boom: network'));
    const result = await handler(pipelineEvent({ endpointNames: ['fraud'] }));
    expect(result).toMatchObject({ passed: false });
    expect(mocks.cp.commandCalls(PutJobFailureResultCommand)).toHaveLength(1);
  });

  test('an error while reporting success turns into a failure result', async () => {
    const account = createAccount();
    compliantStack(account, 'fraud');
    const { handler, mocks } = mockAccount(account);
    mocks.cp.on(PutJobSuccessResultCommand).rejects(new Error('boom: network'));
    const result = await handler(pipelineEvent({ endpointNames: ['fraud'] }));
    expect(result).toMatchObject({ passed: false, message: expect.stringContaining('boom: network') });
    expect(mocks.cp.commandCalls(PutJobFailureResultCommand)).toHaveLength(1);
  });
});

test('fake account uses the documented account id', () => {
  expect(ACCOUNT).toMatch(/^\d{12}$/);
});

describe('logging', () => {
  const context = { awsRequestId: 'c0ffee00-0000-4000-8000-000000000002', functionName: 'checker' };

  test('every line of a scheduled run carries the Lambda request id, which is also the run id', async () => {
    // GIVEN an account with one endpoint stack and a fake Lambda context
    const account = createAccount();
    compliantStack(account, 'fraud');
    const { handler, logger } = mockAccount(account);
    // WHEN the scheduled scan runs
    const result = await handler(scheduledEvent(), context);
    // THEN every line the invocation wrote names its request id
    expect(result).toMatchObject({ kind: 'scheduled', runId: context.awsRequestId });
    expect(logger.lines.length).toBeGreaterThan(3);
    for (const line of logger.lines) {
      expect(line).toMatchObject({ function_request_id: context.awsRequestId, runId: context.awsRequestId });
    }
  });

  test('a failed invocation logs the error with its stack and the request id', async () => {
    // GIVEN the report bucket cannot be read
    const { handler, logger, mocks } = mockAccount(createAccount());
    mocks.s3.on(GetObjectCommand).rejects(new TypeError('socket hang up'));
    // WHEN the scheduled scan runs
    await expect(handler(scheduledEvent(), context)).rejects.toThrow('socket hang up');
    // THEN the error line keeps the stack
    const line = logger.lines.find((l) => l.message === 'invocation failed') as { error: { stack: string } };
    expect(line).toMatchObject({ level: 'ERROR', function_request_id: context.awsRequestId });
    expect(line.error.stack).toMatch(/^TypeError: socket hang up\n {4}at /);
  });
});
