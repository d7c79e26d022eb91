/**
 * The checks a `DriftMonitor` makes on its props before it builds anything: prefixes that cannot overlap or match
 * too much, the detector's concurrency, the fairness alarm's datapoints, unique features and a sensitive attribute
 * among them. Each throws a `validationError` naming the prop, the value and the fix.
 */
import { Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { validationError } from '../validation-error';
import { DriftMonitorProps } from './props';

/** `statePrefix`, `reservedConcurrency` and the fairness periods are passed with their defaults resolved. */
export function validateDriftMonitorProps(
  scope: IConstruct,
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
      scope,
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
      scope,
      'statePrefix',
      statePrefix,
      `must be a key prefix ending in "/", without a leading "/" or wildcards, apart from capturePrefix "${capturePrefix}" (e.g. "drift-state/")`,
    );
  }
  if (!Number.isInteger(reservedConcurrency) || reservedConcurrency < 1) {
    throw validationError(scope, 'reservedConcurrency', reservedConcurrency, 'must be an integer >= 1');
  }
  if (
    !Number.isInteger(fairnessPeriods) ||
    !Number.isInteger(fairnessToAlarm) ||
    fairnessToAlarm < 1 ||
    fairnessToAlarm > fairnessPeriods
  ) {
    throw validationError(
      scope,
      'fairnessDatapointsToAlarm',
      fairnessToAlarm,
      `must be between 1 and fairnessEvaluationPeriods (${fairnessPeriods})`,
    );
  }
  const names = props.features.map((f) => f.name);
  if (names.length === 0 || new Set(names).size !== names.length) {
    throw validationError(scope, 'features', names, 'must name at least one feature, each once');
  }
  if (props.sensitiveAttribute !== undefined && !names.includes(props.sensitiveAttribute)) {
    throw validationError(
      scope,
      'sensitiveAttribute',
      props.sensitiveAttribute,
      `must be one of features [${names.join(', ')}]`,
    );
  }
}
