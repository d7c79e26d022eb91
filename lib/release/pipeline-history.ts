/**
 * What a pipeline execution's history (CodePipeline ListActionExecutions) says about one environment's stage: the
 * gate verdicts and the approval, and whether that approval is still valid. Pure: the release commands fetch the
 * history and pass it in.
 */
import { parseGateCounts } from '../../core/contracts/pipeline-gate';
import type { Approval, GateVerdict } from '../../core/contracts/release-record';

/** The part of CodePipeline's ActionExecutionDetail the release commands read. */
export interface ActionExecution {
  readonly pipelineExecutionId?: string;
  readonly stageName?: string;
  readonly actionName?: string;
  readonly status?: string;
  readonly startTime?: Date;
  readonly lastUpdateTime?: Date;
  readonly updatedBy?: string;
  readonly output?: {
    readonly executionResult?: {
      readonly externalExecutionSummary?: string;
      readonly errorDetails?: { readonly message?: string };
    };
  };
}

/** The name of the approval action the pipeline gives every approving environment. */
export const APPROVAL_ACTION = 'Approve';
/** Gate actions end with this (ImageGate, ImageGateAfterApproval, EndpointGateBeforeDeploy, EndpointGate). */
const GATE = /Gate(AfterApproval|BeforeDeploy)?$/;

function inStage(history: readonly ActionExecution[], executionId: string, stage: string): ActionExecution[] {
  return history
    .filter((a) => a.pipelineExecutionId === executionId && a.stageName === stage)
    .sort((a, b) => (a.startTime?.getTime() ?? 0) - (b.startTime?.getTime() ?? 0));
}

/** The gate verdicts of the stage, in the order they ran; for a retried gate, its latest run. */
export function gateVerdicts(history: readonly ActionExecution[], executionId: string, stage: string): GateVerdict[] {
  const latest = new Map<string, ActionExecution>();
  for (const a of inStage(history, executionId, stage))
    if (a.actionName && GATE.test(a.actionName)) latest.set(a.actionName, a);
  return [...latest.values()].map((a) => {
    const summary =
      a.output?.executionResult?.externalExecutionSummary ?? a.output?.executionResult?.errorDetails?.message ?? '';
    const counts = parseGateCounts(summary);
    return {
      action: a.actionName!,
      status: a.status ?? 'Unknown',
      summary,
      ...(counts ? { counts: { ...counts, failingRules: [...counts.failingRules] } } : {}),
      ...(a.lastUpdateTime ? { at: a.lastUpdateTime.toISOString() } : {}),
    };
  });
}

/** The stage's approval in this execution, when one was given. */
export function approvalOf(
  history: readonly ActionExecution[],
  executionId: string,
  stage: string,
): Approval | undefined {
  const approved = inStage(history, executionId, stage).filter(
    (a) => a.actionName === APPROVAL_ACTION && a.status === 'Succeeded',
  );
  const a = approved[approved.length - 1];
  if (!a?.startTime || !a.lastUpdateTime) return undefined;
  const comment = a.output?.executionResult?.externalExecutionSummary;
  return {
    approver: a.updatedBy ?? 'unknown',
    requestedAt: a.startTime.toISOString(),
    approvedAt: a.lastUpdateTime.toISOString(),
    ...(comment ? { comment } : {}),
  };
}

export interface ApprovalCheck {
  readonly approval?: Approval;
  /** Why the approval does not let the deployment through; empty when it does. */
  readonly problems: string[];
}

const HOUR = 3_600_000;
const hours = (ms: number) => (ms / HOUR).toFixed(1);

/**
 * Is the stage's approval still valid at `now`? It must exist, be at most `maxAgeHours` old, and have been given on
 * evidence (the image gate before it) at most `maxAgeHours` old at the time.
 */
export function checkApproval(
  history: readonly ActionExecution[],
  executionId: string,
  stage: string,
  now: Date,
  maxAgeHours: number,
): ApprovalCheck {
  const approval = approvalOf(history, executionId, stage);
  const again =
    'start the stage again with all actions (CodePipeline "Retry stage" > all actions, or release the change again), so the gates run and a new approval is asked for';
  if (!approval)
    return {
      problems: [`no approval of stage ${stage} in execution ${executionId}: the deployment needs one; ${again}`],
    };
  const problems: string[] = [];
  const age = now.getTime() - Date.parse(approval.approvedAt);
  if (age > maxAgeHours * HOUR)
    problems.push(
      `the approval by ${approval.approver} at ${approval.approvedAt} is ${hours(age)} h old; approvals expire after ${maxAgeHours} h (pipeline.release.approvalMaxAgeHours): ${again}`,
    );
  const evidence = gateVerdicts(history, executionId, stage).find((g) => g.action === 'ImageGate');
  if (evidence?.at !== undefined) {
    const stale = Date.parse(approval.approvedAt) - Date.parse(evidence.at);
    if (stale > maxAgeHours * HOUR)
      problems.push(
        `the approval at ${approval.approvedAt} was given on an image gate verdict ${hours(stale)} h old (at most ${maxAgeHours} h): ${again}`,
      );
  }
  return { approval, problems };
}
