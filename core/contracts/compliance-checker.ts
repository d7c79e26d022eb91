/**
 * The compliance checker's contract between the ComplianceChecker construct (synth time) and
 * lambda/compliance-checker (run time): its CloudWatch namespace and metric names, the CompliancePolicy schema, and
 * its environment. The construct renders the environment with `complianceCheckerEnvironment`; the function reads it
 * back with `parseComplianceCheckerEnvironment`, its inverse. Pure: no aws-cdk-lib, no SDK.
 */
import * as z from 'zod';
import { SEVERITIES } from './image-severity';

/** CloudWatch namespace the checker publishes to; the IAM condition and the alarms both use it. */
export const COMPLIANCE_METRIC_NAMESPACE = 'MLOps/Compliance';

export const COMPLIANCE_METRICS = {
  /** Non-compliant resources per rule (dimension RuleId). */
  NON_COMPLIANT: 'NonCompliantResources',
  /** Resources or listings the scan could not read. */
  SCAN_ERRORS: 'ScanErrors',
  /** Open violations in total (current and stale), no dimensions: what the "violations open" alarm watches. */
  OPEN_VIOLATIONS: 'OpenViolations',
  /** Run-time rules that could not be evaluated this run (a listing failed): the "scan incomplete" alarm watches it. */
  RULES_NOT_EVALUATED: 'RulesNotEvaluated',
  /**
   * Catalogue rules the checker never evaluates (enforced at synth or plan only: MLOPS-IAM-1 and others), listed in
   * the report's notEvaluated with their reason; constant between releases, so no alarm watches it.
   */
  RULES_NOT_READ: 'RulesNotEvaluatedAtRunTime',
} as const;

/** Environment variables the construct sets and the function reads. */
export const COMPLIANCE_CHECKER_ENV = {
  /** JSON of the CompliancePolicy the rules judge against. */
  POLICY: 'POLICY_JSON',
  /** Bucket for scheduled reports. */
  REPORT_BUCKET: 'REPORT_BUCKET',
  /** KMS key ARN for SSE-KMS on report objects. */
  REPORT_KMS_KEY_ARN: 'REPORT_KMS_KEY_ARN',
  /** SNS topic ARN for new violations. */
  ALERT_TOPIC_ARN: 'ALERT_TOPIC_ARN',
  /** Describe calls in flight (1..64). */
  SCAN_CONCURRENCY: 'SCAN_CONCURRENCY',
  /** Regions the scheduled scan reads, comma-separated; empty = the function's own region. */
  SCAN_REGIONS: 'SCAN_REGIONS',
  /** Images a full scan judges: `in-use` or `all`. */
  IMAGE_SCOPE: 'IMAGE_SCOPE',
} as const;

/** Describe calls in flight when SCAN_CONCURRENCY is not set. */
export const DEFAULT_SCAN_CONCURRENCY = 8;

const IMAGE_SCOPES = ['in-use', 'all'] as const;
export type ImageScope = (typeof IMAGE_SCOPES)[number];

const intBetween = (min: number, max: number) =>
  z
    .int({ error: `must be an integer between ${min} and ${max}` })
    .min(min)
    .max(max);
const strings = (opts: { readonly nonEmpty: boolean }) => {
  const error = `must be ${opts.nonEmpty ? 'a non-empty' : 'an'} array of strings`;
  const list = z.array(z.string({ error }), { error });
  return (opts.nonEmpty ? list.min(1, { error }) : list).readonly();
};

/**
 * The organisation's compliance policy: the thresholds rules judge facts against. `lib/config` derives it from the
 * config document (`compliancePolicy(cfg)`); the checker receives it as JSON in POLICY_JSON, every field required.
 */
export const CompliancePolicySchema = z.object(
  {
    /** Regions where data may be processed and stored (data residency, GDPR Chapter V). */
    allowedRegions: strings({ nonEmpty: true }),
    /** Maximum days captured inference data may be kept (storage limitation, GDPR Art. 5(1)(e)). */
    captureRetentionDays: intBetween(1, 3650),
    /** Maximum data-capture sampling percentage (data minimisation, GDPR Art. 5(1)(c)). */
    maxCaptureSamplingPercent: intBetween(1, 100),
    /** Tag keys every taggable resource must carry. Always includes the data classification tag. */
    requiredTags: strings({ nonEmpty: false }),
    /** Allowed values of the data classification tag. */
    dataClassifications: strings({ nonEmpty: true }),
    /** Highest image finding severity that may still ship; anything above fails. */
    maxFindingSeverity: z.enum(SEVERITIES, { error: `must be one of ${SEVERITIES.join(', ')}` }),
    /** Images whose last scan is older than this many days are non-compliant. */
    imageScanMaxAgeDays: intBetween(1, 365),
    /** Models must run in a VPC. */
    requireVpc: z.boolean({ error: 'must be true or false' }),
    /** Environment names (Environment tag values) whose endpoints must roll out gradually with rollback alarms. */
    productionEnvironments: strings({ nonEmpty: false }),
    /**
     * The project's AWS accounts (every environment's, and the pipeline's tooling account): the accounts a key
     * policy may grant decryption to and model images may come from. Without it only a resource's own account is
     * known.
     */
    knownAccounts: strings({ nonEmpty: false }).optional(),
  },
  { error: 'must be a JSON object (a CompliancePolicy)' },
);

export type CompliancePolicy = z.output<typeof CompliancePolicySchema>;

/** What the construct tells the function, as typed values (strings may be CDK tokens at synth). */
export interface ComplianceCheckerEnvironment {
  readonly policy: CompliancePolicy;
  readonly reportBucket: string;
  readonly reportKmsKeyArn: string;
  readonly alertTopicArn: string;
  readonly concurrency: number;
  /** Empty: the function's own region. */
  readonly scanRegions: readonly string[];
  readonly imageScope: ImageScope;
}

/** Renders the function's environment: the only place the construct side writes these keys. */
export function complianceCheckerEnvironment(e: ComplianceCheckerEnvironment): Record<string, string> {
  return {
    [COMPLIANCE_CHECKER_ENV.POLICY]: JSON.stringify(e.policy),
    [COMPLIANCE_CHECKER_ENV.REPORT_BUCKET]: e.reportBucket,
    [COMPLIANCE_CHECKER_ENV.REPORT_KMS_KEY_ARN]: e.reportKmsKeyArn,
    [COMPLIANCE_CHECKER_ENV.ALERT_TOPIC_ARN]: e.alertTopicArn,
    [COMPLIANCE_CHECKER_ENV.SCAN_CONCURRENCY]: String(e.concurrency),
    [COMPLIANCE_CHECKER_ENV.SCAN_REGIONS]: e.scanRegions.join(','),
    [COMPLIANCE_CHECKER_ENV.IMAGE_SCOPE]: e.imageScope,
  };
}

/** A JSON document in a string, then checked with `schema`: the problems inside are reported at their own path. */
export function jsonString<S extends z.ZodType>(schema: S, what: string) {
  return z
    .string({ error: `must be a JSON string (${what})` })
    .transform((text, ctx): unknown => {
      try {
        return JSON.parse(text);
      } catch (err) {
        ctx.addIssue({ code: 'custom', message: `must be JSON (${what}): ${(err as Error).message}` });
        return z.NEVER;
      }
    })
    .pipe(schema);
}

const required = (what: string) =>
  z.string({ error: `is required (${what})` }).min(1, { error: `is required (${what})` });
const arn = (service: string, what: string) =>
  required(what).startsWith('arn:', { error: `must be ${what} ARN (arn:aws:${service}:...)` });
/** Unset and empty both mean "the default", as CloudFormation cannot unset a variable once rendered. */
const unsetOrEmpty = (v: string | undefined) => v === undefined || v === '';
const REGION = /^[a-z]{2}(-[a-z]+)+-\d$/;

const E = COMPLIANCE_CHECKER_ENV;

/** The function's environment, keyed by COMPLIANCE_CHECKER_ENV; other variables are ignored. */
export const ComplianceCheckerEnvironmentSchema = z
  .object({
    [E.POLICY]: jsonString(CompliancePolicySchema, 'a CompliancePolicy'),
    [E.REPORT_BUCKET]: required('the report bucket name'),
    [E.REPORT_KMS_KEY_ARN]: arn('kms', 'a KMS key'),
    [E.ALERT_TOPIC_ARN]: arn('sns', 'an SNS topic'),
    [E.SCAN_CONCURRENCY]: z
      .string()
      .optional()
      .transform((v) => (unsetOrEmpty(v) ? DEFAULT_SCAN_CONCURRENCY : Number(v)))
      .pipe(intBetween(1, 64)),
    [E.SCAN_REGIONS]: z
      .string()
      .optional()
      .transform((v, ctx) => {
        const regions = v === undefined || v.trim() === '' ? [] : v.split(',').map((r) => r.trim());
        const bad = regions.find((r) => !REGION.test(r));
        if (bad !== undefined) {
          ctx.addIssue({
            code: 'custom',
            message: `must be a comma-separated list of region names such as eu-west-1 ("${bad}" is not)`,
          });
        }
        return [...new Set(regions)];
      }),
    [E.IMAGE_SCOPE]: z
      .string()
      .optional()
      .transform((v) => (unsetOrEmpty(v) ? 'in-use' : v))
      .pipe(z.enum(IMAGE_SCOPES, { error: `must be ${IMAGE_SCOPES.map((s) => `'${s}'`).join(' or ')}` })),
  })
  .transform((env): ComplianceCheckerEnvironment => ({
    policy: env[E.POLICY],
    reportBucket: env[E.REPORT_BUCKET],
    reportKmsKeyArn: env[E.REPORT_KMS_KEY_ARN],
    alertTopicArn: env[E.ALERT_TOPIC_ARN],
    concurrency: env[E.SCAN_CONCURRENCY],
    scanRegions: env[E.SCAN_REGIONS],
    imageScope: env[E.IMAGE_SCOPE],
  }));

/**
 * Reads the environment `complianceCheckerEnvironment` rendered: `parse(render(e))` gives `e` back. A safe parse
 * (Powertools parser style): the caller turns the issues into its own error, every problem at once.
 */
export function parseComplianceCheckerEnvironment(env: Readonly<Record<string, string | undefined>>) {
  return ComplianceCheckerEnvironmentSchema.safeParse(env);
}
