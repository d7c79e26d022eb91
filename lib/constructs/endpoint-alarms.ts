/**
 * The endpoint's rollback alarms, their defaults in one place: three one-minute periods of which two breach (one bad
 * minute is noise, not a failed deployment), missing data not breaching (no traffic is not a failure), every alarm
 * named after its endpoint and notifying the topic when it fires and when it clears. The same shape as the drift
 * monitor's alarm factory (`drift-monitor/alarms.ts`).
 */
import { aws_cloudwatch as cloudwatch, aws_cloudwatch_actions as cwActions, aws_sns as sns } from 'aws-cdk-lib';
import { Construct } from 'constructs';

export const ENDPOINT_ALARM_FACTORY_DEFAULTS = {
  evaluationPeriods: 3,
  datapointsToAlarm: 2,
  comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
  treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
} as const;

export interface EndpointAlarmFactoryProps {
  /** The endpoint the alarms watch: the prefix of every alarm name and description. */
  readonly endpointName: string;
  /** Every alarm notifies this topic, on ALARM and on OK. */
  readonly alarmTopic: sns.ITopic;
}

export interface RollbackAlarmProps {
  /** Appended to the endpoint name to name the alarm, e.g. `5xx-errors`. */
  readonly nameSuffix: string;
  /** What breaches, after the endpoint name, e.g. `p99 model latency above 800 ms`. */
  readonly description: string;
  /** The watched metric or expression. */
  readonly metric: cloudwatch.IMetric;
  /** The threshold, in the metric's unit. */
  readonly threshold: number;
}

export class EndpointAlarmFactory {
  private readonly action: cwActions.SnsAction;

  constructor(private readonly props: EndpointAlarmFactoryProps) {
    this.action = new cwActions.SnsAction(props.alarmTopic);
  }

  /** An alarm that rolls back a deployment in progress (the endpoint's `DeploymentConfig` names it) and notifies. */
  addRollbackAlarm(scope: Construct, id: string, props: RollbackAlarmProps): cloudwatch.Alarm {
    const alarm = new cloudwatch.Alarm(scope, id, {
      alarmName: `${this.props.endpointName}-${props.nameSuffix}`,
      alarmDescription: `${this.props.endpointName}: ${props.description}. Rolls back a deployment in progress.`,
      metric: props.metric,
      threshold: props.threshold,
      comparisonOperator: ENDPOINT_ALARM_FACTORY_DEFAULTS.comparisonOperator,
      evaluationPeriods: ENDPOINT_ALARM_FACTORY_DEFAULTS.evaluationPeriods,
      datapointsToAlarm: ENDPOINT_ALARM_FACTORY_DEFAULTS.datapointsToAlarm,
      treatMissingData: ENDPOINT_ALARM_FACTORY_DEFAULTS.treatMissingData,
    });
    alarm.addAlarmAction(this.action);
    alarm.addOkAction(this.action);
    return alarm;
  }
}
