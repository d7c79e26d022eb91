/**
 * The AWS Config custom rule entry point: judges the resource a change notification names (or, on a periodic
 * notification, every resource of the rule's kinds) with one catalogue rule, and reports the evaluations.
 */
import type { Evaluation } from '@aws-sdk/client-config-service';
import { ruleById, rulesFor } from '../../../core/policy/catalogue';
import { PolicyContext } from '../../../core/policy/context';
import { ResourceKind } from '../../../core/policy/facts';
import { ConfigKind, configKindsOf, kindOfConfigType } from '../../../core/policy/from-aws';
import { Rule } from '../../../core/policy/rule';
import { InputError } from '../../shared/errors';
import type { Logger } from '../../shared/logger';
import { CollectResult, ScanError, Targets } from '../collect';
import { batches, dedupeEvaluations, evaluateForConfig, evaluation, evaluationKey } from '../config-rule';
import { ConfigInvocation, ConfigItem } from '../events';
import { sdk } from '../sdk';
import type { CheckerResult, EntryContext, Run } from './context';

/** Config's documented token for test invocations; PutEvaluations then needs TestMode. */
const TEST_TOKEN = 'TESTMODE';

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

export async function configRule(ctx: EntryContext, inv: ConfigInvocation, { logger }: Run): Promise<CheckerResult> {
  const rule = runTimeRule(inv.ruleId);
  const policy: PolicyContext = { policy: ctx.settings.policy, now: ctx.clock() };
  const { evals, scan } = inv.item
    ? await judgeItem(ctx, { rule, item: inv.item, policy, logger })
    : await judgeAll(ctx, { rule, at: inv.notificationTime, policy, logger });
  const { unique, duplicates } = dedupeEvaluations(evals);
  if (duplicates > 0) logger.warn('duplicate evaluations dropped', { duplicates });
  const calls = await putEvaluations(ctx, { evals: unique, resultToken: inv.resultToken, logger });
  if (scan.errors.length > 0) {
    logger.error('resources not evaluated: they could not be read; failing the invocation so it is retried', {
      ruleId: rule.id,
      errors: scan.errors,
    });
    throw new UnreadableResourcesError(scan.errors);
  }
  logger.info('config evaluations reported', { ruleId: rule.id, evaluations: unique.length, calls, errors: 0 });
  return { kind: 'config', ruleId: rule.id, evaluations: unique.length, calls, errors: [], notFound: scan.notFound };
}

function runTimeRule(ruleId: string): Rule {
  const rule = ruleById(ruleId);
  if (rule && rule.stages.includes('run')) return rule;
  const known = rulesFor('run')
    .map((r) => r.id)
    .join(', ');
  throw new InputError(`ruleParameters.ruleId "${ruleId}" is not a run-time catalogue rule; known: [${known}]`);
}

interface Judged {
  readonly evals: Evaluation[];
  readonly scan: CollectResult;
}

const NOTHING_READ: CollectResult = { resources: [], errors: [], notFound: [] };

/** A periodic notification: every resource of the kinds the rule covers. */
async function judgeAll(
  ctx: EntryContext,
  job: { readonly rule: Rule; readonly at: Date; readonly policy: PolicyContext; readonly logger: Logger },
): Promise<Judged> {
  const scan = await ctx.collector(job.logger).collectAll(new Set<ResourceKind>(configKindsOf(job.rule.appliesTo)));
  return { evals: evaluateForConfig(job.rule, scan.resources, job.policy, job.at), scan };
}

/** A change notification: exactly the resource it names, answered with the id Config knows it by. */
async function judgeItem(
  ctx: EntryContext,
  job: { readonly rule: Rule; readonly item: ConfigItem; readonly policy: PolicyContext; readonly logger: Logger },
): Promise<Judged> {
  const { rule, item, logger } = job;
  const kind = kindOfConfigType(item.resourceType);
  const at = item.captureTime;
  const notApplicable = (k: ConfigKind, why: string) => [evaluation(k, item.resourceId, 'NOT_APPLICABLE', why, at)];
  if (kind === undefined) {
    logger.warn('configuration item of a type the checker does not read; ignored', {
      resourceType: item.resourceType,
    });
    return { evals: [], scan: NOTHING_READ };
  }
  if (!configKindsOf(rule.appliesTo).includes(kind)) {
    // Config only sends in-scope types; answer anyway so the resource never shows "no result".
    return { evals: notApplicable(kind, `${rule.id} does not apply to ${item.resourceType}`), scan: NOTHING_READ };
  }
  if (item.status === 'ResourceDeleted' || item.status === 'ResourceDeletedNotRecorded') {
    return { evals: notApplicable(kind, 'the resource was deleted'), scan: NOTHING_READ };
  }
  const scan = await ctx
    .collector(logger)
    .collectTargets(targetOf(kind, item.resourceName ?? item.resourceId), { withDependencies: false });
  const judged = evaluateForConfig(
    rule,
    scan.resources.filter((r) => r.kind === kind),
    job.policy,
    at,
  ).map((e) => ({ ...e, ComplianceResourceId: item.resourceId }));
  const evals =
    judged.length > 0 || scan.errors.length > 0 ? judged : notApplicable(kind, 'the resource no longer exists');
  return { evals, scan };
}

function targetOf(kind: ConfigKind, name: string): Targets {
  switch (kind) {
    case 'Endpoint':
      return { endpoints: [name] };
    case 'EndpointConfig':
      return { endpointConfigs: [name] };
    case 'Model':
      return { models: [name] };
    default:
      return { repositories: [name] };
  }
}

/** Sends in batches of 100; evaluations Config reports as failed are retried once, then the invocation fails. */
async function putEvaluations(
  ctx: EntryContext,
  job: { readonly evals: Evaluation[]; readonly resultToken: string; readonly logger: Logger },
): Promise<number> {
  const { evals, resultToken, logger } = job;
  const testMode = resultToken === TEST_TOKEN;
  let calls = 0;
  const send = async (list: Evaluation[]): Promise<Evaluation[]> => {
    const failed: Evaluation[] = [];
    for (const batch of batches(list)) {
      calls += 1;
      const out = await ctx.clients.config.send(
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
    throw new Error(`PutEvaluations failed for ${stillFailed.length} evaluation(s) after one retry: ${ids.join(', ')}`);
  }
  return calls;
}
