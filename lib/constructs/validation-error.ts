/**
 * One way for a construct to reject a prop: the message names the prop, the value received, the fix and the
 * construct path, so a user with many models sees which one is wrong
 * (`rollout.canaryPercent must be between 1 and 50, got 80 (at Staging/fraud-xgb/Endpoint)`).
 */
import { IConstruct } from 'constructs';

/** A prop a construct cannot build from; `path` is the construct's path, `field` the prop. */
export class ConstructValidationError extends Error {
  constructor(
    message: string,
    readonly path: string,
    readonly field: string,
  ) {
    super(message);
    this.name = 'ConstructValidationError';
  }
}

function shown(value: unknown): string {
  const s = typeof value === 'string' ? JSON.stringify(value) : (JSON.stringify(value) ?? String(value));
  return s.length > 160 ? `${s.slice(0, 157)}...` : s;
}

/**
 * The error for a bad prop. `requirement` is the fix, written as what the value must be:
 * `validationError(this, 'concurrency', 80, 'must be an integer between 1 and 64')`.
 */
export function validationError(
  scope: IConstruct,
  field: string,
  value: unknown,
  requirement: string,
): ConstructValidationError {
  const path = scope.node.path;
  return new ConstructValidationError(`${field} ${requirement}, got ${shown(value)} (at ${path})`, path, field);
}
