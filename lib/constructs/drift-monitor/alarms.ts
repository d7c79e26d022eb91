/**
 * The drift and fairness alarms, their defaults in one place: one datapoint per period for drift, a few for the
 * noisier fairness rates, missing data not breaching (no traffic is not drift), every alarm notifying the topic.
 */
import { aws_cloudwatch as cloudwatch, aws_cloudwatch_actions as cwActions, aws_sns as sns } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { LOWER_IS_BETTER, QUALITY_DEFAULTS, QualityMetricKey } from '../../../core/contracts/quality';

export const DRIFT_ALARM_DEFAULTS = {
  evaluationPeriods: 1,
  /** Fairness rates are noisier than drift statistics: one bad period should not page anyone. */
  fairnessEvaluationPeriods: 3,
  fairnessDatapointsToAlarm: 2,
  treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
} as const;

/**
 * Where a quality metric breaches: below reference - tolerance, or above reference + tolerance for the metrics where
 * larger is worse (falsePositiveRate, mae, rmse).
 */
export function qualityDropThreshold(
  key: QualityMetricKey,
  reference: number,
  tolerance: number = QUALITY_DEFAULTS.tolerance,
): { threshold: number; comparisonOperator: cloudwatch.ComparisonOperator; words: string } {
  return LOWER_IS_BETTER.has(key)
    ? {
        threshold: reference + tolerance,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        words: `rose above ${reference} + ${tolerance}`,
      }
    : {
        threshold: reference - tolerance,
        comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
        words: `fell below ${reference} - ${tolerance}`,
      };
}

/**
 * "Labels stopped" watches the hourly HoursSinceLastLabelledWindow: missing data means the clock did not run (the
 * detector's error and dead-letter alarms say why), not that labels arrived, so the alarm keeps its state.
 */
export const LABELS_STOPPED_MISSING_DATA = cloudwatch.TreatMissingData.MISSING;

export interface DriftAlarmFactoryProps {
  /** Every alarm notifies this topic. */
  readonly alarmTopic: sns.ITopic;
  /**
   * Also notify the topic when an alarm returns to OK.
   * @default true
   */
  readonly notifyOk?: boolean;
  /**
   * Appended to every description (e.g. where the report of the drifted window is).
   * @default ''
   */
  readonly descriptionSuffix?: string;
}

export interface DriftAlarmProps {
  /** What the alarm means, for whoever is notified (the factory appends its suffix). */
  readonly description: string;
  /** The watched metric, from the metric factory. */
  readonly metric: cloudwatch.IMetric;
  /** The threshold, from the monitor's thresholds. */
  readonly threshold: number;
  /** Which side of the threshold breaches. */
  readonly comparisonOperator: cloudwatch.ComparisonOperator;
  /** @default DRIFT_ALARM_DEFAULTS.evaluationPeriods */
  readonly evaluationPeriods?: number;
  /** @default - every evaluated period */
  readonly datapointsToAlarm?: number;
  /** @default DRIFT_ALARM_DEFAULTS.treatMissingData */
  readonly treatMissingDataOverride?: cloudwatch.TreatMissingData;
}

export class DriftAlarmFactory {
  private readonly action: cwActions.SnsAction;
  private readonly notifyOk: boolean;
  private readonly suffix: string;

  constructor(props: DriftAlarmFactoryProps) {
    this.action = new cwActions.SnsAction(props.alarmTopic);
    this.notifyOk = props.notifyOk ?? true;
    this.suffix = props.descriptionSuffix ?? '';
  }

  addAlarm(scope: Construct, id: string, props: DriftAlarmProps): cloudwatch.Alarm {
    const alarm = new cloudwatch.Alarm(scope, id, {
      alarmDescription: `${props.description}${this.suffix}`,
      metric: props.metric,
      threshold: props.threshold,
      comparisonOperator: props.comparisonOperator,
      evaluationPeriods: props.evaluationPeriods ?? DRIFT_ALARM_DEFAULTS.evaluationPeriods,
      ...(props.datapointsToAlarm !== undefined ? { datapointsToAlarm: props.datapointsToAlarm } : {}),
      treatMissingData: props.treatMissingDataOverride ?? DRIFT_ALARM_DEFAULTS.treatMissingData,
    });
    this.notify(alarm);
    return alarm;
  }

  /** Fires when any of `alarms` does. */
  addAnyOfAlarm(
    scope: Construct,
    id: string,
    description: string,
    alarms: readonly cloudwatch.IAlarm[],
  ): cloudwatch.CompositeAlarm {
    const alarm = new cloudwatch.CompositeAlarm(scope, id, {
      alarmDescription: `${description}${this.suffix}`,
      alarmRule: cloudwatch.AlarmRule.anyOf(...alarms),
    });
    this.notify(alarm);
    return alarm;
  }

  private notify(alarm: cloudwatch.Alarm | cloudwatch.CompositeAlarm): void {
    alarm.addAlarmAction(this.action);
    if (this.notifyOk) alarm.addOkAction(this.action);
  }
}
