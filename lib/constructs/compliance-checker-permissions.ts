/**
 * The compliance checker's permissions: its policy statements (explicit actions, each on the narrowest resource IAM
 * takes) and the acknowledgements of the read-only wildcards they need, built from the same ARNs.
 */
import { ArnFormat, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { COMPLIANCE_METRIC_NAMESPACE } from '../../core/contracts/compliance-checker';
import { BUCKET_CONFIGURATION_READS } from '../../core/policy/rules/identity-policy';
import { findingResource, ScopedAcknowledgement, wildcardResource } from '../nag/acknowledgements';
import { ComplianceCheckerProps } from './compliance-checker-props';
import { logGroupWrites, putMetricDataIn } from './iam-statements';

/** The checker's own statements (the host adds tracing): explicit actions, each on the narrowest resource IAM takes. */
export function checkerStatements(
  stack: Stack,
  props: ComplianceCheckerProps,
  scanRegions: readonly string[],
  logGroup: logs.ILogGroup,
): iam.PolicyStatement[] {
  const regional = (service: string, resource: string) =>
    scanRegions.map((region) => everyOfType(stack, service, resource, region));
  const statements: iam.PolicyStatement[] = [
    logGroupWrites(logGroup),
    new iam.PolicyStatement({
      sid: 'ListSageMakerResources',
      // SageMaker List* and Search, and the tagging API's GetResources (tags in batches of 100 for a full scan),
      // support no resource-level permissions: '*' is the only valid resource.
      actions: [
        'sagemaker:ListEndpoints',
        'sagemaker:ListEndpointConfigs',
        'sagemaker:ListModels',
        'sagemaker:Search',
        'tag:GetResources',
      ],
      resources: ['*'],
    }),
    new iam.PolicyStatement({
      sid: 'DescribeSageMakerResources',
      actions: [
        'sagemaker:DescribeEndpoint',
        'sagemaker:DescribeEndpointConfig',
        'sagemaker:DescribeModel',
        'sagemaker:ListTags',
      ],
      resources: [
        ...regional('sagemaker', 'endpoint'),
        ...regional('sagemaker', 'endpoint-config'),
        ...regional('sagemaker', 'model'),
      ],
    }),
    new iam.PolicyStatement({
      sid: 'ReadEcrRepositories',
      actions: [
        'ecr:DescribeRepositories',
        'ecr:DescribeImages',
        'ecr:DescribeImageScanFindings',
        'ecr:GetLifecyclePolicy',
        'ecr:GetRepositoryPolicy',
        'ecr:ListTagsForResource',
      ],
      resources: regional('ecr', 'repository'),
    }),
    new iam.PolicyStatement({
      sid: 'ReadEcrRegistryScanning',
      // A registry-level setting: the action has no resource type, so '*' is the only valid resource.
      actions: ['ecr:GetRegistryScanningConfiguration'],
      resources: ['*'],
    }),
    new iam.PolicyStatement({
      sid: 'ListEventRules',
      // ListRules has no resource-level permissions: '*' is the only valid resource.
      actions: ['events:ListRules'],
      resources: ['*'],
    }),
    new iam.PolicyStatement({
      sid: 'ReadEventRuleTargets',
      // The targets of the rules of each scanned region (MLOPS-EVENTS-1): where S3 events of captured data go.
      actions: ['events:ListTargetsByRule'],
      resources: regional('events', 'rule'),
    }),
    new iam.PolicyStatement({
      sid: 'DescribeKmsKeys',
      // Tells customer-managed keys from AWS-managed ones for the keys resources reference (this account), and
      // reads the key policy (MLOPS-KMS-1, -2) and rotation status (MLOPS-KMS-3) of the customer-managed ones.
      actions: ['kms:DescribeKey', 'kms:GetKeyPolicy', 'kms:GetKeyRotationStatus'],
      resources: regional('kms', 'key'),
    }),
    new iam.PolicyStatement({
      sid: 'ReadRoles',
      // The execution roles of the models it judges: trust policy and inline and attached policies (MLOPS-IAM-1, -2).
      // Read-only; IAM is global, so the ARN carries the account but no region.
      actions: ['iam:GetRole', 'iam:ListRolePolicies', 'iam:GetRolePolicy', 'iam:ListAttachedRolePolicies'],
      resources: [everyIam(stack, 'role')],
    }),
    new iam.PolicyStatement({
      sid: 'ReadCustomerManagedPolicies',
      // Documents of the account's own policies attached to those roles; AWS-managed policies are not read.
      actions: ['iam:GetPolicy', 'iam:GetPolicyVersion'],
      resources: [everyIam(stack, 'policy')],
    }),
    new iam.PolicyStatement({
      sid: 'ListBuckets',
      // ListAllMyBuckets has no resource-level permissions.
      actions: ['s3:ListAllMyBuckets'],
      resources: ['*'],
    }),
    new iam.PolicyStatement({
      sid: 'ReadBucketConfiguration',
      // Configuration only (encryption, policy, public access block, versioning, lifecycle, logging, tags):
      // never an object. Every bucket, because the checker judges buckets it did not create.
      actions: [...BUCKET_CONFIGURATION_READS],
      resources: [everyBucket(stack)],
    }),
    new iam.PolicyStatement({
      sid: 'ReadWriteReports',
      actions: ['s3:GetObject', 's3:PutObject'],
      resources: [props.reportBucket.arnForObjects('reports/*')],
    }),
    new iam.PolicyStatement({
      sid: 'TellMissingReportFromDenied',
      // Without ListBucket, S3 answers a GET of the not-yet-written reports/latest.json with 403 instead of 404,
      // and the first run could not tell "no previous report" from "access denied".
      actions: ['s3:ListBucket'],
      resources: [props.reportBucket.bucketArn],
    }),
    new iam.PolicyStatement({
      sid: 'UseEncryptionKey',
      actions: ['kms:Encrypt', 'kms:Decrypt', 'kms:GenerateDataKey'],
      resources: [props.encryptionKey.keyArn],
    }),
    putMetricDataIn('PublishComplianceMetrics', COMPLIANCE_METRIC_NAMESPACE),
    new iam.PolicyStatement({
      sid: 'PublishAlerts',
      actions: ['sns:Publish'],
      resources: [props.alertTopic.topicArn],
    }),
    new iam.PolicyStatement({
      sid: 'ReportPipelineGateResult',
      // CodePipeline job result actions have no resource-level permissions: '*' is the only valid resource.
      actions: ['codepipeline:PutJobSuccessResult', 'codepipeline:PutJobFailureResult'],
      resources: ['*'],
    }),
  ];
  if (props.configRules === true) {
    statements.push(
      new iam.PolicyStatement({
        sid: 'ReportConfigEvaluations',
        // config:PutEvaluations has no resource-level permissions: '*' is the only valid resource.
        actions: ['config:PutEvaluations'],
        resources: ['*'],
      }),
    );
  }
  return statements;
}

/** Every resource of one type in the stack's account and a region; the policy and its acknowledgements share it. */
function everyOfType(stack: Stack, service: string, resource: string, region?: string): string {
  return stack.formatArn({
    service,
    resource,
    resourceName: '*',
    arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
    ...(region !== undefined ? { region } : {}),
  });
}

/** Every IAM role or customer-managed policy of the stack's account (IAM ARNs carry no region). */
function everyIam(stack: Stack, resource: 'role' | 'policy'): string {
  return stack.formatArn({
    service: 'iam',
    region: '',
    resource,
    resourceName: '*',
    arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
  });
}

/** Every bucket (bucket ARNs carry no account or region). */
function everyBucket(stack: Stack): string {
  return `arn:${stack.partition}:s3:::*`;
}

/**
 * The checker's accepted findings on its policy, one by one. Its read-only wildcards are what "judge every SageMaker
 * and ECR resource of the account" means; each is confined to the account, region and resource type.
 */
export function checkerPolicyAcknowledgements(
  policy: iam.ManagedPolicy,
  reportBucket: s3.IBucket,
  regions: readonly string[],
): ScopedAcknowledgement[] {
  const stack = Stack.of(policy);
  const iam5 = (resource: string, reason: string) => wildcardResource(policy, resource, reason);
  const each = (service: string, resource: string, reason: string) =>
    regions.map((region) => iam5(findingResource(stack, everyOfType(stack, service, resource, region)), reason));
  return [
    iam5(
      '*',
      'Only actions without resource-level permissions: sagemaker:ListEndpoints/ListEndpointConfigs/ListModels/Search, tag:GetResources, ecr:GetRegistryScanningConfiguration, events:ListRules, s3:ListAllMyBuckets, cloudwatch:PutMetricData (pinned to the MLOps/Compliance namespace by condition), config:PutEvaluations, codepipeline:PutJobSuccessResult/PutJobFailureResult and X-Ray tracing. MLOPS-IAM-1 fails synth if any other action is added on "*".',
    ),
    ...['endpoint', 'endpoint-config', 'model'].flatMap((type) =>
      each(
        'sagemaker',
        type,
        `Read-only Describe/ListTags on every SageMaker ${type} of this account in a scanned region: the checker must judge resources it did not create.`,
      ),
    ),
    ...each(
      'ecr',
      'repository',
      'Read-only describe of every ECR repository, its images, lifecycle policy and scan findings of this account in a scanned region.',
    ),
    ...each(
      'events',
      'rule',
      'events:ListTargetsByRule only (no change to any rule): the checker judges where every EventBridge rule of this account in a scanned region sends S3 events of captured data (MLOPS-EVENTS-1).',
    ),
    ...each(
      'kms',
      'key',
      'kms:DescribeKey, kms:GetKeyPolicy and kms:GetKeyRotationStatus only (no use of any key): tells customer-managed from AWS-managed keys referenced by the resources it judges and reads their key policies (MLOPS-KMS-1, -2) and rotation (MLOPS-KMS-3).',
    ),
    iam5(
      findingResource(stack, everyIam(stack, 'role')),
      'iam:GetRole, ListRolePolicies, GetRolePolicy and ListAttachedRolePolicies only (read, never pass or change a role): the checker judges the trust and identity policies of the execution roles of every model it judges (MLOPS-IAM-1, -2), roles it did not create.',
    ),
    iam5(
      findingResource(stack, everyIam(stack, 'policy')),
      'iam:GetPolicy and iam:GetPolicyVersion only, on this account’s own managed policies: reads the documents of the policies attached to the models’ execution roles to judge them (MLOPS-IAM-1).',
    ),
    iam5(
      findingResource(stack, everyBucket(stack)),
      'Bucket configuration reads only (encryption, policy, public access block, versioning, lifecycle, logging, tags, location), never objects: the checker judges every bucket of the account. MLOPS-IAM-1 fails synth if an object or other action is added here.',
    ),
    iam5(
      findingResource(stack, reportBucket.arnForObjects('reports/*')),
      'Writes and reads its own compliance reports under the reports/ prefix; object names carry the run time.',
    ),
  ];
}
