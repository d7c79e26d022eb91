/**
 * The checks a `ModelEndpoint` makes on its props before it builds anything: each throws a `validationError` that
 * names the prop, the value and the fix. Unresolved tokens are skipped where a value may be one.
 */
import { Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { ModelEndpointProps, RolloutOptions } from './model-endpoint-props';
import { validationError } from './validation-error';

/** `dataCapture.retentionDays`: checked on the given props, before any capture bucket is made from it. */
export function validateCaptureRetention(scope: IConstruct, p: ModelEndpointProps): void {
  const days = p.dataCapture?.retentionDays;
  if (days !== undefined && !Token.isUnresolved(days) && (!Number.isInteger(days) || days < 2)) {
    throw validationError(scope, 'dataCapture.retentionDays', days, 'must be a whole number >= 2');
  }
}

/** The endpoint name, the rollout step, the capture sampling, the capacity bounds and the instance count. */
export function validateEndpointProps(scope: IConstruct, p: ModelEndpointProps, r: Required<RolloutOptions>): void {
  if (!Token.isUnresolved(p.endpointName) && !/^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/.test(p.endpointName)) {
    throw validationError(scope, 'endpointName', p.endpointName, "must be 1-63 alphanumerics or '-'");
  }
  if (r.strategy !== 'ALL_AT_ONCE' && (r.stepPercent < 1 || r.stepPercent > 50)) {
    throw validationError(scope, 'rollout.stepPercent', r.stepPercent, `must be between 1 and 50 for ${r.strategy}`);
  }
  if (p.dataCapture && (p.dataCapture.samplingPercent < 1 || p.dataCapture.samplingPercent > 100)) {
    throw validationError(
      scope,
      'dataCapture.samplingPercent',
      p.dataCapture.samplingPercent,
      'must be between 1 and 100',
    );
  }
  if (p.autoScaling && p.autoScaling.minCapacity > p.autoScaling.maxCapacity) {
    throw validationError(
      scope,
      'autoScaling.minCapacity',
      p.autoScaling.minCapacity,
      `must be <= autoScaling.maxCapacity (${p.autoScaling.maxCapacity})`,
    );
  }
  if (p.instanceCount < 1) throw validationError(scope, 'instanceCount', p.instanceCount, 'must be >= 1');
}
