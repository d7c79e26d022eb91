/** Typed errors every handler shares. */
import { Problem } from '../../core/contracts/problems';

/** Bad input (malformed event, bad environment): retrying cannot help. */
export class InputError extends Error {
  constructor(
    message: string,
    /** Each problem found, when the input was checked with a schema. */
    readonly problems: readonly Problem[] = [],
  ) {
    super(message);
    this.name = 'InputError';
  }
}

/** Configuration read at cold start is missing or invalid. */
export class ConfigurationError extends Error {
  constructor(
    message: string,
    /** Each problem found, when the settings were checked with a schema. */
    readonly problems: readonly Problem[] = [],
  ) {
    super(message);
    this.name = 'ConfigurationError';
  }
}

const NOT_FOUND = new Set([
  'ResourceNotFound',
  'ResourceNotFoundException',
  'ValidationException',
  'NoSuchKey',
  'NotFound',
  'RepositoryNotFoundException',
  'ImageNotFoundException',
  'ScanNotFoundException',
]);
const ACCESS_DENIED = new Set(['AccessDenied', 'AccessDeniedException', 'UnauthorizedOperation', 'AuthorizationError']);

/** AWS SDK v3 errors carry the service's error code in `name`. */
export function awsErrorName(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null && 'name' in err ? String((err as { name: unknown }).name) : undefined;
}

/** SageMaker answers a describe of a deleted resource with ValidationException "Could not find ...". */
export function isNotFound(err: unknown): boolean {
  const name = awsErrorName(err);
  if (!name || !NOT_FOUND.has(name)) return false;
  if (name !== 'ValidationException') return true;
  return /could not find|does not exist|not found/i.test((err as Error).message ?? '');
}

export function isAccessDenied(err: unknown): boolean {
  const name = awsErrorName(err);
  return name !== undefined && ACCESS_DENIED.has(name);
}
