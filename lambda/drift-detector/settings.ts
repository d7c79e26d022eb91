/**
 * The detector's settings: its environment parsed once, at cold start, with the contract's schema
 * (core/contracts/drift-detector.ts, the inverse of what the construct renders). A bad environment fails the cold
 * start with every problem named.
 */
import { ParsedDriftDetectorEnvironment, parseDriftDetectorEnvironment } from '../../core/contracts/drift-detector';
import { EnvironmentError } from '../../core/contracts/environment';
import { ConfigurationError } from '../shared/errors';

/** What the detector runs with (see ParsedDriftDetectorEnvironment for what each field means). */
export type DetectorConfig = ParsedDriftDetectorEnvironment;

/** Reads and checks the environment once, at cold start; throws ConfigurationError listing every problem. */
export function readConfig(env: NodeJS.ProcessEnv = process.env): DetectorConfig {
  try {
    return parseDriftDetectorEnvironment(env);
  } catch (err) {
    if (err instanceof EnvironmentError) throw new ConfigurationError(err.message);
    throw err;
  }
}
