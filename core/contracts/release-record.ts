/**
 * The release record: one JSON document per pipeline execution and environment deployed, written by the pipeline's
 * ReleaseRecord step to the Object Lock bucket, and read back by `npm run release:verify`. Defined once here (zod),
 * with its JSON Schema generated from the same definition (core/contracts/release-record.schema.json). Pure.
 */
import { z } from 'zod';

export const RELEASE_RECORD_KIND = 'mlops-release-record';
export const RELEASE_RECORD_VERSION = 1;
/** Where the generated JSON Schema is committed, relative to the repository root. */
export const RELEASE_RECORD_JSON_SCHEMA_PATH = 'core/contracts/release-record.schema.json';
/** Key prefix of the records in the release-record bucket: `releases/<environment>/<execution id>.json`. */
export const RELEASE_RECORD_PREFIX = 'releases';

const SHA256 = z.string().regex(/^[a-f0-9]{64}$/, 'must be a lowercase hex SHA-256');
const DIGEST = z.string().regex(/^sha256:[a-f0-9]{64}$/, 'must be an image digest, sha256:<64 hex>');
const TIME = z.iso.datetime({ offset: true });

/** A file and the SHA-256 of its bytes; `file` is relative to the directory it was found in. */
export const HashedFileSchema = z.strictObject({ file: z.string().min(1), sha256: SHA256 });

export const GateVerdictSchema = z.strictObject({
  /** The CodePipeline action, e.g. `ImageGate`, `ImageGateAfterApproval`, `EndpointGate`. */
  action: z.string().min(1),
  /** CodePipeline's status of the action execution: Succeeded, Failed, InProgress, Abandoned. */
  status: z.string().min(1),
  /** What the gate answered (PutJobSuccessResult summary or failure message), as CodePipeline kept it. */
  summary: z.string(),
  /** The counts at the start of the gate's answer (core/contracts/pipeline-gate.ts), when it gave them. */
  counts: z
    .strictObject({
      findings: z.number().int().min(0),
      resources: z.number().int().min(0),
      failing: z.number().int().min(0),
      failingRules: z.array(z.string()),
      unreadable: z.number().int().min(0).optional(),
      missing: z.number().int().min(0).optional(),
    })
    .optional(),
  /** When the action finished (or last changed). */
  at: TIME.optional(),
});

export const ApprovalSchema = z.strictObject({
  /** The IAM identity that approved (CodePipeline's `updatedBy`). */
  approver: z.string().min(1),
  /** When the approval was requested, and when it was given. */
  requestedAt: TIME,
  approvedAt: TIME,
  /** The approver's comment. */
  comment: z.string().optional(),
});

export const ReleaseRecordSchema = z.strictObject({
  kind: z.literal(RELEASE_RECORD_KIND),
  version: z.literal(RELEASE_RECORD_VERSION),
  projectName: z.string().min(1),
  environment: z.strictObject({
    name: z.string().min(1),
    account: z.string().regex(/^\d{12}$/),
    region: z.string().min(1),
  }),
  pipeline: z.strictObject({ name: z.string().min(1), executionId: z.string().min(1) }),
  /** The source commit the execution built. */
  commit: z.string().min(1),
  writtenAt: TIME,
  /** The config file the synth used (relative to the repository; `cdk.json` for the embedded default). */
  config: HashedFileSchema,
  /** The images the environment runs, each by digest. */
  images: z
    .array(
      z.strictObject({
        model: z.string().min(1),
        repository: z.string().min(1),
        tag: z.string().min(1),
        digest: DIGEST,
      }),
    )
    .min(1),
  /** The environment's templates in the cloud assembly (relative to it), and the validation report. */
  assembly: z.strictObject({
    templates: z.array(HashedFileSchema).min(1),
    validationReport: HashedFileSchema.optional(),
  }),
  /** The security reports (SARIF, Markdown, HTML) of the synth, relative to the reports directory. */
  reports: z.array(HashedFileSchema),
  /** The CycloneDX SBOMs of the synth, relative to the reports directory. */
  sboms: z.array(HashedFileSchema),
  /** Every gate action of the environment's stage in this execution, in pipeline order. */
  gates: z.array(GateVerdictSchema),
  /** The manual approval of this execution, when the environment has one. */
  approval: ApprovalSchema.optional(),
  /** The model cards the environment's templates define: name, status and the SHA-256 of their content. */
  modelCards: z.array(z.strictObject({ name: z.string().min(1), status: z.string().min(1), sha256: SHA256 })),
});

export type ReleaseRecord = z.output<typeof ReleaseRecordSchema>;
export type HashedFile = z.output<typeof HashedFileSchema>;
export type GateVerdict = z.output<typeof GateVerdictSchema>;
export type Approval = z.output<typeof ApprovalSchema>;

/** The record's object key in the release-record bucket. */
export function releaseRecordKey(environment: string, executionId: string): string {
  return `${RELEASE_RECORD_PREFIX}/${environment}/${executionId}.json`;
}

export function releaseRecordJsonSchema(): Record<string, unknown> {
  const generated = z.toJSONSchema(ReleaseRecordSchema, { io: 'input' }) as Record<string, unknown>;
  const { $schema, ...rest } = generated;
  return {
    $schema,
    $id: 'https://github.com/mlops-secure-delivery/release-record.schema.json',
    title: 'MLOps release record',
    description:
      'One per pipeline execution and environment deployed: commit, config hash, image digests, template, report and SBOM hashes, gate verdicts, approval, model cards. Written to an S3 Object Lock bucket (COMPLIANCE mode).',
    ...rest,
  };
}

export function releaseRecordJsonSchemaText(): string {
  return `${JSON.stringify(releaseRecordJsonSchema(), null, 2)}\n`;
}
