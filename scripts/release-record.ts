/**
 * The pipeline's ReleaseRecord step, after an environment's endpoint gate:
 *   npm run release:record -- --pipeline <name> --execution <id> --commit <sha> --environment <env> \
 *     [--config <file>] --assembly cdk.out --reports reports --bucket <bucket> --kms-key <arn> --retention-days <n>
 * Builds the release record (core/contracts/release-record.ts) from the checkout, the cloud assembly, the reports and
 * the execution's history, and writes it to the Object Lock bucket. With --out it also writes a local copy; without
 * --bucket it only writes that copy.
 */
import { writeFileSync } from 'node:fs';
import { CodePipelineClient } from '@aws-sdk/client-codepipeline';
import { S3Client } from '@aws-sdk/client-s3';
import { CommandSpec, OptionSpec, UsageError, Values, intOption, requireOptions, runAsMain } from '../lib/cli/args';
import { buildReleaseRecord, executionHistory, writeReleaseRecord } from './release/record';
import { EXECUTION_OPTIONS, PIPELINE_REGION_OPTION, stepClientConfig } from './release/step-options';

export const RELEASE_RECORD_COMMAND = {
  command: 'npm run release:record --',
  summary:
    'Writes the release record of one pipeline execution and environment (commit, config hash, digests,\ntemplate/report/SBOM hashes, gate verdicts, approval, model cards) to the Object Lock bucket.',
  options: {
    ...EXECUTION_OPTIONS,
    commit: { type: 'string', valueName: '<sha>', description: 'the source commit of the execution' },
    environment: { type: 'string', valueName: '<env>', description: 'the environment deployed' },
    config: { type: 'string', valueName: '<file>', description: 'the config file the synth used (default: cdk.json)' },
    assembly: { type: 'string', valueName: '<dir>', description: 'the cloud assembly (default: cdk.out)' },
    reports: { type: 'string', valueName: '<dir>', description: 'the reports directory (default: reports)' },
    bucket: { type: 'string', valueName: '<bucket>', description: 'the release-record bucket (Object Lock)' },
    'kms-key': { type: 'string', valueName: '<arn>', description: 'the KMS key that encrypts the records' },
    'retention-days': { type: 'string', valueName: '<n>', description: 'COMPLIANCE retention of the record, days' },
    out: { type: 'string', valueName: '<file>', description: 'also write the record to this local file' },
    region: PIPELINE_REGION_OPTION,
  },
  epilogue: 'exit codes: 0 written; 1 it could not be built or written; 2 wrong arguments.',
} as const satisfies CommandSpec<Record<string, OptionSpec>>;

type Options = Values<typeof RELEASE_RECORD_COMMAND.options>;

async function main(opts: Options): Promise<number> {
  requireOptions(opts, 'pipeline', 'execution', 'commit', 'environment');
  if (opts.bucket === undefined && opts.out === undefined) throw new UsageError('give --bucket, --out or both');
  if (opts.bucket !== undefined) requireOptions(opts, 'kms-key', 'retention-days');
  const clientConfig = stepClientConfig(opts.region);
  const now = new Date();
  const history = await executionHistory(new CodePipelineClient(clientConfig), opts.pipeline!, opts.execution!);
  const record = buildReleaseRecord(
    {
      root: process.cwd(),
      ...(opts.config !== undefined ? { configFile: opts.config } : {}),
      assembly: opts.assembly ?? 'cdk.out',
      reports: opts.reports ?? 'reports',
      environment: opts.environment!,
      pipelineName: opts.pipeline!,
      executionId: opts.execution!,
      commit: opts.commit!,
    },
    history,
    now,
  );
  if (opts.out !== undefined) writeFileSync(opts.out, `${JSON.stringify(record, null, 2)}\n`);
  if (opts.bucket !== undefined) {
    const written = await writeReleaseRecord(new S3Client(clientConfig), record, {
      bucket: opts.bucket,
      kmsKeyArn: opts['kms-key']!,
      retentionDays: intOption(opts['retention-days'], 'retention-days', 1)!,
      now,
    });
    console.log(
      `release:record: s3://${opts.bucket}/${written.key} (version ${written.versionId ?? '-'}), locked until ${written.retainUntil}`,
    );
  }
  return 0;
}

if (require.main === module) runAsMain(RELEASE_RECORD_COMMAND, main);
