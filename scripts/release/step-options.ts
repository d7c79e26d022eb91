/**
 * What the commands of the pipeline's release steps share: the options naming the pipeline execution they act on and
 * its region, and the AWS SDK client settings every step command uses.
 */
import { OptionSpec } from '../../lib/cli/args';

/** `--pipeline` and `--execution`: the pipeline execution a release step acts on. */
export const EXECUTION_OPTIONS = {
  pipeline: { type: 'string', valueName: '<name>', description: 'the pipeline name' },
  execution: { type: 'string', valueName: '<id>', description: 'the pipeline execution id' },
} as const satisfies Record<string, OptionSpec>;

/** `--region`: the pipeline's region. */
export const PIPELINE_REGION_OPTION = {
  type: 'string',
  valueName: '<region>',
  description: "the pipeline's region (default: AWS_REGION)",
} as const satisfies OptionSpec;

/** SDK client settings of a step command: the region given (else the SDK's chain), adaptive retries, 5 attempts. */
export function stepClientConfig(region: string | undefined) {
  return { ...(region ? { region } : {}), maxAttempts: 5, retryMode: 'adaptive' };
}
