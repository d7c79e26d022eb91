/**
 * The pipeline's ApprovalCheck step, right before an approved environment is deployed:
 *   npm run release:approval -- --pipeline <name> --execution <id> --stage <environment> --max-age-hours <n>
 * Exit 0 when the stage's approval in this execution exists, is at most --max-age-hours old and was given on an
 * image gate verdict at most that old; 1 (with what to do) otherwise; 2 on wrong arguments.
 */
import { CodePipelineClient } from '@aws-sdk/client-codepipeline';
import { CommandSpec, OptionSpec, Values, intOption, requireOptions, runAsMain } from '../lib/cli/args';
import { checkApproval } from '../lib/release/pipeline-history';
import { executionHistory } from './release/record';
import { EXECUTION_OPTIONS, PIPELINE_REGION_OPTION, stepClientConfig } from './release/step-options';

export const RELEASE_APPROVAL_COMMAND = {
  command: 'npm run release:approval --',
  summary:
    'Checks, right before a deployment, that the stage was approved in this pipeline execution and that the\napproval has not expired (pipeline.release.approvalMaxAgeHours).',
  options: {
    ...EXECUTION_OPTIONS,
    stage: { type: 'string', valueName: '<environment>', description: 'the stage (environment) being deployed' },
    'max-age-hours': { type: 'string', valueName: '<n>', description: 'how old an approval may be, in hours' },
    region: PIPELINE_REGION_OPTION,
  },
  epilogue: 'exit codes: 0 the approval is valid; 1 it is missing or expired; 2 wrong arguments.',
} as const satisfies CommandSpec<Record<string, OptionSpec>>;

type Options = Values<typeof RELEASE_APPROVAL_COMMAND.options>;

async function main(opts: Options): Promise<number> {
  requireOptions(opts, 'pipeline', 'execution', 'stage', 'max-age-hours');
  const maxAge = intOption(opts['max-age-hours'], 'max-age-hours', 1)!;
  const client = new CodePipelineClient(stepClientConfig(opts.region));
  const history = await executionHistory(client, opts.pipeline!, opts.execution!);
  const check = checkApproval(history, opts.execution!, opts.stage!, new Date(), maxAge);
  if (check.problems.length > 0) {
    for (const p of check.problems) console.error(`release:approval: ${p}`);
    return 1;
  }
  console.log(
    `release:approval: stage ${opts.stage} approved by ${check.approval!.approver} at ${check.approval!.approvedAt} (at most ${maxAge} h ago)`,
  );
  return 0;
}

if (require.main === module) runAsMain(RELEASE_APPROVAL_COMMAND, main);
