/**
 * Builds one release record from a checkout, a cloud assembly, the reports and the execution's history, and writes
 * it to the Object Lock bucket (COMPLIANCE mode, explicit retain-until date, SSE-KMS with the record key).
 */
import { paginateListActionExecutions, type CodePipelineClient } from '@aws-sdk/client-codepipeline';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import {
  RELEASE_RECORD_KIND,
  RELEASE_RECORD_VERSION,
  ReleaseRecord,
  ReleaseRecordSchema,
  releaseRecordKey,
} from '../../core/contracts/release-record';
import { describeProblems, problemsOf } from '../../core/contracts/problems';
import { ActionExecution, approvalOf, gateVerdicts } from '../../lib/release/pipeline-history';
import { environmentEvidence, imagesOf, readConfig, reportEvidence } from './evidence';

export interface RecordInputs {
  readonly root: string;
  readonly configFile?: string;
  readonly assembly: string;
  readonly reports: string;
  readonly environment: string;
  readonly pipelineName: string;
  readonly executionId: string;
  readonly commit: string;
}

/** The execution's action history, every page. */
export async function executionHistory(
  client: CodePipelineClient,
  pipelineName: string,
  executionId: string,
): Promise<ActionExecution[]> {
  const out: ActionExecution[] = [];
  for await (const page of paginateListActionExecutions(
    { client },
    { pipelineName, filter: { pipelineExecutionId: executionId } },
  ))
    out.push(...(page.actionExecutionDetails ?? []));
  return out;
}

export function buildReleaseRecord(
  inputs: RecordInputs,
  history: readonly ActionExecution[],
  now: Date,
): ReleaseRecord {
  const { file, sha256, config } = readConfig(inputs.root, inputs.configFile);
  const environment = config.environments.find((e) => e.name === inputs.environment);
  if (!environment)
    throw new Error(
      `environment "${inputs.environment}" is not in ${file} [${config.environments.map((e) => e.name).join(', ')}]`,
    );
  const { templates, modelCards, validationReport } = environmentEvidence(inputs.assembly, inputs.environment);
  const approval = approvalOf(history, inputs.executionId, inputs.environment);
  const record = {
    kind: RELEASE_RECORD_KIND,
    version: RELEASE_RECORD_VERSION,
    projectName: config.projectName,
    environment: { name: environment.name, account: environment.account, region: environment.region },
    pipeline: { name: inputs.pipelineName, executionId: inputs.executionId },
    commit: inputs.commit,
    writtenAt: now.toISOString(),
    config: { file, sha256 },
    images: imagesOf(config),
    assembly: { templates, ...(validationReport ? { validationReport } : {}) },
    ...reportEvidence(inputs.reports),
    gates: gateVerdicts(history, inputs.executionId, inputs.environment),
    ...(approval ? { approval } : {}),
    modelCards,
  };
  const parsed = ReleaseRecordSchema.safeParse(record);
  if (!parsed.success) throw new Error(describeProblems('the release record', problemsOf(parsed.error.issues, record)));
  return parsed.data;
}

export interface WriteOptions {
  readonly bucket: string;
  readonly kmsKeyArn: string;
  readonly retentionDays: number;
  readonly now: Date;
}

/** Writes the record under releases/<environment>/<execution>.json, locked in COMPLIANCE mode. */
export async function writeReleaseRecord(
  s3: S3Client,
  record: ReleaseRecord,
  opts: WriteOptions,
): Promise<{ key: string; versionId?: string; retainUntil: string }> {
  const key = releaseRecordKey(record.environment.name, record.pipeline.executionId);
  const retainUntil = new Date(opts.now.getTime() + opts.retentionDays * 86_400_000);
  const out = await s3.send(
    new PutObjectCommand({
      Bucket: opts.bucket,
      Key: key,
      Body: `${JSON.stringify(record, null, 2)}\n`,
      ContentType: 'application/json',
      ServerSideEncryption: 'aws:kms',
      SSEKMSKeyId: opts.kmsKeyArn,
      ObjectLockMode: 'COMPLIANCE',
      ObjectLockRetainUntilDate: retainUntil,
      // Object Lock needs an integrity checksum on every put.
      ChecksumAlgorithm: 'SHA256',
    }),
  );
  return { key, ...(out.VersionId ? { versionId: out.VersionId } : {}), retainUntil: retainUntil.toISOString() };
}
