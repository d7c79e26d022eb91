/**
 * The compliance checker's alarms on its own metrics, both to the alert topic: open violations (current or stale),
 * and an incomplete scan (scan errors or rules not evaluated), so a blind checker is as loud as a violation.
 */
import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { COMPLIANCE_METRIC_NAMESPACE, COMPLIANCE_METRICS } from '../../core/contracts/compliance-checker';

export interface ComplianceCheckerAlarms {
  /** Open violations (current or stale). */
  readonly violations: cloudwatch.Alarm;
  /** Scan errors or rules not evaluated. */
  readonly incomplete: cloudwatch.Alarm;
}

/** Creates both alarms in `scope` (the checker), their metrics over `period`, each notifying `topic` on alarm and OK. */
export function addComplianceCheckerAlarms(
  scope: Construct,
  topic: sns.ITopic,
  period: Duration,
): ComplianceCheckerAlarms {
  const metric = (metricName: string) =>
    new cloudwatch.Metric({
      namespace: COMPLIANCE_METRIC_NAMESPACE,
      metricName,
      statistic: cloudwatch.Stats.MAXIMUM,
      period,
    });
  const action = new cwActions.SnsAction(topic);
  const violations = new cloudwatch.Alarm(scope, 'ViolationsOpenAlarm', {
    alarmDescription: 'MLOps compliance: at least one compliance violation is open (see reports/latest.json)',
    metric: metric(COMPLIANCE_METRICS.OPEN_VIOLATIONS),
    threshold: 0,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
    evaluationPeriods: 1,
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
  });
  const incomplete = new cloudwatch.Alarm(scope, 'ScanIncompleteAlarm', {
    alarmDescription:
      'MLOps compliance: the last scan could not read some resources or listings (ScanErrors, RulesNotEvaluated); their last known violations are kept as stale',
    metric: new cloudwatch.MathExpression({
      expression: 'errors + notEvaluated',
      usingMetrics: {
        errors: metric(COMPLIANCE_METRICS.SCAN_ERRORS),
        notEvaluated: metric(COMPLIANCE_METRICS.RULES_NOT_EVALUATED),
      },
      period,
      label: 'scan errors + rules not evaluated',
    }),
    threshold: 0,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
    evaluationPeriods: 1,
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
  });
  for (const alarm of [violations, incomplete]) {
    alarm.addAlarmAction(action);
    alarm.addOkAction(action);
  }
  return { violations, incomplete };
}
