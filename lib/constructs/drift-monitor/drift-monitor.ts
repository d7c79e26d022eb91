/**
 * DriftMonitor: our own drift and fairness detector for one endpoint variant (SageMaker Model Monitor and Clarify
 * are closed to new customers). Data-capture files land in S3 -> EventBridge "Object Created" -> the detector Lambda
 * (lambda/drift-detector) -> MLOps/Drift metrics -> alarms -> SNS. Model Monitor's data-quality schedule is an
 * optional construct beside it, for accounts that still have it.
 *
 * It coordinates: the props (./props) and their checks (./validate-props), the detector function
 * (./detector-function), what invokes it (./triggers), metrics (./metrics), alarms (./alarms, the quality ones in
 * ./quality-alarms), dashboard widgets (./widgets) and Model Monitor (./model-monitor) each live in their own file.
 *
 * Key policy: the log group, the Lambda environment and the dead-letter queue are encrypted with `encryptionKey`.
 * CloudWatch Logs and EventBridge are service principals, so only the key policy can let them use the key:
 * `DriftMonitor.allowKeyUse(key)` adds those statements. The construct calls it itself when the key is a `kms.Key`
 * of the same stack; for a key owned by another stack (the PlatformStack), call it once there.
 */
import {
  Duration,
  Stack,
  aws_cloudwatch as cloudwatch,
  aws_iam as iam,
  aws_kms as kms,
  aws_lambda as lambda,
  aws_logs as logs,
  aws_s3_assets as s3assets,
  aws_sqs as sqs,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { FeatureSpec } from '../../../core/contracts/drift-detector';
import { driftReportPrefix, latestReportKey } from '../../../core/contracts/drift-report';
import { QualityMetricKey, groundTruthPrefix } from '../../../core/contracts/quality';
import { applyAcknowledgements } from '../../nag/acknowledgements';
import { withDefaults } from '../defaults';
import { allowServiceKeyUse } from '../key-grants';
import { DRIFT_ALARM_DEFAULTS, DriftAlarmFactory } from './alarms';
import { DriftDetectorFunction } from './detector-function';
import { DriftMetricFactory } from './metrics';
import { ModelMonitorSchedule } from './model-monitor';
import { DRIFT_THRESHOLD_DEFAULTS, DriftMonitorProps, DriftMonitorThresholds } from './props';
import { renderQualityAlarms } from './quality-alarms';
import { renderCaptureTrigger, renderQualityTriggers } from './triggers';
import { validateDriftMonitorProps } from './validate-props';
import { driftWidgets } from './widgets';

// The props and thresholds are part of this construct's API: importers of this module keep finding them here.
export * from './props';

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
    validateDriftMonitorProps(this, props, statePrefix, reservedConcurrency, fairnessPeriods, fairnessToAlarm);

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
    const target = { detector, deadLetterQueue: this.deadLetterQueue };
    renderCaptureTrigger(this, props, target);
    if (props.quality) {
      renderQualityTriggers(this, props, target);
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
    const quality = props.quality
      ? renderQualityAlarms(this, alarmFactory, {
          quality: props.quality,
          metrics: this.metrics,
          subject: this.subject,
          ...(props.sensitiveAttribute !== undefined ? { sensitiveAttribute: props.sensitiveAttribute } : {}),
          ...(this.groundTruthUri !== undefined ? { groundTruthUri: this.groundTruthUri } : {}),
          period: alarmPeriod,
        })
      : undefined;
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
