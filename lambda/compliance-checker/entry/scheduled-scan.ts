/**
 * The scheduled scan: every resource of every scanned region (and every bucket), judged with the run-time rules;
 * the report written to S3, the per-rule metrics published, and on-call notified of violations new since the
 * previous report.
 */
import type { MetricDatum } from '@aws-sdk/client-cloudwatch';
import { COMPLIANCE_METRIC_NAMESPACE, COMPLIANCE_METRICS } from '../../../core/contracts/compliance-checker';
import { withCaptureDestinations } from '../../../core/policy/capture-destinations';
import { evaluate, rulesFor } from '../../../core/policy/catalogue';
import { awsErrorName } from '../../shared/errors';
import type { Logger } from '../../shared/logger';
import type { CollectResult } from '../collect';
import { batches } from '../config-rule';
import {
  buildReport,
  ComplianceReport,
  datedReportKey,
  LATEST_KEY,
  newViolations,
  notification,
  PreviousReport,
  previousReportOf,
  ruleMetrics,
} from '../report';
import { sdk } from '../sdk';
import type { CheckerResult, EntryContext, Run } from './context';

const METRICS_PER_CALL = 20;

export async function scheduledScan(ctx: EntryContext, { runId, logger }: Run): Promise<CheckerResult> {
  const at = ctx.clock();
  // The previous report first: if it cannot be read (other than "none yet"), the run fails and is retried
  // rather than announcing every open violation as new.
  const previous = await readPrevious(ctx, logger);
  const scan = await scanAllRegions(ctx, logger);
  const findings = evaluate(scan.resources, { policy: ctx.settings.policy, now: at }, 'run');
  const report = buildReport({
    runId,
    at,
    ...(ctx.region ? { region: ctx.region } : {}),
    regions: ctx.settings.scanRegions,
    policy: ctx.settings.policy,
    resources: scan.resources,
    findings,
    errors: scan.errors,
    notFound: scan.notFound,
    rules: rulesFor('run'),
    ...(previous ? { previous } : {}),
  });
  const fresh = newViolations(findings, previous?.openViolations);
  const reportKey = datedReportKey(at);
  await putJson(ctx, reportKey, report);
  await publishMetrics(ctx, { report, findings, at });

  // Notify before moving latest.json: if publishing fails, the retry still sees these violations as new
  // (at-least-once); a notification is never lost to a half-finished run.
  if (fresh.length > 0) {
    const { subject, message } = notification(fresh, report, reportKey);
    await ctx.clients.sns.send(
      new (sdk.sns().PublishCommand)({ TopicArn: ctx.settings.alertTopicArn, Subject: subject, Message: message }),
    );
  }
  await putJson(ctx, LATEST_KEY, report);
  logger.info('scheduled compliance report written', {
    reportKey,
    resources: scan.resources.length,
    nonCompliant: report.counts.findings.NON_COMPLIANT,
    newViolations: fresh.length,
    stale: report.staleFindings.length,
    notEvaluated: report.notEvaluated.filter((n) => n.notRead !== true).map((n) => n.ruleId),
    notReadAtRunTime: report.notEvaluated.filter((n) => n.notRead === true).map((n) => n.ruleId),
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

/**
 * Each scanned region in turn (SageMaker and ECR), then the account's buckets and roles (S3 listing, IAM: global),
 * then each region's event rules (judged against the buckets).
 */
async function scanAllRegions(ctx: EntryContext, logger: Logger): Promise<CollectResult> {
  const regions = ctx.settings.scanRegions;
  const scans: CollectResult[] = [];
  for (const region of regions) {
    logger.info('scanning region', { region, of: regions.length });
    scans.push(await ctx.collector(logger, { region }).collectAll());
  }
  const home = ctx.collector(logger, ctx.region !== undefined ? { region: ctx.region } : {});
  const models = scans.flatMap((s) => s.resources);
  await home.collectBuckets();
  // IAM is global: the roles of every region's models are read once, by the home collector (whose result then
  // holds the buckets too).
  scans.push(await home.collectRoles(models));
  // Endpoint configs (per region) and buckets (once) come from different collections: the buckets endpoints
  // capture to are marked on the whole, so an untagged capture bucket is judged as one (MLOPS-CAPTURE-4), and an
  // event rule on it as one on captured data (MLOPS-EVENTS-1), whichever region the rule is in.
  const marked = withCaptureDestinations(scans.flatMap((s) => s.resources));
  const rules: CollectResult[] = [];
  for (const region of regions) rules.push(await ctx.collector(logger, { region }).collectEventRules(marked));
  return {
    resources: [...marked, ...rules.flatMap((s) => s.resources)],
    errors: [...scans, ...rules].flatMap((s) => s.errors),
    notFound: [...scans, ...rules].flatMap((s) => s.notFound),
  };
}

async function readPrevious(ctx: EntryContext, logger: Logger): Promise<PreviousReport | undefined> {
  try {
    const out = await ctx.clients.s3.send(
      new (sdk.s3().GetObjectCommand)({ Bucket: ctx.settings.reportBucket, Key: LATEST_KEY }),
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

async function putJson(ctx: EntryContext, key: string, body: unknown): Promise<void> {
  await ctx.clients.s3.send(
    new (sdk.s3().PutObjectCommand)({
      Bucket: ctx.settings.reportBucket,
      Key: key,
      Body: JSON.stringify(body, null, 2),
      ContentType: 'application/json',
      ServerSideEncryption: 'aws:kms',
      SSEKMSKeyId: ctx.settings.reportKmsKeyArn,
      BucketKeyEnabled: true,
    }),
  );
}

async function publishMetrics(
  ctx: EntryContext,
  run: { readonly report: ComplianceReport; readonly findings: ComplianceReport['findings']; readonly at: Date },
): Promise<void> {
  const { report, findings, at } = run;
  const count = (MetricName: string, Value: number): MetricDatum => ({
    MetricName,
    Value,
    Unit: 'Count',
    Timestamp: at,
  });
  const data: MetricDatum[] = [
    ...ruleMetrics(rulesFor('run'), findings, report.staleFindings, report.notEvaluated).map((m) => ({
      ...count(COMPLIANCE_METRICS.NON_COMPLIANT, m.value),
      Dimensions: [{ Name: 'RuleId', Value: m.ruleId }],
    })),
    count(COMPLIANCE_METRICS.SCAN_ERRORS, report.errors.length),
    count(COMPLIANCE_METRICS.RULES_NOT_EVALUATED, report.notEvaluated.filter((n) => n.notRead !== true).length),
    count(COMPLIANCE_METRICS.RULES_NOT_READ, report.notEvaluated.filter((n) => n.notRead === true).length),
    count(COMPLIANCE_METRICS.OPEN_VIOLATIONS, report.openViolations.length),
  ];
  for (const batch of batches(data, METRICS_PER_CALL)) {
    await ctx.clients.cloudwatch.send(
      new (sdk.cloudwatch().PutMetricDataCommand)({ Namespace: COMPLIANCE_METRIC_NAMESPACE, MetricData: batch }),
    );
  }
}
