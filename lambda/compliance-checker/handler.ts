/**
 * The compliance checker: one function, three ways in (AWS Config custom rule, EventBridge schedule, CodePipeline
 * action), all judging live facts with the one rule catalogue (lib/policy). `makeHandler(deps)` takes its clients,
 * settings, logger and clock from the caller so tests inject them.
 */
import type { ResourceGroupsTaggingAPIClient } from '@aws-sdk/client-resource-groups-tagging-api';
import { randomUUID } from 'node:crypto';
import type { CloudWatchClient, MetricDatum } from '@aws-sdk/client-cloudwatch';
import type { CodePipelineClient } from '@aws-sdk/client-codepipeline';
import type { ConfigServiceClient, Evaluation } from '@aws-sdk/client-config-service';
import type { ECRClient } from '@aws-sdk/client-ecr';
import type { KMSClient } from '@aws-sdk/client-kms';
import type { S3Client } from '@aws-sdk/client-s3';
import type { SageMakerClient } from '@aws-sdk/client-sagemaker';
import type { SNSClient } from '@aws-sdk/client-sns';
import { COMPLIANCE_METRIC_NAMESPACE, COMPLIANCE_METRICS } from '../../lib/contracts/compliance-checker';
import { evaluate, ruleById, rulesFor } from '../../lib/policy/catalogue';
import { PolicyContext } from '../../lib/policy/context';
import { ResourceKind } from '../../lib/policy/facts';
import { configKindsOf, kindOfConfigType } from '../../lib/policy/from-aws';
import { awsErrorName, InputError } from '../shared/errors';
import { Logger } from '../shared/logger';
import { CollectorClients, CollectResult, Collector, NotFound, ScanError } from './collect';
import { batches, dedupeEvaluations, evaluateForConfig, evaluation, evaluationKey } from './config-rule';
import { ConfigInvocation, classifyEvent, PipelineInvocation } from './events';
import { gateDecision } from './gate';
import {
  buildReport,
  datedReportKey,
  LATEST_KEY,
  newViolations,
  notification,
  PreviousReport,
  previousReportOf,
  ruleMetrics,
} from './report';
import { CheckerSettings } from './settings';
import { sdk } from './sdk';

export interface CheckerClients {
  readonly sagemaker: SageMakerClient;
  readonly ecr: ECRClient;
  readonly kms: KMSClient;
  readonly s3: S3Client;
  readonly cloudwatch: CloudWatchClient;
  readonly sns: SNSClient;
  readonly config: ConfigServiceClient;
  readonly codepipeline: CodePipelineClient;
  /** Batched tag reads for scheduled scans (tag:GetResources); without it tags are read per resource. */
  readonly tagging?: ResourceGroupsTaggingAPIClient;
}

export interface HandlerDeps {
  readonly clients: CheckerClients;
  readonly settings: CheckerSettings;
  readonly logger: Logger;
  /** @default () => new Date() */
  readonly clock?: () => Date;
  /** The checker's own region (its clients' region), written into the report. @default - not recorded */
  readonly region?: string;
  /**
   * Clients for another region of `settings.scanRegions`, created on first use (index.ts memoizes them).
   * @default - `clients` for every region (tests with one emulator)
   */
  readonly clientsFor?: (region: string) => CollectorClients;
}

/**
 * Some resources a Config change notification named could not be read: the evaluations that could be made were
 * sent, and the invocation fails so Lambda retries it (then the dead-letter topic alerts on-call). AWS Config does
 * not accept INSUFFICIENT_DATA from custom rules, so a failed invocation is the honest "could not evaluate".
 */
export class UnreadableResourcesError extends Error {
  constructor(readonly errors: readonly ScanError[]) {
    super(
      `could not evaluate ${errors.length} resource(s); retrying: ` +
        errors.map((e) => `${e.resourceKind} ${e.resource} (${e.operation} ${e.code})`).join(', '),
    );
    this.name = 'UnreadableResourcesError';
  }
}

/** What the Lambda context gives the handler; only the request id is read. */
export interface InvocationContext {
  readonly awsRequestId?: string;
}

export type CheckerResult =
  | { readonly kind: 'rejected'; readonly error: string }
  | {
      readonly kind: 'config';
      readonly ruleId: string;
      readonly evaluations: number;
      readonly calls: number;
      readonly errors: ScanError[];
      readonly notFound: NotFound[];
    }
  | {
      readonly kind: 'scheduled';
      readonly runId: string;
      readonly reportKey: string;
      readonly resources: number;
      readonly nonCompliant: number;
      readonly newViolations: number;
      readonly notified: boolean;
      readonly errors: number;
    }
  | { readonly kind: 'pipeline'; readonly jobId: string; readonly passed: boolean; readonly message: string };

/** Config's documented token for test invocations; PutEvaluations then needs TestMode. */
const TEST_TOKEN = 'TESTMODE';
const METRICS_PER_CALL = 20;

export function makeHandler(
  deps: HandlerDeps,
): (event: unknown, context?: InvocationContext) => Promise<CheckerResult> {
  const { clients, settings } = deps;
  const clock = deps.clock ?? (() => new Date());
  const home = deps.region;
  const regionalClients = (region: string): CollectorClients =>
    region === home || deps.clientsFor === undefined ? clients : deps.clientsFor(region);
  const collector = (logger: Logger, region?: string) =>
    new Collector(region === undefined ? clients : regionalClients(region), logger, {
      concurrency: settings.concurrency,
      imageScope: settings.imageScope,
      productionEnvironments: settings.policy.productionEnvironments,
      ...(region !== undefined ? { region } : {}),
      s3For: (r) => regionalClients(r).s3 ?? clients.s3,
    });

  async function onConfig(inv: ConfigInvocation, logger: Logger): Promise<CheckerResult> {
    const rule = ruleById(inv.ruleId);
    if (!rule || !rule.stages.includes('run')) {
      const known = rulesFor('run')
        .map((r) => r.id)
        .join(', ');
      throw new InputError(`ruleParameters.ruleId "${inv.ruleId}" is not a run-time catalogue rule; known: [${known}]`);
    }
    const kinds = configKindsOf(rule.appliesTo);
    const ctx: PolicyContext = { policy: settings.policy, now: clock() };
    let evals: Evaluation[];
    let scan: CollectResult = { resources: [], errors: [], notFound: [] };
    if (inv.item) {
      const { item } = inv;
      const kind = kindOfConfigType(item.resourceType);
      const at = item.captureTime;
      if (kind === undefined || !kinds.includes(kind)) {
        // Config only sends in-scope types; answer anyway so the resource never shows "no result".
        evals =
          kind === undefined
            ? []
            : [
                evaluation(
                  kind,
                  item.resourceId,
                  'NOT_APPLICABLE',
                  `${rule.id} does not apply to ${item.resourceType}`,
                  at,
                ),
              ];
        if (kind === undefined)
          logger.warn('configuration item of a type the checker does not read; ignored', {
            resourceType: item.resourceType,
          });
      } else if (item.status === 'ResourceDeleted' || item.status === 'ResourceDeletedNotRecorded') {
        evals = [evaluation(kind, item.resourceId, 'NOT_APPLICABLE', 'the resource was deleted', at)];
      } else {
        const name = item.resourceName ?? item.resourceId;
        const targets =
          kind === 'Endpoint'
            ? { endpoints: [name] }
            : kind === 'EndpointConfig'
              ? { endpointConfigs: [name] }
              : kind === 'Model'
                ? { models: [name] }
                : { repositories: [name] };
        scan = await collector(logger).collectTargets(targets, { withDependencies: false });
        const judged = evaluateForConfig(
          rule,
          scan.resources.filter((r) => r.kind === kind),
          ctx,
          at,
        )
          // Config knows the resource by the id in its configuration item: answer with exactly that id.
          .map((e) => ({ ...e, ComplianceResourceId: item.resourceId }));
        evals =
          judged.length > 0 || scan.errors.length > 0
            ? judged
            : [evaluation(kind, item.resourceId, 'NOT_APPLICABLE', 'the resource no longer exists', at)];
      }
    } else {
      scan = await collector(logger).collectAll(new Set<ResourceKind>(kinds));
      evals = evaluateForConfig(rule, scan.resources, ctx, inv.notificationTime);
    }
    const { unique, duplicates } = dedupeEvaluations(evals);
    if (duplicates > 0) logger.warn('duplicate evaluations dropped', { duplicates });
    const calls = await putEvaluations(unique, inv.resultToken, logger);
    if (scan.errors.length > 0) {
      logger.error('resources not evaluated: they could not be read; failing the invocation so it is retried', {
        ruleId: rule.id,
        errors: scan.errors,
      });
      throw new UnreadableResourcesError(scan.errors);
    }
    logger.info('config evaluations reported', {
      ruleId: rule.id,
      evaluations: unique.length,
      calls,
      errors: scan.errors.length,
    });
    return {
      kind: 'config',
      ruleId: rule.id,
      evaluations: unique.length,
      calls,
      errors: scan.errors,
      notFound: scan.notFound,
    };
  }

  /** Sends in batches of 100; evaluations Config reports as failed are retried once, then the invocation fails. */
  async function putEvaluations(evals: Evaluation[], resultToken: string, logger: Logger): Promise<number> {
    const testMode = resultToken === TEST_TOKEN;
    let calls = 0;
    const send = async (list: Evaluation[]): Promise<Evaluation[]> => {
      const failed: Evaluation[] = [];
      for (const batch of batches(list)) {
        calls += 1;
        const out = await clients.config.send(
          new (sdk.config().PutEvaluationsCommand)({
            Evaluations: batch,
            ResultToken: resultToken,
            ...(testMode ? { TestMode: true } : {}),
          }),
        );
        failed.push(...(out.FailedEvaluations ?? []));
      }
      return failed;
    };
    if (evals.length === 0) {
      // Config rejects an empty Evaluations list; nothing to report is not an error.
      logger.info('no resources in scope; nothing to report');
      return 0;
    }
    const failed = await send(evals);
    if (failed.length === 0) return calls;
    const byKey = new Map(evals.map((e) => [evaluationKey(e), e]));
    const retry = dedupeEvaluations(failed.map((f) => byKey.get(evaluationKey(f)) ?? f)).unique;
    logger.warn('PutEvaluations reported failed evaluations; retrying them once', { failed: retry.length });
    const stillFailed = await send(retry);
    if (stillFailed.length > 0) {
      const ids = stillFailed.map((e) => `${e.ComplianceResourceType}/${e.ComplianceResourceId}`);
      throw new Error(
        `PutEvaluations failed for ${stillFailed.length} evaluation(s) after one retry: ${ids.join(', ')}`,
      );
    }
    return calls;
  }

  async function readPrevious(logger: Logger): Promise<PreviousReport | undefined> {
    try {
      const out = await clients.s3.send(
        new (sdk.s3().GetObjectCommand)({ Bucket: settings.reportBucket, Key: LATEST_KEY }),
      );
      const text = (await out.Body?.transformToString()) ?? '';
      try {
        return previousReportOf(JSON.parse(text));
      } catch {
        logger.warn('previous report is not valid JSON; every current violation counts as new', { key: LATEST_KEY });
        return undefined;
      }
    } catch (err) {
      if (awsErrorName(err) === 'NoSuchKey') return undefined;
      throw err;
    }
  }

  async function putJson(key: string, body: unknown): Promise<void> {
    await clients.s3.send(
      new (sdk.s3().PutObjectCommand)({
        Bucket: settings.reportBucket,
        Key: key,
        Body: JSON.stringify(body, null, 2),
        ContentType: 'application/json',
        ServerSideEncryption: 'aws:kms',
        SSEKMSKeyId: settings.reportKmsKeyArn,
        BucketKeyEnabled: true,
      }),
    );
  }

  async function onSchedule(runId: string, logger: Logger): Promise<CheckerResult> {
    const at = clock();
    // The previous report first: if it cannot be read (other than "none yet"), the run fails and is retried
    // rather than announcing every open violation as new.
    const previous = await readPrevious(logger);
    const regions = settings.scanRegions;
    const scans: CollectResult[] = [];
    for (const region of regions) {
      logger.info('scanning region', { region, of: regions.length });
      scans.push(await collector(logger, region).collectAll());
    }
    scans.push(await collector(logger, home).collectBuckets());
    const scan: CollectResult = {
      resources: scans.flatMap((s) => s.resources),
      errors: scans.flatMap((s) => s.errors),
      notFound: scans.flatMap((s) => s.notFound),
    };
    const findings = evaluate(scan.resources, { policy: settings.policy, now: at }, 'run');
    const report = buildReport({
      runId,
      at,
      ...(deps.region ? { region: deps.region } : {}),
      regions,
      policy: settings.policy,
      resources: scan.resources,
      findings,
      errors: scan.errors,
      notFound: scan.notFound,
      rules: rulesFor('run'),
      ...(previous ? { previous } : {}),
    });
    const fresh = newViolations(findings, previous?.openViolations);
    const reportKey = datedReportKey(at);
    await putJson(reportKey, report);

    const data: MetricDatum[] = ruleMetrics(rulesFor('run'), findings, report.staleFindings, report.notEvaluated).map(
      (m) => ({
        MetricName: COMPLIANCE_METRICS.NON_COMPLIANT,
        Dimensions: [{ Name: 'RuleId', Value: m.ruleId }],
        Value: m.value,
        Unit: 'Count',
        Timestamp: at,
      }),
    );
    data.push({ MetricName: COMPLIANCE_METRICS.SCAN_ERRORS, Value: scan.errors.length, Unit: 'Count', Timestamp: at });
    data.push({
      MetricName: COMPLIANCE_METRICS.RULES_NOT_EVALUATED,
      Value: report.notEvaluated.length,
      Unit: 'Count',
      Timestamp: at,
    });
    data.push({
      MetricName: COMPLIANCE_METRICS.OPEN_VIOLATIONS,
      Value: report.openViolations.length,
      Unit: 'Count',
      Timestamp: at,
    });
    for (const batch of batches(data, METRICS_PER_CALL)) {
      await clients.cloudwatch.send(
        new (sdk.cloudwatch().PutMetricDataCommand)({ Namespace: COMPLIANCE_METRIC_NAMESPACE, MetricData: batch }),
      );
    }

    // Notify before moving latest.json: if publishing fails, the retry still sees these violations as new
    // (at-least-once); a notification is never lost to a half-finished run.
    if (fresh.length > 0) {
      const { subject, message } = notification(fresh, report, reportKey);
      await clients.sns.send(
        new (sdk.sns().PublishCommand)({ TopicArn: settings.alertTopicArn, Subject: subject, Message: message }),
      );
    }
    await putJson(LATEST_KEY, report);
    logger.info('scheduled compliance report written', {
      reportKey,
      resources: scan.resources.length,
      nonCompliant: report.counts.findings.NON_COMPLIANT,
      newViolations: fresh.length,
      stale: report.staleFindings.length,
      notEvaluated: report.notEvaluated.map((n) => n.ruleId),
      errors: scan.errors.length,
      notFound: scan.notFound.length,
    });
    return {
      kind: 'scheduled',
      runId,
      reportKey,
      resources: scan.resources.length,
      nonCompliant: report.counts.findings.NON_COMPLIANT,
      newViolations: fresh.length,
      notified: fresh.length > 0,
      errors: scan.errors.length,
    };
  }

  async function onPipeline(inv: PipelineInvocation, runId: string, logger: Logger): Promise<CheckerResult> {
    const fail = async (message: string): Promise<CheckerResult> => {
      await clients.codepipeline.send(
        new (sdk.codepipeline().PutJobFailureResultCommand)({
          jobId: inv.jobId,
          failureDetails: { type: 'JobFailed', message: message.slice(0, 5000), externalExecutionId: runId },
        }),
      );
      logger.warn('compliance gate failed', { jobId: inv.jobId, message });
      return { kind: 'pipeline', jobId: inv.jobId, passed: false, message };
    };
    try {
      if (!inv.params) return await fail(inv.error?.message ?? 'Invalid UserParameters');
      const scan = await collector(logger).collectTargets(inv.params);
      const findings = evaluate(scan.resources, { policy: settings.policy, now: clock() }, 'run');
      const decision = gateDecision(findings, scan.errors, scan.notFound, inv.params.failOn);
      if (!decision.passed) return await fail(decision.message);
      await clients.codepipeline.send(
        new (sdk.codepipeline().PutJobSuccessResultCommand)({
          jobId: inv.jobId,
          executionDetails: { summary: decision.message, externalExecutionId: runId, percentComplete: 100 },
        }),
      );
      logger.info('compliance gate passed', { jobId: inv.jobId, message: decision.message });
      return { kind: 'pipeline', jobId: inv.jobId, passed: true, message: decision.message };
    } catch (err) {
      // A CodePipeline job must always get a result, or the action hangs until its timeout.
      logger.error('compliance gate errored; failing the job', { jobId: inv.jobId, error: err });
      return fail(
        `Compliance checker error (${awsErrorName(err) ?? 'Error'}): ${err instanceof Error ? err.message : String(err)}`,
      );
    }
  }

  return async (event, context) => {
    const runId = context?.awsRequestId ?? randomUUID();
    const logger = deps.logger.child({ runId });
    try {
      const inv = classifyEvent(event);
      switch (inv.kind) {
        case 'config':
          return await onConfig(
            inv,
            logger.child({ entry: 'config', configRuleName: inv.configRuleName, ruleId: inv.ruleId }),
          );
        case 'scheduled':
          return await onSchedule(runId, logger.child({ entry: 'scheduled' }));
        case 'pipeline':
          return await onPipeline(inv, runId, logger.child({ entry: 'pipeline', jobId: inv.jobId }));
      }
    } catch (err) {
      // Bad input: retrying cannot help, so answer with a clear result instead of an error that async retries repeat.
      if (err instanceof InputError) {
        logger.error('rejected invocation: malformed event', { error: err.message });
        return { kind: 'rejected', error: err.message };
      }
      logger.error('invocation failed', { error: err });
      throw err;
    }
  };
}
