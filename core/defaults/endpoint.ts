/**
 * The ModelEndpoint's rollout and alarm defaults, shared with the config schema (lib/config/schema.ts) so a model
 * configured without them and a construct built without them behave the same. Pure: no aws-cdk-lib, so the config
 * loader can import it without loading CDK.
 */

/** A small canary watched for five minutes, the old fleet kept ten more. */
export const ENDPOINT_ROLLOUT_DEFAULTS = {
  strategy: 'CANARY',
  stepPercent: 10,
  waitSeconds: 300,
  terminationWaitSeconds: 600,
  maximumExecutionTimeoutSeconds: 3600,
} as const;

/** Alarms (and so rollbacks) on clear failures, not on noise. */
export const ENDPOINT_ALARM_THRESHOLD_DEFAULTS = {
  latencyP99Ms: 1000,
  errors5xxPerMinute: 5,
  error4xxRatePercent: 5,
} as const;
