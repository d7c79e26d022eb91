/**
 * What a `DriftMonitor` is built from: its props, the drift and fairness thresholds, and their defaults (the config
 * schema's, from `core/contracts/drift-report`).
 */
import { Duration, aws_kms as kms, aws_logs as logs, aws_s3 as s3, aws_sns as sns } from 'aws-cdk-lib';
import { FeatureSpec } from '../../../core/contracts/drift-detector';
import { DRIFT_THRESHOLD_DEFAULTS as CONTRACT_THRESHOLD_DEFAULTS } from '../../../core/contracts/drift-report';
import { QualitySettings } from '../../../core/contracts/quality';
import { HostedVpc } from '../hardened-function';
import { DriftReportsOptions } from './detector-function';
import { ModelMonitorOptions } from './model-monitor';

/** Drift and fairness thresholds, and the detector's window settings. */
export interface DriftMonitorThresholds {
  /** Feature PSI above which a feature has drifted. @default 0.2 */
  readonly psi?: number;
  /** Kolmogorov-Smirnov statistic above which a numeric feature has drifted (and Model Monitor's drift). @default 0.2 */
  readonly ks?: number;
  /** Jensen-Shannon distance above which a feature has drifted. @default 0.1 */
  readonly jsDistance?: number;
  /** Prediction PSI above which the predictions have drifted. @default 0.2 */
  readonly predictionPsi?: number;
  /** Disparate impact ratio below which fairness alarms (four-fifths rule). @default 0.8 */
  readonly disparateImpactMin?: number;
  /** Demographic parity difference above which fairness alarms. @default 0.1 */
  readonly parityDifferenceMax?: number;
  /** Records a window needs before it is judged. @default 200 */
  readonly minSamples?: number;
  /** Records a sensitive group needs to take part in the fairness metrics. @default 100 */
  readonly minGroupSize?: number;
  /** Oldest record a rolling window keeps, in hours. @default 24 */
  readonly windowMaxAgeHours?: number;
}

/** The thresholds a monitor uses when its props leave them out (the config schema's defaults). */
export const DRIFT_THRESHOLD_DEFAULTS: Required<DriftMonitorThresholds> = CONTRACT_THRESHOLD_DEFAULTS;

export interface DriftMonitorProps {
  /** SageMaker endpoint whose captured traffic is watched. */
  readonly endpointName: string;
  /** Production variant the alarms watch (metrics are published per variant found in the capture keys). */
  readonly variantName: string;
  /** Data-capture bucket (may live in another stack); EventBridge notifications must be enabled on it. */
  readonly captureBucket: s3.IBucket;
  /** The capture bucket's KMS key: the detector may decrypt with it, through S3 only. */
  readonly captureKey: kms.IKey;
  /** Key prefix of this endpoint's capture files, e.g. `datacapture/fraud-xgb/`; no leading `/`, no wildcards. */
  readonly capturePrefix: string;
  /**
   * Local path of the baseline document (`npm run baseline`), shipped as an S3 asset readable by the detector only.
   * The construct does not read it: the config loader checks it against the features.
   */
  readonly baselineFile: string;
  /** The model's input features, in payload order. */
  readonly features: readonly FeatureSpec[];
  /**
   * The feature fairness is measured across (one of `features`).
   * @default - no fairness metrics or alarms
   */
  readonly sensitiveAttribute?: string;
  /**
   * The prediction value counted as the favourable outcome.
   * @default 1
   */
  readonly positiveLabel?: string | number;
  /**
   * Drift and fairness thresholds; each one left out takes its value from `DRIFT_THRESHOLD_DEFAULTS`.
   * @default DRIFT_THRESHOLD_DEFAULTS
   */
  readonly thresholds?: DriftMonitorThresholds;
  /** Every alarm notifies this topic. */
  readonly alarmTopic: sns.ITopic;
  /** Customer-managed key for the log group, the Lambda environment and the dead-letter queue. */
  readonly encryptionKey: kms.IKey;
  /**
   * Drift reports: the detector writes the report of each window whose drift or fairness metric crosses its
   * threshold to `s3://<bucket>/drift-reports/<endpoint>/<variant>/...`, and every alarm's description names it.
   * @default - no reports
   */
  readonly reports?: DriftReportsOptions;
  /**
   * Key prefix, in the capture bucket, of the detector's state: one marker per judged capture file (so a
   * redelivered file publishes once) and the rolling window of small files. The state is derived from captured
   * data, so it stays under the capture bucket's key, retention and access logging. Must not overlap `capturePrefix`.
   * @default 'drift-state/'
   */
  readonly statePrefix?: string;
  /**
   * Private subnets and security groups to run the detector in: it reads captured personal data, so where the
   * environment has a VPC the detector runs inside it and reaches S3 and KMS through the VPC endpoints
   * the platform stack creates (`VpcEndpoints`). The security groups must allow HTTPS to those endpoints.
   * @default - outside a VPC (AWS service APIs only, over TLS with SigV4), acknowledged as such
   */
  readonly vpc?: HostedVpc;
  /**
   * Detector log retention.
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * Reserved concurrency of the detector: caps its share of the account's concurrency.
   * @default 5
   */
  readonly reservedConcurrency?: number;
  /**
   * Detector memory (MiB); memory is bounded by features x bins, so this is mostly CPU share.
   * @default 512
   */
  readonly memorySize?: number;
  /**
   * Detector timeout.
   * @default Duration.minutes(5)
   */
  readonly timeout?: Duration;
  /**
   * Period over which drift alarms average the per-file statistics.
   * @default Duration.hours(1)
   */
  readonly alarmPeriod?: Duration;
  /**
   * Periods (of `alarmPeriod`) a fairness alarm looks at; it fires when `fairnessDatapointsToAlarm` of them breach.
   * @default DRIFT_ALARM_DEFAULTS.fairnessEvaluationPeriods (3)
   */
  readonly fairnessEvaluationPeriods?: number;
  /**
   * Breaching periods out of `fairnessEvaluationPeriods` that fire a fairness alarm.
   * @default DRIFT_ALARM_DEFAULTS.fairnessDatapointsToAlarm (2)
   */
  readonly fairnessDatapointsToAlarm?: number;
  /**
   * Model quality from delayed ground truth (resolved `monitoring.quality`): the detector keeps a prediction ledger
   * per judged capture file, joins the labels written under `ground-truth/<endpoint>/` of the capture bucket, and
   * publishes quality and outcome-fairness metrics, alarmed against their reference values and limits, plus a
   * "labels stopped" alarm.
   * @default - no quality monitoring
   */
  readonly quality?: QualitySettings;
  /**
   * Also run SageMaker Model Monitor's data-quality job on a schedule (for accounts that still have it).
   * @default - no Model Monitor
   */
  readonly modelMonitor?: ModelMonitorOptions;
}
