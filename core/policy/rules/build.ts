/**
 * Build rules (area BUILD): the pipeline's CodeBuild projects hold deployment rights in every environment, so
 * their build environment must not give a build step root on the host or a secret in clear text.
 */
import { compliant, defineRule, nonCompliant, unknownValue } from '../rule';

export const buildNotPrivileged = defineRule({
  id: 'MLOPS-BUILD-1',
  title: 'CodeBuild projects do not run in privileged mode',
  severity: 'HIGH',
  rationale:
    'Privileged mode gives the build’s containers root on the build host (the Docker daemon), so one compromised ' +
    'dependency in a build step can escape its container and take the project’s role, which can deploy. Model ' +
    'images are built outside the infrastructure pipeline (DESIGN.md), so no build here needs Docker.',
  remediation:
    'Set Environment.PrivilegedMode to false (CDK pipelines: no Docker assets, dockerEnabledForSynth false); build ' +
    'images in the separate image workflow.',
  references: { nist80053: ['AC-6', 'CM-7', 'SC-39'], awsConfigRule: 'CODEBUILD_PROJECT_ENVIRONMENT_PRIVILEGED_CHECK' },
  appliesTo: ['BuildProject'],
  stages: ['synth', 'plan'],
  notAtRunTime: 'the checker does not read CodeBuild projects (the pipeline account’s, not the environment’s)',
  check(facts) {
    if (facts.privilegedMode === undefined) return unknownValue('Environment.PrivilegedMode', 'it must be false');
    return facts.privilegedMode
      ? nonCompliant('the build environment runs in privileged mode (PrivilegedMode true); it must be false')
      : compliant('the build environment is not privileged');
  },
});

/** Names that say a variable holds a secret. Names that say it holds a reference to one are left out below. */
const SECRET_NAME = /(secret|passw(or)?d|passwd|pwd|token|api[-_]?key|private[-_]?key|credential|access[-_]?key|auth)/i;
/** A variable that names where a secret is (its ARN, name, id or path), not the secret itself. */
const REFERENCE_NAME = /(_|-|^)(arn|name|id|path|param(eter)?|ref|uri|url|region)$/i;
/** Values that are secrets whatever the variable is called. */
const SECRET_VALUES: readonly [RegExp, string][] = [
  [/\b(AKIA|ASIA)[0-9A-Z]{16}\b/, 'an AWS access key id'],
  [/-----BEGIN [A-Z ]*PRIVATE KEY-----/, 'a private key'],
  [/\bgh[pousr]_[A-Za-z0-9]{36,}\b/, 'a GitHub token'],
  [/\bgithub_pat_[A-Za-z0-9_]{22,}\b/, 'a GitHub token'],
  [/\bxox[abposr]-[A-Za-z0-9-]{10,}\b/, 'a Slack token'],
  [/\bglpat-[A-Za-z0-9_-]{20,}\b/, 'a GitLab token'],
  [/\bnpm_[A-Za-z0-9]{36}\b/, 'an npm token'],
  [/\beyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\b/, 'a JSON web token'],
];
/**
 * A value that is itself a reference (an ARN, an SSM parameter path, a resource's `Arn` attribute), or empty. A
 * parameter's value or a `{{resolve:...}}` dynamic reference is not: CloudFormation writes the resolved value into
 * the project definition, in clear text.
 */
const referenceValue = (v: string) =>
  v === '' || v.startsWith('arn:') || v.startsWith('/') || /^\$\{[^}]+\.Arn\}$/.test(v);

export const buildNoPlaintextSecrets = defineRule({
  id: 'MLOPS-BUILD-2',
  title: 'CodeBuild projects keep no secrets in plaintext environment variables',
  severity: 'HIGH',
  rationale:
    'A PLAINTEXT environment variable is stored in the project definition and shown to anyone who can read it ' +
    '(codebuild:BatchGetProjects, the console, the template in the artifact bucket); a credential there leaks.',
  remediation:
    'Store the value in Secrets Manager or SSM Parameter Store and give the variable Type SECRETS_MANAGER or ' +
    'PARAMETER_STORE (buildEnvironmentVariable type in CDK).',
  references: {
    gdpr: ['Art. 32(1)(b)'],
    nist80053: ['IA-5(7)', 'SC-28'],
    awsConfigRule: 'CODEBUILD_PROJECT_ENVVAR_AWSCRED_CHECK',
  },
  appliesTo: ['BuildProject'],
  stages: ['synth', 'plan'],
  notAtRunTime: 'the checker does not read CodeBuild projects (the pipeline account’s, not the environment’s)',
  check(facts) {
    const vars = facts.plaintextVariables;
    if (vars === undefined)
      return unknownValue('the environment variables', 'no secret may be in a PLAINTEXT variable');
    const found: string[] = [];
    for (const { name, value } of vars) {
      const byValue = SECRET_VALUES.find(([re]) => re.test(value));
      if (byValue) found.push(`${name} holds ${byValue[1]}`);
      else if (SECRET_NAME.test(name) && !REFERENCE_NAME.test(name) && !referenceValue(value))
        found.push(`${name} is named like a secret and holds a literal value`);
    }
    return found.length > 0
      ? nonCompliant(`PLAINTEXT environment variable(s): ${found.join('; ')}; use SECRETS_MANAGER or PARAMETER_STORE`)
      : compliant(`none of ${vars.length} PLAINTEXT environment variable(s) looks like a secret`);
  },
});
