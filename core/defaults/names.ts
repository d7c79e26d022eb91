/**
 * Names derived from the config (buckets, endpoints, model cards, schedules), defined once: the stacks build
 * resources with these functions and the config loader checks their length limits, so a `projectName` that makes
 * a name too long is a config error naming the field, never a stack trace mid-synth.
 */

/** S3 bucket names: 3-63 characters. */
export const BUCKET_NAME_MAX = 63;
/** SageMaker endpoint, model card and monitoring schedule names: at most 63 characters. */
export const SAGEMAKER_NAME_MAX = 63;
/** Suffixes appended to an endpoint name. */
export const MODEL_CARD_SUFFIX = '-card';
export const MONITORING_SCHEDULE_SUFFIX = '-data-quality';

export interface EnvironmentNaming {
  readonly name: string;
  readonly account: string;
  readonly region: string;
}

/** `<project>-<env>-<purpose>-<account>-<region>`: globally unique, so account and region are in it. */
export function bucketName(projectName: string, env: EnvironmentNaming, purpose: string): string {
  return `${projectName}-${env.name}-${purpose}-${env.account}-${env.region}`;
}

/** `<project>-<env>-<model>`: the endpoint's name, and the stem of its model card and monitoring schedule. */
export function endpointName(projectName: string, envName: string, modelName: string): string {
  return `${projectName}-${envName}-${modelName}`;
}

/** The buckets a PlatformStack names explicitly (the others get CloudFormation-generated names). */
export const NAMED_BUCKET_PURPOSES = ['artifacts', 'capture', 'reports'] as const;
