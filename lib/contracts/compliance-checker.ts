/**
 * The compliance checker's contract between the ComplianceChecker construct (synth time) and
 * lambda/compliance-checker (run time): its CloudWatch namespace and metric names, and its environment. The
 * construct renders the environment with `complianceCheckerEnvironment`; the function parses it back with the
 * schema in this module. Pure: no aws-cdk-lib, no SDK.
 */
import type { CompliancePolicy } from '../policy/context';

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

export type ImageScope = 'in-use' | 'all';

/** What the construct tells the function, as typed values (strings may be CDK tokens at synth). */
export interface ComplianceCheckerEnvironment {
  readonly policy: CompliancePolicy;
  readonly reportBucket: string;
  readonly reportKmsKeyArn: string;
  readonly alertTopicArn: string;
  readonly concurrency: number;
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
