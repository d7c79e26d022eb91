/**
 * DriftMonitor: our own drift and fairness detector for one endpoint variant (SageMaker Model Monitor and Clarify
 * are closed to new customers). Data-capture files land in S3 -> EventBridge "Object Created" -> the detector Lambda
 * (lambda/drift-detector) -> MLOps/Drift metrics -> alarms -> SNS. Model Monitor's data-quality schedule is an
 * optional construct beside it, for accounts that still have it.
 *
 * It coordinates: the detector function (./detector-function), metrics (./metrics), alarms (./alarms), dashboard
 * widgets (./widgets) and Model Monitor (./model-monitor) each live in their own file.
 *
 * Key policy: the log group, the Lambda environment and the dead-letter queue are encrypted with `encryptionKey`.
 * CloudWatch Logs and EventBridge are service principals, so only the key policy can let them use the key:
 * `DriftMonitor.allowKeyUse(key)` adds those statements. The construct calls it itself when the key is a `kms.Key`
 * of the same stack; for a key owned by another stack (the PlatformStack), call it once there.
 */
import {
  Duration,
  Stack,
  Token,
  aws_cloudwatch as cloudwatch,
  aws_events as events,
  aws_events_targets as targets,
  aws_iam as iam,
  aws_kms as kms,
  aws_lambda as lambda,
  aws_logs as logs,
  aws_s3 as s3,
  aws_s3_assets as s3assets,
  aws_sns as sns,
  aws_sqs as sqs,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { FeatureSpec } from '../../../core/contracts/drift-detector';
import {
  DRIFT_THRESHOLD_DEFAULTS as CONTRACT_THRESHOLD_DEFAULTS,
  driftReportPrefix,
  latestReportKey,
} from '../../../core/contracts/drift-report';
import {
  CLASSIFICATION_METRIC_KEYS,
  OUTCOME_FAIRNESS_KEYS,
  QUALITY_DEFAULTS,
  QualityMetricKey,
  QualitySettings,
  REGRESSION_METRIC_KEYS,
  groundTruthPrefix,
} from '../../../core/contracts/quality';
import { applyAcknowledgements } from '../../nag/acknowledgements';
import { HostedVpc } from '../hardened-function';
import { withDefaults } from '../defaults';
import { allowServiceKeyUse } from '../key-grants';
import { validationError } from '../validation-error';
import { DRIFT_ALARM_DEFAULTS, DriftAlarmFactory, LABELS_STOPPED_MISSING_DATA, qualityDropThreshold } from './alarms';
import { DriftDetectorFunction, DriftReportsOptions } from './detector-function';
import { DriftMetricFactory } from './metrics';
import { ModelMonitorOptions, ModelMonitorSchedule } from './model-monitor';
import { driftWidgets } from './widgets';

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

export class DriftMonitor extends Construct {
  /**
   * Adds the key-policy statements CloudWatch Logs (encrypted log groups of this account and region) and
   * EventBridge (sending to the encrypted dead-letter queue) need. Call it once in the stack that owns the key;
   * the statements name no resource of a model stack, so they create no cross-stack reference.
   */
  static allowKeyUse(key: kms.IKey): void {
    allowServiceKeyUse(key);
  }

  /** The detector Lambda. */
  readonly function: lambda.IFunction;
  /** Its execution role: one customer-managed policy, no managed policies of AWS. */
  readonly role: iam.IRole;
  /** The detector's log group (KMS, retention, retained). */
  readonly logGroup: logs.ILogGroup;
  /** Events (EventBridge deliveries and Lambda async invocations) that failed every retry. */
  readonly deadLetterQueue: sqs.IQueue;
  /** The baseline document as an S3 asset. */
  readonly baseline: s3assets.Asset;
  /** The detector's metrics, for alarms and graphs of your own. */
  readonly metrics: DriftMetricFactory;
  /** Per-feature PSI alarms, by feature name. */
  readonly featureDriftAlarms: Readonly<Record<string, cloudwatch.Alarm>>;
  readonly predictionDriftAlarm: cloudwatch.Alarm;
  /** Only with a `sensitiveAttribute`. */
  readonly disparateImpactAlarm?: cloudwatch.Alarm;
  /** Only with a `sensitiveAttribute`. */
  readonly parityDifferenceAlarm?: cloudwatch.Alarm;
  /** Per quality metric with a reference value, keyed by metric: a drop beyond its tolerance. Only with `quality`. */
  readonly qualityDropAlarms: Readonly<Partial<Record<QualityMetricKey, cloudwatch.Alarm>>>;
  /** Per outcome-fairness difference above its limit. Only with `quality` and a `sensitiveAttribute`. */
  readonly outcomeFairnessAlarms: Readonly<Record<string, cloudwatch.Alarm>>;
  /** No labelled window for longer than maxLabelDelayHours. Only with `quality`. */
  readonly labelsStoppedAlarm?: cloudwatch.Alarm;
  /** Where this model's labels go (SageMaker ground-truth JSON Lines): `s3://<capture bucket>/ground-truth/<endpoint>/`. Only with `quality`. */
  readonly groundTruthUri?: string;
  /** "Model drifted": any feature drift OR prediction drift. */
  readonly driftedAlarm: cloudwatch.CompositeAlarm;
  /** Only with `modelMonitor`. */
  readonly modelMonitor?: ModelMonitorSchedule;
  /** Every alarm this construct creates (the lead puts them on the endpoint dashboard / rollback alarms). */
  readonly alarms: readonly cloudwatch.IAlarm[];

  private readonly features: readonly FeatureSpec[];
  private readonly sensitiveAttribute?: string;
  private readonly thresholds: Required<DriftMonitorThresholds>;
  private readonly subject: string;

  constructor(scope: Construct, id: string, props: DriftMonitorProps) {
    super(scope, id);
    const thresholds = withDefaults(DRIFT_THRESHOLD_DEFAULTS, props.thresholds);
    const statePrefix = props.statePrefix ?? 'drift-state/';
    const reservedConcurrency = props.reservedConcurrency ?? 5;
    const alarmPeriod = props.alarmPeriod ?? Duration.hours(1);
    const fairnessPeriods = props.fairnessEvaluationPeriods ?? DRIFT_ALARM_DEFAULTS.fairnessEvaluationPeriods;
    const fairnessToAlarm = props.fairnessDatapointsToAlarm ?? DRIFT_ALARM_DEFAULTS.fairnessDatapointsToAlarm;
    this.features = props.features;
    this.sensitiveAttribute = props.sensitiveAttribute;
    this.thresholds = thresholds;
    this.subject = `${props.endpointName}/${props.variantName}`;
    this.validate(props, statePrefix, reservedConcurrency, fairnessPeriods, fairnessToAlarm);

    if (props.encryptionKey instanceof kms.Key && Stack.of(props.encryptionKey) === Stack.of(this)) {
      DriftMonitor.allowKeyUse(props.encryptionKey);
    }

    this.baseline = new s3assets.Asset(this, 'Baseline', { path: props.baselineFile });
    const detectorProps = {
      settings: {
        features: props.features,
        ...(props.sensitiveAttribute !== undefined ? { sensitiveAttribute: props.sensitiveAttribute } : {}),
        positiveLabel: props.positiveLabel ?? 1,
        minSamples: thresholds.minSamples,
        minGroupSize: thresholds.minGroupSize,
        windowMaxAgeHours: thresholds.windowMaxAgeHours,
        statePrefix,
        endpointName: props.endpointName,
        variantName: props.variantName,
        ...(props.quality ? { quality: props.quality } : {}),
      },
      reportThresholds: thresholds,
      captureBucket: props.captureBucket,
      captureKey: props.captureKey,
      capturePrefix: props.capturePrefix,
      baseline: this.baseline,
      encryptionKey: props.encryptionKey,
      alarmTopic: props.alarmTopic,
      ...(props.reports ? { reports: props.reports } : {}),
      ...(props.vpc ? { vpc: props.vpc } : {}),
      logRetention: props.logRetention ?? logs.RetentionDays.ONE_YEAR,
      reservedConcurrency,
      memorySize: props.memorySize ?? 512,
      timeout: props.timeout ?? Duration.minutes(5),
    };
    const detector = new DriftDetectorFunction(this, 'Detector', detectorProps);
    this.function = detector;
    this.role = detector.executionRole;
    this.logGroup = detector.hostedLogGroup;
    this.deadLetterQueue = (detector.hostedDeadLetterQueue as NonNullable<typeof detector.hostedDeadLetterQueue>).queue;
    this.renderTrigger(props, detector);
    if (props.quality) {
      this.renderQualityTriggers(props, detector);
      this.groundTruthUri = `s3://${props.captureBucket.bucketName}/${groundTruthPrefix(props.endpointName)}`;
    }

    this.metrics = new DriftMetricFactory({
      endpointName: props.endpointName,
      variantName: props.variantName,
      period: alarmPeriod,
    });
    const alarmFactory = new DriftAlarmFactory({
      alarmTopic: props.alarmTopic,
      descriptionSuffix: this.renderReportHint(props),
    });
    const featureAlarms = this.renderFeatureAlarms(alarmFactory);
    this.featureDriftAlarms = featureAlarms;
    this.predictionDriftAlarm = alarmFactory.addAlarm(this, 'PredictionDrift', {
      description: `${this.subject}: prediction distribution drifted: PSI > ${thresholds.predictionPsi}`,
      metric: this.metrics.metricPredictionPsi(),
      threshold: thresholds.predictionPsi,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
    });
    const fairness =
      props.sensitiveAttribute !== undefined
        ? this.renderFairnessAlarms(alarmFactory, props.sensitiveAttribute, fairnessPeriods, fairnessToAlarm)
        : undefined;
    this.disparateImpactAlarm = fairness?.disparateImpact;
    this.parityDifferenceAlarm = fairness?.parityDifference;
    const quality = props.quality ? this.renderQualityAlarms(alarmFactory, props.quality, alarmPeriod) : undefined;
    this.qualityDropAlarms = quality?.drops ?? {};
    this.outcomeFairnessAlarms = quality?.fairness ?? {};
    this.labelsStoppedAlarm = quality?.labelsStopped;
    this.driftedAlarm = alarmFactory.addAnyOfAlarm(
      this,
      'ModelDrifted',
      `${this.subject}: model drifted (any feature drift OR prediction drift)`,
      [...Object.values(featureAlarms), this.predictionDriftAlarm],
    );

    if (props.modelMonitor) {
      this.modelMonitor = new ModelMonitorSchedule(this, 'MonitoringSchedule', {
        ...props.modelMonitor,
        endpointName: props.endpointName,
        captureBucket: props.captureBucket,
        captureKey: props.captureKey,
        capturePrefix: props.capturePrefix,
        encryptionKey: props.encryptionKey,
        features: props.features.map((f) => f.name),
        driftThreshold: thresholds.ks,
        alarmPeriod,
        alarmTopic: props.alarmTopic,
      });
    }
    this.alarms = [
      ...Object.values(featureAlarms),
      this.predictionDriftAlarm,
      ...(fairness ? [fairness.disparateImpact, fairness.parityDifference] : []),
      ...Object.values(this.qualityDropAlarms),
      ...Object.values(this.outcomeFairnessAlarms),
      ...(this.labelsStoppedAlarm ? [this.labelsStoppedAlarm] : []),
      this.driftedAlarm,
      ...(this.modelMonitor?.alarms ?? []),
    ];

    applyAcknowledgements(detector.policyAcknowledgements(detectorProps));
  }

  /** Drift and fairness graphs for the endpoint dashboard. */
  widgets(): cloudwatch.IWidget[] {
    return driftWidgets({
      metrics: this.metrics,
      subject: this.subject,
      features: this.features,
      ...(this.sensitiveAttribute !== undefined ? { sensitiveAttribute: this.sensitiveAttribute } : {}),
      thresholds: this.thresholds,
      alarms: this.alarms,
    });
  }

  private validate(
    props: DriftMonitorProps,
    statePrefix: string,
    reservedConcurrency: number,
    fairnessPeriods: number,
    fairnessToAlarm: number,
  ): void {
    const capturePrefix = props.capturePrefix;
    if (
      !Token.isUnresolved(capturePrefix) &&
      (capturePrefix.startsWith('/') || capturePrefix.includes('*') || capturePrefix === '')
    ) {
      throw validationError(
        this,
        'capturePrefix',
        capturePrefix,
        `must be a non-empty S3 key prefix without a leading "/" or wildcards (e.g. "datacapture/${props.endpointName}/")`,
      );
    }
    if (
      !Token.isUnresolved(statePrefix) &&
      (statePrefix.startsWith('/') ||
        !statePrefix.endsWith('/') ||
        statePrefix.includes('*') ||
        statePrefix.startsWith(capturePrefix) ||
        capturePrefix.startsWith(statePrefix))
    ) {
      throw validationError(
        this,
        'statePrefix',
        statePrefix,
        `must be a key prefix ending in "/", without a leading "/" or wildcards, apart from capturePrefix "${capturePrefix}" (e.g. "drift-state/")`,
      );
    }
    if (!Number.isInteger(reservedConcurrency) || reservedConcurrency < 1) {
      throw validationError(this, 'reservedConcurrency', reservedConcurrency, 'must be an integer >= 1');
    }
    if (
      !Number.isInteger(fairnessPeriods) ||
      !Number.isInteger(fairnessToAlarm) ||
      fairnessToAlarm < 1 ||
      fairnessToAlarm > fairnessPeriods
    ) {
      throw validationError(
        this,
        'fairnessDatapointsToAlarm',
        fairnessToAlarm,
        `must be between 1 and fairnessEvaluationPeriods (${fairnessPeriods})`,
      );
    }
    const names = props.features.map((f) => f.name);
    if (names.length === 0 || new Set(names).size !== names.length) {
      throw validationError(this, 'features', names, 'must name at least one feature, each once');
    }
    if (props.sensitiveAttribute !== undefined && !names.includes(props.sensitiveAttribute)) {
      throw validationError(
        this,
        'sensitiveAttribute',
        props.sensitiveAttribute,
        `must be one of features [${names.join(', ')}]`,
      );
    }
  }

  /** New capture files of this endpoint -> the detector, retried twice, then into its dead-letter queue. */
  private renderTrigger(props: DriftMonitorProps, detector: lambda.IFunction): void {
    new events.Rule(this, 'CaptureObjectCreated', {
      description: `New data-capture files of ${props.endpointName} -> drift detector`,
      eventPattern: {
        source: ['aws.s3'],
        detailType: ['Object Created'],
        detail: {
          bucket: { name: [props.captureBucket.bucketName] },
          object: { key: events.Match.prefix(props.capturePrefix) },
        },
      },
      targets: [
        new targets.LambdaFunction(detector, {
          deadLetterQueue: this.deadLetterQueue,
          retryAttempts: 2,
          maxEventAge: Duration.hours(6),
        }),
      ],
    });
  }

  /**
   * Ground-truth files of this model -> the detector (the join); and an hourly tick -> the detector (hours since
   * labels last arrived), with the same retries and dead-letter queue as the capture trigger.
   */
  private renderQualityTriggers(props: DriftMonitorProps, detector: lambda.IFunction): void {
    const target = () =>
      new targets.LambdaFunction(detector, {
        deadLetterQueue: this.deadLetterQueue,
        retryAttempts: 2,
        maxEventAge: Duration.hours(6),
      });
    new events.Rule(this, 'GroundTruthObjectCreated', {
      description: `New ground-truth files of ${props.endpointName} -> drift detector (quality join)`,
      eventPattern: {
        source: ['aws.s3'],
        detailType: ['Object Created'],
        detail: {
          bucket: { name: [props.captureBucket.bucketName] },
          object: { key: events.Match.prefix(groundTruthPrefix(props.endpointName)) },
        },
      },
      targets: [target()],
    });
    new events.Rule(this, 'LabelsClock', {
      description: `Hourly: hours since labels of ${props.endpointName} last joined a window`,
      schedule: events.Schedule.rate(Duration.hours(1)),
      targets: [target()],
    });
  }

  /**
   * Quality alarms, keyed by what they watch: a drop beyond tolerance per metric with a reference value, each
   * outcome-fairness difference above its limit, and labels that stopped arriving.
   */
  private renderQualityAlarms(
    alarms: DriftAlarmFactory,
    quality: QualitySettings,
    period: Duration,
  ): {
    drops: Partial<Record<QualityMetricKey, cloudwatch.Alarm>>;
    fairness: Record<string, cloudwatch.Alarm>;
    labelsStopped: cloudwatch.Alarm;
  } {
    const keys: readonly QualityMetricKey[] =
      quality.problemType === 'regression' ? REGRESSION_METRIC_KEYS : CLASSIFICATION_METRIC_KEYS;
    const dropScope = new Construct(this, 'QualityDrop');
    const drops: Partial<Record<QualityMetricKey, cloudwatch.Alarm>> = {};
    for (const key of keys) {
      const reference = quality.reference[key];
      if (reference === undefined) continue;
      const limit = qualityDropThreshold(key, reference, quality.tolerance[key]);
      drops[key] = alarms.addAlarm(dropScope, key, {
        description: `${this.subject}: model quality dropped: ${key} of the labelled windows ${limit.words} (reference from monitoring.quality.reference)`,
        metric: this.metrics.metricQuality(key, { period }),
        threshold: limit.threshold,
        comparisonOperator: limit.comparisonOperator,
      });
    }
    const fairness: Record<string, cloudwatch.Alarm> = {};
    if (this.sensitiveAttribute !== undefined && quality.problemType === 'binary-classification') {
      const fairnessScope = new Construct(this, 'OutcomeFairness');
      for (const key of OUTCOME_FAIRNESS_KEYS) {
        const max = quality.fairnessMax[key] ?? QUALITY_DEFAULTS.fairnessMax;
        fairness[key] = alarms.addAlarm(fairnessScope, key, {
          description: `${this.subject}: outcome fairness across "${this.sensitiveAttribute}": ${key} above ${max}`,
          metric: this.metrics.metricOutcomeFairness(key, { period }),
          threshold: max,
          comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        });
      }
    }
    const labelsStopped = alarms.addAlarm(this, 'LabelsStopped', {
      description: `${this.subject}: no ground-truth label joined a window for more than maxLabelDelayHours (${quality.maxLabelDelayHours} h): is the label feed to ${this.groundTruthUri} still running?`,
      metric: this.metrics.metricHoursSinceLastLabels(),
      threshold: quality.maxLabelDelayHours,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      treatMissingDataOverride: LABELS_STOPPED_MISSING_DATA,
    });
    return { drops, fairness, labelsStopped };
  }

  /** One PSI alarm per feature, keyed by the feature's name: reordering `features` replaces no alarm. */
  private renderFeatureAlarms(alarms: DriftAlarmFactory): Record<string, cloudwatch.Alarm> {
    const byFeature = new Construct(this, 'FeatureDrift');
    const psi = this.thresholds.psi;
    return Object.fromEntries(
      this.features.map((f) => [
        f.name,
        alarms.addAlarm(byFeature, f.name, {
          description: `${this.subject}: feature "${f.name}" drifted: PSI > ${psi} (hourly mean of per-file PSI vs the training baseline)`,
          metric: this.metrics.metricFeaturePsi(f.name),
          threshold: psi,
          comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        }),
      ]),
    );
  }

  private renderFairnessAlarms(
    alarms: DriftAlarmFactory,
    attribute: string,
    evaluationPeriods: number,
    datapointsToAlarm: number,
  ): { disparateImpact: cloudwatch.Alarm; parityDifference: cloudwatch.Alarm } {
    const t = this.thresholds;
    return {
      disparateImpact: alarms.addAlarm(this, 'DisparateImpact', {
        description: `${this.subject}: disparate impact across "${attribute}" below ${t.disparateImpactMin} (lowest / highest positive-prediction rate)`,
        metric: this.metrics.metricDisparateImpactRatio(),
        threshold: t.disparateImpactMin,
        comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
        evaluationPeriods,
        datapointsToAlarm,
      }),
      parityDifference: alarms.addAlarm(this, 'ParityDifference', {
        description: `${this.subject}: demographic parity difference across "${attribute}" above ${t.parityDifferenceMax}`,
        metric: this.metrics.metricParityDifference(),
        threshold: t.parityDifferenceMax,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods,
        datapointsToAlarm,
      }),
    };
  }

  /** Appended to every alarm description, so the notification names the report of the drifted window. */
  private renderReportHint(props: DriftMonitorProps): string {
    if (!props.reports) return '';
    const prefix = driftReportPrefix(props.endpointName);
    return ` Report of the last drifted window: s3://${props.reports.bucket.bucketName}/${latestReportKey(prefix, props.variantName)} (every one: ${prefix}${props.variantName}/YYYY/MM/DD/HH/).`;
  }
}
