/**
 * The checker's configuration, read from the environment and validated once at cold start with the contract's
 * schema. A bad value fails the cold start with every problem at once, each naming the variable, the value and what
 * is allowed, rather than every invocation later.
 */
import {
  COMPLIANCE_CHECKER_ENV,
  ComplianceCheckerEnvironment,
  CompliancePolicy,
  CompliancePolicySchema,
  jsonString,
  parseComplianceCheckerEnvironment,
} from '../../core/contracts/compliance-checker';
import { ConfigurationError } from '../shared/errors';
import { Problem, describeProblems, problemsOf } from '../../core/contracts/problems';

/** The environment as the construct wrote it, with `scanRegions` resolved to the function's own region when empty. */
export type CheckerSettings = ComplianceCheckerEnvironment;

function settingsError(problems: Problem[]): ConfigurationError {
  return new ConfigurationError(describeProblems('Invalid compliance checker settings', problems), problems);
}

function configurationError(issues: Parameters<typeof problemsOf>[0], input: unknown, prefix: string[] = []) {
  return settingsError(problemsOf(issues, input, { prefix }));
}

/** Validates a CompliancePolicy document (POLICY_JSON); every field is required, as compliancePolicy() emits it. */
export function parsePolicy(json: string, variable: string = COMPLIANCE_CHECKER_ENV.POLICY): CompliancePolicy {
  const parsed = jsonString(CompliancePolicySchema, 'a CompliancePolicy').safeParse(json);
  if (!parsed.success) throw configurationError(parsed.error.issues, json, [variable]);
  return parsed.data;
}

/** Reads and validates every setting; throws one ConfigurationError listing every bad one. */
export function readSettings(env: NodeJS.ProcessEnv = process.env): CheckerSettings {
  const parsed = parseComplianceCheckerEnvironment(env);
  if (!parsed.success) throw configurationError(parsed.error.issues, env);
  const settings = parsed.data;
  if (settings.scanRegions.length > 0) return settings;
  const region = env.AWS_REGION;
  if (region === undefined || region === '') {
    throw settingsError([{ path: 'AWS_REGION', received: region, message: 'is required when SCAN_REGIONS is empty' }]);
  }
  return { ...settings, scanRegions: [region] };
}
