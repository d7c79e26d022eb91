import { Severity } from './facts';

/**
 * The organisation's compliance policy: the thresholds rules judge facts against.
 * `lib/config` validates it from the config document; the Lambdas receive it as JSON in their environment.
 */
export interface CompliancePolicy {
  /** Regions where data may be processed and stored (data residency, GDPR Chapter V). */
  readonly allowedRegions: readonly string[];
  /** Maximum days captured inference data may be kept (storage limitation, GDPR Art. 5(1)(e)). */
  readonly captureRetentionDays: number;
  /** Maximum data-capture sampling percentage (data minimisation, GDPR Art. 5(1)(c)). */
  readonly maxCaptureSamplingPercent: number;
  /** Tag keys every taggable resource must carry. Always includes the data classification tag. */
  readonly requiredTags: readonly string[];
  /** Allowed values of the data classification tag. */
  readonly dataClassifications: readonly string[];
  /** Highest image finding severity that may still ship; anything above fails. */
  readonly maxFindingSeverity: Severity;
  /** Images whose last scan is older than this many days are non-compliant. */
  readonly imageScanMaxAgeDays: number;
  /** Models must run in a VPC. */
  readonly requireVpc: boolean;
  /** Environment names (Environment tag values) whose endpoints must roll out gradually with rollback alarms. */
  readonly productionEnvironments: readonly string[];
}

/** What a rule sees besides the facts. */
export interface PolicyContext {
  readonly policy: CompliancePolicy;
  /** Evaluation time; rules never read the clock themselves. */
  readonly now: Date;
}
