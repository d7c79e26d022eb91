/**
 * IAM statements several constructs write the same way. Each keeps the constructs' `sid`s, so the policies read the
 * same in the template and in a finding.
 */
import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import { IConstruct } from 'constructs';

/** Use of a key only through one AWS service of the stack's region (`kms:ViaService`), e.g. S3 for SSE-KMS objects. */
export function keyUseThroughService(
  scope: IConstruct,
  sid: string,
  actions: readonly string[],
  key: kms.IKey,
  service: string,
): iam.PolicyStatement {
  return new iam.PolicyStatement({
    sid,
    actions: [...actions],
    resources: [key.keyArn],
    conditions: { StringEquals: { 'kms:ViaService': `${service}.${Stack.of(scope).region}.amazonaws.com` } },
  });
}

/** Writes to one log group the function owns (its streams are created by Lambda at run time). */
export function logGroupWrites(logGroup: logs.ILogGroup): iam.PolicyStatement {
  return new iam.PolicyStatement({
    sid: 'WriteOwnLogs',
    actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
    resources: [logGroup.logGroupArn],
  });
}

/**
 * `cloudwatch:PutMetricData` into one namespace. The action has no resource-level permissions: the namespace
 * condition is the only scope IAM offers.
 */
export function putMetricDataIn(sid: string, namespace: string): iam.PolicyStatement {
  return new iam.PolicyStatement({
    sid,
    actions: ['cloudwatch:PutMetricData'],
    resources: ['*'],
    conditions: { StringEquals: { 'cloudwatch:namespace': namespace } },
  });
}

/** Trace segments of an actively traced function: X-Ray's segment APIs have no resource-level permissions. */
export function xrayTraceWrites(): iam.PolicyStatement {
  return new iam.PolicyStatement({
    sid: 'WriteTraces',
    actions: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'],
    resources: ['*'],
  });
}

/** The EC2 calls Lambda makes to manage a function's network interfaces in a VPC; they take "*" only. */
export function lambdaVpcNetworkInterfaces(): iam.PolicyStatement {
  return new iam.PolicyStatement({
    sid: 'VpcNetworkInterfaces',
    actions: [
      'ec2:CreateNetworkInterface',
      'ec2:DescribeNetworkInterfaces',
      'ec2:DeleteNetworkInterface',
      'ec2:DescribeSubnets',
      'ec2:DescribeSecurityGroups',
      'ec2:DescribeVpcs',
    ],
    resources: ['*'],
  });
}
