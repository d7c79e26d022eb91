/** Reads back, with real SDK clients, the security settings moto keeps of a deployment, against what was asked for. */
import { DescribeRepositoriesCommand, ECRClient } from '@aws-sdk/client-ecr';
import { DescribeKeyCommand, GetKeyRotationStatusCommand, KMSClient, ListAliasesCommand } from '@aws-sdk/client-kms';
import { GetBucketEncryptionCommand, S3Client } from '@aws-sdk/client-s3';
import { DescribeEndpointCommand, DescribeEndpointConfigCommand, SageMakerClient } from '@aws-sdk/client-sagemaker';
import { MotoDeployment, physicalId } from './deployment';

/** One security setting read back from the emulator, against what the template asked for. */
export interface SettingCheck {
  readonly resource: string;
  readonly setting: string;
  readonly actual: string;
  readonly ok: boolean;
}

export interface ClientSettings {
  readonly endpoint: string;
  readonly region: string;
  readonly forcePathStyle: true;
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
  readonly maxAttempts?: number;
}

/**
 * Reads back, with real SDK clients, the security settings moto keeps: customer-managed keys with rotation, bucket
 * encryption with the right key, immutable ECR tags, endpoint-config storage and capture encryption with separate
 * keys, and the endpoint in service. Settings moto drops are not read (they are listed in skippedTypes and in the
 * deploy test's "known moto gaps").
 */
export async function readSecuritySettings(d: MotoDeployment, client: ClientSettings): Promise<SettingCheck[]> {
  const kms = new KMSClient(client);
  const s3 = new S3Client(client);
  const ecr = new ECRClient(client);
  const sm = new SageMakerClient(client);
  const out: SettingCheck[] = [];
  const check = (resource: string, setting: string, actual: unknown, ok: boolean) =>
    out.push({ resource, setting, actual: String(actual), ok });
  try {
    const prefix = `alias/${d.config.projectName}/${d.environment}/`;
    const keyArns = new Map<string, string>();
    for (const alias of ((await kms.send(new ListAliasesCommand({}))).Aliases ?? []).filter((a) =>
      a.AliasName?.startsWith(prefix),
    )) {
      const meta = (await kms.send(new DescribeKeyCommand({ KeyId: alias.TargetKeyId! }))).KeyMetadata!;
      const rotation = (await kms.send(new GetKeyRotationStatusCommand({ KeyId: alias.TargetKeyId! })))
        .KeyRotationEnabled;
      keyArns.set(alias.AliasName!.slice(prefix.length), meta.Arn!);
      check(
        alias.AliasName!,
        'customer managed, enabled',
        `${meta.KeyManager}, ${meta.Enabled}`,
        meta.KeyManager === 'CUSTOMER' && meta.Enabled === true,
      );
      check(alias.AliasName!, 'rotation', rotation, rotation === true);
    }
    if (keyArns.size === 0) check(`${prefix}*`, 'KMS keys exist', 'none found', false);
    for (const r of (d.deployed.get(d.platformStack.stackName) ?? []).filter((x) => x.type === 'AWS::S3::Bucket')) {
      const sse = (await s3.send(new GetBucketEncryptionCommand({ Bucket: r.physicalId })))
        .ServerSideEncryptionConfiguration?.Rules?.[0]?.ApplyServerSideEncryptionByDefault;
      const accessLogs = r.logicalId.startsWith('AccessLogsBucket');
      const expectedKey = r.logicalId.startsWith('CaptureBucket') ? keyArns.get('data-capture') : keyArns.get('data');
      check(
        `s3://${r.physicalId}`,
        accessLogs ? 'SSE-S3 (log delivery supports only SSE-S3)' : 'SSE-KMS with its customer-managed key',
        `${sse?.SSEAlgorithm ?? 'none'}${sse?.KMSMasterKeyID ? ` ${sse.KMSMasterKeyID}` : ''}`,
        accessLogs
          ? sse?.SSEAlgorithm === 'AES256'
          : sse?.SSEAlgorithm === 'aws:kms' && sse.KMSMasterKeyID === expectedKey,
      );
    }
    for (const r of (d.deployed.get(d.platformStack.stackName) ?? []).filter(
      (x) => x.type === 'AWS::ECR::Repository',
    )) {
      const repo = (await ecr.send(new DescribeRepositoriesCommand({ repositoryNames: [r.physicalId] })))
        .repositories?.[0];
      check(
        `ecr ${r.physicalId}`,
        'immutable tags',
        repo?.imageTagMutability,
        repo?.imageTagMutability === 'IMMUTABLE',
      );
    }
    for (const stack of d.modelStacks) {
      const name = (type: string) => physicalId(d, stack, type);
      const ec = await sm.send(
        new DescribeEndpointConfigCommand({ EndpointConfigName: name('AWS::SageMaker::EndpointConfig') }),
      );
      const resource = `endpoint config ${ec.EndpointConfigName}`;
      check(
        resource,
        'storage KMS key (endpoint-storage)',
        ec.KmsKeyId,
        ec.KmsKeyId !== undefined && ec.KmsKeyId === keyArns.get('endpoint-storage'),
      );
      const capture = ec.DataCaptureConfig;
      if (capture?.EnableCapture) {
        check(
          resource,
          'capture KMS key (data-capture, not the storage key)',
          capture.KmsKeyId,
          capture.KmsKeyId === keyArns.get('data-capture') && capture.KmsKeyId !== ec.KmsKeyId,
        );
        check(
          resource,
          'capture sampling %',
          capture.InitialSamplingPercentage,
          (capture.InitialSamplingPercentage ?? 101) <= d.config.compliance.maxCaptureSamplingPercent,
        );
      }
      const ep = await sm.send(new DescribeEndpointCommand({ EndpointName: name('AWS::SageMaker::Endpoint') }));
      check(
        `endpoint ${ep.EndpointName}`,
        'serves the deployed config, in service',
        `${ep.EndpointConfigName}, ${ep.EndpointStatus}`,
        ep.EndpointConfigName === ec.EndpointConfigName && ep.EndpointStatus === 'InService',
      );
    }
  } finally {
    for (const c of [kms, s3, ecr, sm]) c.destroy();
  }
  return out;
}
