/**
 * The least-privilege execution policy of a `ModelEndpoint`'s SageMaker role: pull exactly its image, read exactly
 * its model data, write only its own logs and capture prefix; and the acknowledgement of each wildcard it needs.
 */
import { ArnFormat, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { findingResource, ScopedAcknowledgement, wildcardResource } from '../nag/acknowledgements';
import { putMetricDataIn } from './iam-statements';
import { ResolvedEndpointProps, trimSlashes } from './model-endpoint-resources';

export function executionStatements(stack: Stack, props: ResolvedEndpointProps): iam.PolicyStatement[] {
  const statements = [
    new iam.PolicyStatement({
      sid: 'PullModelImage',
      actions: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchCheckLayerAvailability'],
      resources: [props.repository.repositoryArn],
    }),
    new iam.PolicyStatement({
      // GetAuthorizationToken has no resource-level permissions: AWS only accepts "*".
      sid: 'EcrAuthToken',
      actions: ['ecr:GetAuthorizationToken'],
      resources: ['*'],
    }),
    ...(props.repositoryKey
      ? [
          new iam.PolicyStatement({
            sid: 'DecryptModelImage',
            actions: ['kms:Decrypt'],
            resources: [props.repositoryKey.keyArn],
          }),
        ]
      : []),
    new iam.PolicyStatement({
      sid: 'EndpointLogs',
      actions: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams'],
      resources: endpointLogArns(stack, props.endpointName),
    }),
    putMetricDataIn('EndpointMetrics', '/aws/sagemaker/Endpoints'),
  ];
  const capture = props.dataCapture;
  if (capture) {
    statements.push(
      new iam.PolicyStatement({
        sid: 'WriteCapturedData',
        actions: ['s3:PutObject'],
        resources: [capture.bucket.arnForObjects(`${trimSlashes(capture.prefix)}/${props.endpointName}/*`)],
      }),
      new iam.PolicyStatement({
        sid: 'EncryptCapturedData',
        actions: ['kms:GenerateDataKey', 'kms:Encrypt'],
        resources: [capture.encryptionKey.keyArn],
      }),
    );
  }
  if (props.modelData) {
    const { bucket, key, encryptionKey } = props.modelData;
    statements.push(
      new iam.PolicyStatement({
        sid: 'ReadModelData',
        actions: ['s3:GetObject'],
        resources: [bucket.arnForObjects(key)],
      }),
    );
    if (encryptionKey) {
      statements.push(
        new iam.PolicyStatement({
          sid: 'DecryptModelData',
          actions: ['kms:Decrypt'],
          resources: [encryptionKey.keyArn],
        }),
      );
    }
  }
  if (props.vpc) {
    statements.push(
      new iam.PolicyStatement({
        // SageMaker creates and manages ENIs in the given subnets; the EC2 describe/ENI APIs do not support
        // resource-level permissions for these calls.
        sid: 'VpcNetworkInterfaces',
        actions: [
          'ec2:CreateNetworkInterface',
          'ec2:CreateNetworkInterfacePermission',
          'ec2:DeleteNetworkInterface',
          'ec2:DeleteNetworkInterfacePermission',
          'ec2:DescribeNetworkInterfaces',
          'ec2:DescribeVpcs',
          'ec2:DescribeDhcpOptions',
          'ec2:DescribeSubnets',
          'ec2:DescribeSecurityGroups',
        ],
        resources: ['*'],
      }),
    );
  }
  return statements;
}

/** Each wildcard in the execution policy, acknowledged one finding at a time with the reason it is needed. */
export function executionPolicyAcknowledgements(
  policy: iam.ManagedPolicy,
  props: ResolvedEndpointProps,
): ScopedAcknowledgement[] {
  const stack = Stack.of(policy);
  const iam5 = (resource: string, reason: string) => wildcardResource(policy, resource, reason);
  return [
    iam5(
      '*',
      'Only ecr:GetAuthorizationToken (no resource-level permissions in IAM), cloudwatch:PutMetricData (pinned to the /aws/sagemaker/Endpoints namespace by condition) and, with a VPC, the EC2 ENI calls SageMaker makes, which IAM only accepts on "*".',
    ),
    iam5(
      findingResource(stack, endpointLogArns(stack, props.endpointName)[1] as string),
      "Log stream names are created by SageMaker per instance at run time; the wildcard is confined to this endpoint's own log group.",
    ),
    ...(props.dataCapture
      ? [
          iam5(
            `${findingResource(stack, props.dataCapture.bucket.bucketArn)}/${trimSlashes(props.dataCapture.prefix)}/${props.endpointName}/*`,
            "SageMaker names capture objects by date and hour at run time; write access is confined to this endpoint's capture prefix.",
          ),
        ]
      : []),
  ];
}

/** The endpoint's log group and its log streams. */
function endpointLogArns(stack: Stack, endpointName: string): string[] {
  const group = `/aws/sagemaker/Endpoints/${endpointName}`;
  return [group, `${group}:log-stream:*`].map((resourceName) =>
    stack.formatArn({ service: 'logs', resource: 'log-group', resourceName, arnFormat: ArnFormat.COLON_RESOURCE_NAME }),
  );
}
