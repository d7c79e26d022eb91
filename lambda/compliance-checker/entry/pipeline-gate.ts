/**
 * The CodePipeline gate: judges the named resources (and what they depend on) and answers the job with success or
 * failure. A job always gets a result, or the action hangs until its timeout.
 */
import { evaluate } from '../../../core/policy/catalogue';
import { awsErrorName } from '../../shared/errors';
import { PipelineInvocation } from '../events';
import { gateDecision } from '../gate';
import { sdk } from '../sdk';
import type { CheckerResult, EntryContext, Run } from './context';

export async function pipelineGate(
  ctx: EntryContext,
  inv: PipelineInvocation,
  { runId, logger }: Run,
): Promise<CheckerResult> {
  const fail = async (message: string): Promise<CheckerResult> => {
    await ctx.clients.codepipeline.send(
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
    const scan = await ctx.collector(logger).collectTargets(inv.params);
    const findings = evaluate(scan.resources, { policy: ctx.settings.policy, now: ctx.clock() }, 'run');
    const decision = gateDecision(
      findings,
      scan.errors,
      scan.notFound,
      inv.params.failOn,
      inv.params.allowMissing ?? false,
    );
    if (!decision.passed) return await fail(decision.message);
    await ctx.clients.codepipeline.send(
      new (sdk.codepipeline().PutJobSuccessResultCommand)({
        jobId: inv.jobId,
        executionDetails: { summary: decision.message, externalExecutionId: runId, percentComplete: 100 },
      }),
    );
    logger.info('compliance gate passed', { jobId: inv.jobId, message: decision.message });
    return { kind: 'pipeline', jobId: inv.jobId, passed: true, message: decision.message };
  } catch (err) {
    logger.error('compliance gate errored; failing the job', { jobId: inv.jobId, error: err });
    return fail(
      `Compliance checker error (${awsErrorName(err) ?? 'Error'}): ${err instanceof Error ? err.message : String(err)}`,
    );
  }
}
