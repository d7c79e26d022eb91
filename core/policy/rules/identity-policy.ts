/**
 * Identity policy rules (area IAM): the platform's roles read personal data (captured inference data) and hold
 * decrypt rights; a grant on `*` of an action that supports resource-level permissions is a grant on every bucket,
 * key or resource of the account, present and future.
 */
import { PolicyStatementFacts } from '../facts';
import { compliant, defineRule, nonCompliant, unknownValue } from '../rule';

/**
 * Actions that have no resource-level permissions (the Service Authorization Reference lists no resource type for
 * them), so IAM accepts them on `"Resource": "*"` only. Exact names: a wildcard action on `*` is never accepted.
 * Add an action here only with its reference page checked.
 */
export const ACTIONS_WITHOUT_RESOURCE_LEVEL_PERMISSIONS: readonly string[] = [
  'cloudwatch:PutMetricData',
  'codepipeline:PutJobFailureResult',
  'codepipeline:PutJobSuccessResult',
  'config:PutEvaluations',
  'ec2:CreateNetworkInterface',
  'ec2:CreateNetworkInterfacePermission',
  'ec2:DeleteNetworkInterface',
  'ec2:DeleteNetworkInterfacePermission',
  'ec2:DescribeDhcpOptions',
  'ec2:DescribeNetworkInterfaces',
  'ec2:DescribeSecurityGroups',
  'ec2:DescribeSubnets',
  'ec2:DescribeVpcs',
  'ecr:GetAuthorizationToken',
  'ecr:GetRegistryScanningConfiguration',
  'events:ListRules',
  'lambda:ListFunctions',
  's3:ListAllMyBuckets',
  'sagemaker:ListEndpointConfigs',
  'sagemaker:ListEndpoints',
  'sagemaker:ListModels',
  'sagemaker:Search',
  'tag:GetResources',
  'xray:PutTelemetryRecords',
  'xray:PutTraceSegments',
];

/**
 * Configuration reads that may cover every bucket (`arn:aws:s3:::*`, never `*`): they show how a bucket is set up,
 * never its objects, and a checker that judges every bucket needs them on every bucket.
 */
export const BUCKET_CONFIGURATION_READS: readonly string[] = [
  's3:GetBucketAcl',
  's3:GetBucketLocation',
  's3:GetBucketLogging',
  's3:GetBucketPolicy',
  's3:GetBucketPublicAccessBlock',
  's3:GetBucketTagging',
  's3:GetBucketVersioning',
  's3:GetEncryptionConfiguration',
  's3:GetLifecycleConfiguration',
];

const ALLOWED = new Set(ACTIONS_WITHOUT_RESOURCE_LEVEL_PERMISSIONS.map((a) => a.toLowerCase()));
const ALLOWED_ON_EVERY_BUCKET = new Set([...ALLOWED, ...BUCKET_CONFIGURATION_READS.map((a) => a.toLowerCase())]);

/** `*`, or an ARN whose every field after the service is a wildcard (`arn:aws:s3:::*`, `arn:*:kms:*:*:*`). */
function isEverything(resource: string): boolean {
  if (resource === '*') return true;
  const parts = resource.replace(/\$\{AWS::Partition\}/g, 'aws').split(':');
  return (
    parts.length >= 6 && parts[0] === 'arn' && parts.slice(3).every((p) => p === '*' || p === '') && parts[5] === '*'
  );
}

function offending(s: PolicyStatementFacts): string[] {
  if (s.effect !== 'Allow') return [];
  const wide = s.notResources !== undefined ? ['*'] : s.resources.filter(isEverything);
  if (wide.length === 0) return [];
  if (s.notActions !== undefined) return [`NotAction [${s.notActions.join(', ')}]`];
  // Bucket configuration reads may cover every bucket, but not "*" (every resource of every service).
  const allowed = wide.every((r) => /^arn:[^:]+:s3:::\*$/.test(r.replace(/\$\{AWS::Partition\}/g, 'aws')))
    ? ALLOWED_ON_EVERY_BUCKET
    : ALLOWED;
  return s.actions.filter((a) => a.includes('*') || a.includes('?') || !allowed.has(a.toLowerCase()));
}

export const identityPolicyNoDataPlaneOnEverything = defineRule({
  id: 'MLOPS-IAM-1',
  title: 'Identity policies grant on "*" only actions that have no resource-level permissions',
  severity: 'HIGH',
  rationale:
    'An action that can be scoped to a resource (s3:GetObject, kms:Decrypt, sagemaker:InvokeEndpoint...) granted ' +
    'on "*" reaches every bucket, key and endpoint of the account, including captured personal data, now and in ' +
    'the future. Acknowledging a wildcard finding on a whole policy would hide such a grant added later.',
  remediation:
    'Scope the statement to the ARNs it needs (bucket/prefix, key ARN). Only actions IAM accepts on "*" alone ' +
    '(ACTIONS_WITHOUT_RESOURCE_LEVEL_PERMISSIONS in core/policy/rules/identity-policy.ts) may stay on "*".',
  references: { gdpr: ['Art. 25(2)', 'Art. 32(1)(b)'], nist80053: ['AC-6', 'AC-6(1)', 'AC-3'] },
  appliesTo: ['IdentityPolicy'],
  check(facts) {
    const statements = facts.statements;
    if (statements === undefined) return unknownValue('the policy document', 'no scoped action may be on "*"');
    const found: string[] = [];
    const unknown: string[] = [];
    statements.forEach((s, i) => {
      const where = s.sid !== undefined ? `"${s.sid}"` : `#${i + 1}`;
      const bad = offending(s);
      if (bad.length > 0) found.push(`${where}: ${bad.join(', ')}`);
      else if (s.unknown && s.effect !== 'Deny') unknown.push(where);
    });
    if (found.length > 0) {
      return nonCompliant(
        `statement(s) grant actions that support resource-level permissions on "*": ${found.join('; ')}; scope them to ARNs`,
      );
    }
    if (unknown.length > 0) return unknownValue(`statement(s) ${unknown.join(', ')}`, 'no scoped action may be on "*"');
    return compliant('only actions without resource-level permissions are granted on "*"');
  },
});
