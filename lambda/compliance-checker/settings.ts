/**
 * The checker's configuration, read from the environment and validated once at cold start. A bad value fails the
 * cold start with a message naming the variable, the value and the fix, rather than every invocation later.
 */
import { CompliancePolicy } from '../../lib/policy/context';
import { SEVERITIES, Severity } from '../../lib/policy/facts';
import { ConfigurationError, requireEnv } from '../shared/errors';
import { DEFAULT_CONCURRENCY } from './collect';

export interface CheckerSettings {
  readonly policy: CompliancePolicy;
  /** Bucket for scheduled reports (REPORT_BUCKET). */
  readonly reportBucket: string;
  /** KMS key for SSE-KMS on report objects (REPORT_KMS_KEY_ARN). */
  readonly reportKmsKeyArn: string;
  /** SNS topic for new violations (ALERT_TOPIC_ARN). */
  readonly alertTopicArn: string;
  /** Describe calls in flight (SCAN_CONCURRENCY). @default 8 */
  readonly concurrency: number;
  /** Images judged by a full scan (IMAGE_SCOPE). @default 'in-use' */
  readonly imageScope: 'in-use' | 'all';
  /**
   * Regions the scheduled scan reads SageMaker and ECR resources in (SCAN_REGIONS, comma-separated), so resources
   * outside `policy.allowedRegions` are found (residency). Buckets are listed globally whatever this says.
   * @default - the function's own region (AWS_REGION)
   */
  readonly scanRegions: readonly string[];
}

function fail(variable: string, value: unknown, fix: string): never {
  const shown = JSON.stringify(value);
  throw new ConfigurationError(
    `${variable}: ${fix} (got ${shown && shown.length > 120 ? `${shown.slice(0, 117)}...` : shown})`,
  );
}

const isStringArray = (v: unknown): v is string[] => Array.isArray(v) && v.every((s) => typeof s === 'string');

/** Validates a CompliancePolicy document (POLICY_JSON); every field is required, as compliancePolicy() emits it. */
export function parsePolicy(json: string, variable = 'POLICY_JSON'): CompliancePolicy {
  let doc: unknown;
  try {
    doc = JSON.parse(json);
  } catch (err) {
    fail(variable, json, `must be a JSON CompliancePolicy: ${(err as Error).message}`);
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc))
    fail(variable, doc, 'must be a JSON object (a CompliancePolicy)');
  const p = doc as Record<string, unknown>;
  const at = (field: string) => `${variable}.${field}`;
  const strings = (field: string, nonEmpty: boolean) => {
    if (!isStringArray(p[field]) || (nonEmpty && (p[field] as string[]).length === 0)) {
      fail(at(field), p[field], `must be ${nonEmpty ? 'a non-empty' : 'an'} array of strings`);
    }
    return p[field] as string[];
  };
  const int = (field: string, min: number, max: number) => {
    const v = p[field];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max)
      fail(at(field), v, `must be an integer between ${min} and ${max}`);
    return v;
  };
  if (typeof p.requireVpc !== 'boolean') fail(at('requireVpc'), p.requireVpc, 'must be true or false');
  if (!SEVERITIES.includes(p.maxFindingSeverity as Severity)) {
    fail(at('maxFindingSeverity'), p.maxFindingSeverity, `must be one of ${SEVERITIES.join(', ')}`);
  }
  return {
    allowedRegions: strings('allowedRegions', true),
    captureRetentionDays: int('captureRetentionDays', 1, 3650),
    maxCaptureSamplingPercent: int('maxCaptureSamplingPercent', 1, 100),
    requiredTags: strings('requiredTags', false),
    dataClassifications: strings('dataClassifications', true),
    maxFindingSeverity: p.maxFindingSeverity as Severity,
    imageScanMaxAgeDays: int('imageScanMaxAgeDays', 1, 365),
    requireVpc: p.requireVpc,
    productionEnvironments: strings('productionEnvironments', false),
  };
}

/** Reads and validates every setting; throws ConfigurationError on the first bad one. */
export function readSettings(env: NodeJS.ProcessEnv = process.env): CheckerSettings {
  const policy = parsePolicy(requireEnv('POLICY_JSON', env));
  const reportKmsKeyArn = requireEnv('REPORT_KMS_KEY_ARN', env);
  if (!reportKmsKeyArn.startsWith('arn:'))
    fail('REPORT_KMS_KEY_ARN', reportKmsKeyArn, 'must be a KMS key ARN (arn:aws:kms:...)');
  const alertTopicArn = requireEnv('ALERT_TOPIC_ARN', env);
  if (!alertTopicArn.startsWith('arn:'))
    fail('ALERT_TOPIC_ARN', alertTopicArn, 'must be an SNS topic ARN (arn:aws:sns:...)');
  const rawConcurrency = env.SCAN_CONCURRENCY;
  const concurrency =
    rawConcurrency === undefined || rawConcurrency === '' ? DEFAULT_CONCURRENCY : Number(rawConcurrency);
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64) {
    fail('SCAN_CONCURRENCY', rawConcurrency, 'must be an integer between 1 and 64');
  }
  const imageScope = env.IMAGE_SCOPE === undefined || env.IMAGE_SCOPE === '' ? 'in-use' : env.IMAGE_SCOPE;
  if (imageScope !== 'in-use' && imageScope !== 'all') fail('IMAGE_SCOPE', imageScope, "must be 'in-use' or 'all'");
  const rawRegions = env.SCAN_REGIONS ?? '';
  const scanRegions =
    rawRegions.trim() === '' ? [requireEnv('AWS_REGION', env)] : rawRegions.split(',').map((r) => r.trim());
  const badRegion = scanRegions.find((r) => !/^[a-z]{2}(-[a-z]+)+-\d$/.test(r));
  if (badRegion !== undefined) {
    fail(
      'SCAN_REGIONS',
      rawRegions,
      `must be a comma-separated list of region names such as eu-west-1 ("${badRegion}" is not)`,
    );
  }
  return {
    policy,
    scanRegions: [...new Set(scanRegions)],
    reportBucket: requireEnv('REPORT_BUCKET', env),
    reportKmsKeyArn,
    alertTopicArn,
    concurrency,
    imageScope,
  };
}
