/**
 * The one config document, as a zod schema. `parseConfig` (loader.ts) is the only way in: it validates everything
 * and reports every problem at once, before any construct is built.
 */
import { z } from 'zod';
import { SEVERITIES, TAGS } from '../../core/policy/facts';
import { DRIFT_THRESHOLD_DEFAULTS } from '../../core/contracts/drift-report';
import {
  CLASSIFICATION_METRIC_KEYS,
  LABEL_FIELDS,
  OUTCOME_FAIRNESS_KEYS,
  PROBLEM_TYPES,
  QUALITY_DEFAULTS,
  REGRESSION_METRIC_KEYS,
  SCORE_FIELDS,
} from '../../core/contracts/quality';
import { ENDPOINT_ALARM_THRESHOLD_DEFAULTS, ENDPOINT_ROLLOUT_DEFAULTS } from '../../core/defaults/endpoint';

const NAME = /^[a-z][a-z0-9-]{0,30}[a-z0-9]$/;
const nameField = (what: string) =>
  z
    .string()
    .regex(NAME, `${what} must be 2-32 characters of lowercase letters, digits and '-', starting with a letter`);

const ACCOUNT = /^\d{12}$/;
const REGION = /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$/;
const regionField = z.string().regex(REGION, 'must be an AWS region code such as eu-west-1');
const idList = (prefix: string) =>
  z
    .array(z.string().regex(new RegExp(`^${prefix}-[0-9a-f]{8,17}$`), `must be ${prefix}-<hex id>`))
    .min(1)
    .readonly();

export const VpcSchema = z
  .object({
    /** Private subnets the model containers attach to (given by id: synth makes no lookups). */
    subnetIds: idList('subnet'),
    securityGroupIds: idList('sg'),
    /**
     * The VPC of the subnets and its private route tables: with them the platform stack creates the S3 gateway and
     * the KMS interface endpoint the drift detector needs inside the VPC. Without them, those
     * endpoints (or a NAT) must already exist.
     */
    vpcId: z
      .string()
      .regex(/^vpc-[0-9a-f]{8,17}$/, 'must be a VPC id (vpc-...)')
      .optional(),
    routeTableIds: idList('rtb').optional(),
  })
  .strict();

export const EnvironmentSchema = z
  .object({
    name: nameField('environment name'),
    account: z.string().regex(ACCOUNT, 'must be a 12-digit AWS account id'),
    region: regionField,
    /** A manual approval in the pipeline precedes deployment to this environment. */
    manualApproval: z.boolean().default(false),
    /** Production rules apply (gradual rollout with rollback alarms, stricter alarms). */
    production: z.boolean().default(false),
    /** Run model containers in this VPC. */
    vpc: VpcSchema.optional(),
    /** Turn on ECR enhanced (continuous) scanning for the whole registry of this account and region. */
    enhancedScanning: z.boolean().default(false),
    /**
     * Create the AWS Config custom rules of the compliance checker. Needs an AWS Config recorder in the account
     * and region (Control Tower accounts have one).
     */
    configRules: z.boolean().default(false),
  })
  .strict();

export const ComplianceSchema = z
  .object({
    allowedRegions: z.array(regionField).min(1).readonly(),
    captureRetentionDays: z.number().int().min(2).max(3650).default(30),
    maxCaptureSamplingPercent: z.number().int().min(1).max(100).default(20),
    /** Tags every resource must carry; DataClassification is always required. */
    requiredTags: z.array(z.string().min(1).max(128)).default(['Owner', 'CostCenter']).readonly(),
    dataClassifications: z
      .array(z.string().min(1))
      .min(1)
      .default(['public', 'internal', 'confidential', 'restricted'])
      .readonly(),
    maxFindingSeverity: z.enum(SEVERITIES).default('MEDIUM'),
    imageScanMaxAgeDays: z.number().int().min(1).max(365).default(7),
    requireVpc: z.boolean().default(false),
    /**
     * Regions the run-time compliance checker reads SageMaker and ECR resources in, so resources created outside
     * allowedRegions are found (residency). List every region the account uses. Default: the allowed regions.
     */
    scanRegions: z.array(regionField).min(1).readonly().optional(),
  })
  .strict();

export const RolloutSchema = z
  .object({
    strategy: z.enum(['CANARY', 'LINEAR', 'ALL_AT_ONCE']).default(ENDPOINT_ROLLOUT_DEFAULTS.strategy),
    /** CANARY: share of capacity that takes traffic first. LINEAR: share shifted per step. */
    stepPercent: z.number().int().min(1).max(50).default(ENDPOINT_ROLLOUT_DEFAULTS.stepPercent),
    /** Seconds to watch the alarms between steps. */
    waitSeconds: z.number().int().min(60).max(3600).default(ENDPOINT_ROLLOUT_DEFAULTS.waitSeconds),
    /** Seconds the old (blue) fleet stays up after traffic has moved. */
    terminationWaitSeconds: z.number().int().min(0).max(3600).default(ENDPOINT_ROLLOUT_DEFAULTS.terminationWaitSeconds),
    /** Longest the whole blue/green deployment may take. */
    maximumExecutionTimeoutSeconds: z
      .number()
      .int()
      .min(600)
      .max(28800)
      .default(ENDPOINT_ROLLOUT_DEFAULTS.maximumExecutionTimeoutSeconds),
  })
  .strict();

export const DataCaptureSchema = z
  .object({
    enabled: z.boolean().default(true),
    samplingPercent: z.number().int().min(1).max(100).default(10),
    captureInput: z.boolean().default(true),
    captureOutput: z.boolean().default(true),
  })
  .strict();

export const FeatureSchema = z
  .object({
    name: z.string().min(1).max(64),
    type: z.enum(['numeric', 'categorical']),
  })
  .strict();

export const ThresholdsSchema = z
  .object({
    /** Population Stability Index per feature above which the feature has drifted. */
    psi: z.number().positive().max(10).default(DRIFT_THRESHOLD_DEFAULTS.psi),
    /** Kolmogorov-Smirnov statistic (numeric features). */
    ks: z.number().positive().max(1).default(DRIFT_THRESHOLD_DEFAULTS.ks),
    /** Jensen-Shannon distance (base 2, 0..1). */
    jsDistance: z.number().positive().max(1).default(DRIFT_THRESHOLD_DEFAULTS.jsDistance),
    /** Prediction distribution PSI. */
    predictionPsi: z.number().positive().max(10).default(DRIFT_THRESHOLD_DEFAULTS.predictionPsi),
    /** Disparate impact ratio below which fairness alarms (four-fifths rule). */
    disparateImpactMin: z.number().min(0).max(1).default(DRIFT_THRESHOLD_DEFAULTS.disparateImpactMin),
    /** Demographic parity difference above which fairness alarms. */
    parityDifferenceMax: z.number().min(0).max(1).default(DRIFT_THRESHOLD_DEFAULTS.parityDifferenceMax),
    /**
     * Records a window needs before drift statistics are published. A capture file with fewer is pooled with the
     * next small files of the same variant (the rolling window) until they hold this many together.
     */
    minSamples: z.number().int().min(1).default(DRIFT_THRESHOLD_DEFAULTS.minSamples),
    /**
     * Fairness groups with fewer records in the window are left out of disparate impact and parity (and counted in
     * FairnessGroupsExcluded): at 100 records and a 20% positive rate the rate's standard error is already 0.04.
     */
    minGroupSize: z.number().int().min(1).default(DRIFT_THRESHOLD_DEFAULTS.minGroupSize),
    /** A rolling window of small files older than this is discarded (counted in ExpiredWindowRecords), not judged. */
    windowMaxAgeHours: z.number().int().min(1).max(720).default(DRIFT_THRESHOLD_DEFAULTS.windowMaxAgeHours),
    /** p99 ModelLatency, milliseconds (converted to the metric's microseconds). */
    latencyP99Ms: z.number().positive().default(ENDPOINT_ALARM_THRESHOLD_DEFAULTS.latencyP99Ms),
    /** 5XX errors per minute that trigger an alarm (and a rollback). */
    errors5xxPerMinute: z.number().int().min(1).default(ENDPOINT_ALARM_THRESHOLD_DEFAULTS.errors5xxPerMinute),
    /** 4XX share of invocations, percent. */
    error4xxRatePercent: z.number().min(0.1).max(100).default(ENDPOINT_ALARM_THRESHOLD_DEFAULTS.error4xxRatePercent),
  })
  .strict();

/** An object of optional numbers keyed by metric name; unknown keys are refused (a typo must not pass silently). */
function metricNumbers<K extends string>(keys: readonly K[], value: z.ZodNumber) {
  return z
    .object(Object.fromEntries(keys.map((k) => [k, value.optional()])) as Record<K, z.ZodOptional<z.ZodNumber>>)
    .strict();
}
const QUALITY_METRIC_KEYS = [...CLASSIFICATION_METRIC_KEYS, ...REGRESSION_METRIC_KEYS];

/**
 * Model quality from delayed ground truth: labels (SageMaker's ground-truth JSON Lines, under the model's
 * ground-truth prefix) joined to the captured predictions, judged per window against reference values.
 */
export const QualitySchema = z
  .object({
    /** binary-classification: accuracy, precision, recall, F1, FPR, ROC AUC; regression: MAE, RMSE, R2. */
    problemType: z.enum(PROBLEM_TYPES).default(QUALITY_DEFAULTS.problemType),
    /** Output object field holding the predicted label; default: the first of predicted_label, label, prediction. */
    labelField: z.enum(LABEL_FIELDS).optional(),
    /** Output object field holding the score; default: the first of score, probability. No score: no ROC AUC. */
    scoreField: z.enum(SCORE_FIELDS).optional(),
    /** The negative label of a binary classifier (the positive one is monitoring.positiveLabel). */
    negativeLabel: z.union([z.string(), z.number()]).default(QUALITY_DEFAULTS.negativeLabel),
    /** An output with a score but no label is positive at score >= decisionThreshold. */
    decisionThreshold: z.number().min(0).max(1).default(QUALITY_DEFAULTS.decisionThreshold),
    /** Labelled records a window needs before quality is computed (fewer: counted, not judged). */
    minLabelled: z.number().int().min(2).default(QUALITY_DEFAULTS.minLabelled),
    /** Longest a label may arrive after its prediction; also how long a window waits before labels count as stopped. */
    maxLabelDelayHours: z.number().int().min(1).max(8760).default(QUALITY_DEFAULTS.maxLabelDelayHours),
    /** Reference value per metric (e.g. from a labelled validation set); a metric without one is reported, not alarmed. */
    reference: metricNumbers(QUALITY_METRIC_KEYS, z.number()).default({}),
    /** Tolerated drop per metric below its reference (rise, for falsePositiveRate, mae, rmse); default 0.05. */
    tolerance: metricNumbers(QUALITY_METRIC_KEYS, z.number().min(0)).default({}),
    /** Outcome-fairness differences above which fairness alarms; default 0.1 each. */
    fairnessMax: metricNumbers(OUTCOME_FAIRNESS_KEYS, z.number().min(0).max(1)).default({}),
  })
  .strict();

export const MonitoringSchema = z
  .object({
    features: z.array(FeatureSchema).min(1),
    /** A feature whose groups fairness is measured across (e.g. gender); must be one of the features. */
    sensitiveAttribute: z.string().optional(),
    /** Prediction values counted as the positive outcome for fairness. */
    positiveLabel: z.union([z.string(), z.number()]).default(1),
    thresholds: ThresholdsSchema.default(ThresholdsSchema.parse({})),
    /** Write a drift report for every judged capture window, not only those crossing a threshold (default false). */
    reportAllWindows: z.boolean().optional(),
    /**
     * SageMaker Model Monitor data-quality schedule, for accounts that still have Model Monitor: the S3 URIs of its
     * own baseline (statistics.json, constraints.json). Runs beside our detector, alarmed on its own metrics.
     */
    modelMonitor: z
      .object({
        statisticsS3Uri: z.string().regex(/^s3:\/\/[a-z0-9.-]{3,63}\/.+/, 'must be an s3://bucket/key URI'),
        constraintsS3Uri: z.string().regex(/^s3:\/\/[a-z0-9.-]{3,63}\/.+/, 'must be an s3://bucket/key URI'),
      })
      .strict()
      .optional(),
    /** Path of the baseline document (`npm run baseline`) shipped to S3 with the model's stack. */
    baselineFile: z.string().optional(),
    /** Model quality and outcome fairness from delayed ground truth (absent: no quality monitoring). */
    quality: QualitySchema.optional(),
  })
  .strict();

export const ModelSchema = z
  .object({
    name: nameField('model name'),
    image: z
      .object({
        /** ECR repository name in the platform registry. */
        repository: z.string().regex(/^[a-z0-9]+([._/-][a-z0-9]+)*$/, 'must be a valid ECR repository name'),
        /** Immutable tag (or digest) to deploy. `latest` is refused: tags are immutable. */
        tag: z
          .string()
          .regex(/^([A-Za-z0-9_][A-Za-z0-9_.-]{0,127}|sha256:[a-f0-9]{64})$/, 'must be an image tag or sha256 digest')
          .refine((t) => t !== 'latest', 'must not be "latest": pin an immutable version tag or digest'),
        /**
         * The image manifest digest the tag was pushed as (`sha256:<64 hex>`, the model-image workflow's output). When
         * given, the model runs by this digest in every environment, the image gates judge it and the model card and
         * release record name it. Required when the config has a pipeline (one build, promoted by digest).
         */
        digest: z
          .string()
          .regex(/^sha256:[a-f0-9]{64}$/, 'must be an image manifest digest, sha256:<64 hex>')
          .optional(),
      })
      .strict(),
    /**
     * Object key of the model artefacts (model.tar.gz) in the environment's artifacts bucket, when the image does
     * not contain the model. A key, not a URL: each environment has its own governed artifacts bucket.
     */
    modelDataKey: z
      .string()
      .regex(/^[A-Za-z0-9!_.*'()/-]+$/, 'must be an S3 object key such as models/fraud-xgb/1.0.0/model.tar.gz')
      .refine((k) => !k.startsWith('/'), 'must not start with "/"')
      .optional(),
    instanceType: z
      .string()
      .regex(/^ml\.[a-z0-9]+\.[a-z0-9]+$/, 'must be a SageMaker instance type such as ml.m5.large'),
    instanceCount: z.number().int().min(1).max(100).default(2),
    autoScaling: z
      .object({
        minCapacity: z.number().int().min(1),
        maxCapacity: z.number().int().min(1),
        /** Target SageMakerVariantInvocationsPerInstance per minute. */
        targetInvocationsPerInstance: z.number().int().min(1).default(1000),
      })
      .strict()
      .optional(),
    rollout: RolloutSchema.default(RolloutSchema.parse({})),
    dataCapture: DataCaptureSchema.default(DataCaptureSchema.parse({})),
    monitoring: MonitoringSchema,
    /** What the SageMaker model card says: reviewers and auditors read it. */
    card: z
      .object({
        description: z.string().min(1).max(1024).default('Model deployed by the MLOps platform.'),
        intendedUses: z.string().min(1).max(2048).default('See the model owner for intended uses.'),
        /** Uses the model must not be put to, and the conditions it was not validated for (model card "factors"). */
        limitations: z.string().min(1).max(2048).optional(),
        /** Why the risk rating is what it is (model card "explanations for risk rating"). */
        riskRationale: z.string().min(1).max(2048).optional(),
        riskRating: z.enum(['High', 'Medium', 'Low', 'Unknown']).default('Unknown'),
        ethicalConsiderations: z
          .string()
          .max(2048)
          .default(
            'Fairness is monitored across the configured sensitive attribute; drift and fairness alarms notify the owner.',
          ),
        owner: z.string().max(1024).optional(),
      })
      .strict()
      .default({
        description: 'Model deployed by the MLOps platform.',
        intendedUses: 'See the model owner for intended uses.',
        riskRating: 'Unknown',
        ethicalConsiderations:
          'Fairness is monitored across the configured sensitive attribute; drift and fairness alarms notify the owner.',
      }),
    /** Value of the DataClassification tag on this model's resources. */
    dataClassification: z.string().default('confidential'),
    /** Extra tags for this model's resources. */
    tags: z.record(z.string(), z.string()).default({}),
  })
  .strict();

/** GitHub Actions reaching AWS through OIDC (no stored keys): see GithubOidcStack. */
export const GithubSchema = z
  .object({
    /** The only repository whose workflows may assume the roles, `owner/name`. */
    repository: z
      .string()
      .regex(/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/, 'must be owner/name of a GitHub repository, e.g. acme/mlops'),
    /** Only pushes to this branch may publish model images. */
    imageBranch: z
      .string()
      .regex(/^[A-Za-z0-9._\/-]+$/, 'must be a branch name')
      .default('main'),
    /** Create a deploy role per environment, assumable only by jobs in the GitHub environment of the same name. */
    deployRoles: z.boolean().default(false),
    /** Qualifier of the CDK bootstrap roles the deploy roles may assume. */
    bootstrapQualifier: z
      .string()
      .regex(/^[a-z0-9]{1,10}$/, 'must be a CDK bootstrap qualifier')
      .default('hnb659fds'),
  })
  .strict();

/** A git branch name as git allows it (no spaces, no `..`, no leading `-`). */
const BRANCH = /^(?!-)(?!.*\.\.)[A-Za-z0-9._/-]{1,255}$/;
/** A CodePipeline V2 trigger file-path glob (at most 8 per list). */
const filePathGlobs = z
  .array(z.string().min(1).max(255))
  .max(8, 'CodePipeline allows at most 8 file-path globs per list');

/** Changes that start the pipeline by default: code, config and baselines; documentation alone does not. */
const DEFAULT_TRIGGER_PATHS = {
  include: [
    'bin/**',
    'core/**',
    'lib/**',
    'lambda/**',
    'baselines/**',
    'config/**',
    'cdk.json',
    // package.json and package-lock.json in one glob: CodePipeline takes at most 8.
    'package*.json',
  ],
  exclude: ['**/*.md'],
} as const;

/**
 * Release integrity of the pipeline: where the one image build lives and is promoted from, how long an approval
 * stays valid, and how long release records are locked.
 */
export const ReleaseSchema = z
  .object({
    /**
     * The environment whose registry the model image is pushed to once (by the model-image workflow); its
     * PlatformStack replicates the model repositories to every other environment's registry (ECR cross-account,
     * cross-region replication), so each environment runs the same digest from its own registry.
     * Default: the first environment.
     */
    imageSource: nameField('release.imageSource').optional(),
    /**
     * An approval older than this (hours since it was given) no longer lets a deployment through: retrying the stage
     * later needs a new approval. The evidence an approver saw (the image gate before the approval) may not be older
     * than this either when the approval is given.
     */
    approvalMaxAgeHours: z.number().int().min(1).max(168).default(24),
    /** Days each release record is locked in COMPLIANCE mode (S3 Object Lock): nobody can delete or change it. */
    recordRetentionDays: z.number().int().min(1).max(36500).default(2557),
  })
  .strict();

/**
 * The delivery pipeline (optional): a CodePipeline V2 in the tooling account that a push to `branch` starts, and that
 * carries the change through the gates to every environment in config order.
 */
export const PipelineSchema = z
  .object({
    /** Tooling account the pipeline lives in (environments live in their own accounts). */
    account: z.string().regex(ACCOUNT, 'must be a 12-digit AWS account id'),
    /** Tooling region; data-residency rules apply (compliance.allowedRegions). */
    region: regionField,
    /** CodeConnections (`arn:aws:codeconnections:...`) or older CodeStar Connections ARN of the GitHub connection. */
    connectionArn: z
      .string()
      .regex(
        /^arn:aws[a-z-]*:(codeconnections|codestar-connections):[a-z0-9-]+:\d{12}:connection\/[0-9a-f-]{36}$/,
        'must be a connection ARN such as arn:aws:codeconnections:eu-west-1:123456789012:connection/<uuid> (create it in the console: Developer Tools > Settings > Connections)',
      ),
    /** Source repository as `owner/name`. */
    repository: z
      .string()
      .regex(/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/, 'must be a repository as owner/name, e.g. example-org/mlops'),
    /** The only branch whose pushes start the pipeline (pull requests are checked in CI, never deployed). */
    branch: z.string().regex(BRANCH, 'must be a git branch name such as main').default('main'),
    /** Which changed files start the pipeline. */
    filePaths: z
      .object({
        include: filePathGlobs.min(1).default([...DEFAULT_TRIGGER_PATHS.include]),
        exclude: filePathGlobs.default([...DEFAULT_TRIGGER_PATHS.exclude]),
      })
      .strict()
      .default({ include: [...DEFAULT_TRIGGER_PATHS.include], exclude: [...DEFAULT_TRIGGER_PATHS.exclude] }),
    /** Image promotion, approval expiry and release records. */
    release: ReleaseSchema.default(ReleaseSchema.parse({})),
  })
  .strict();

export const ConfigSchema = z
  .object({
    /** Where editors find this document's JSON Schema (lib/config/mlops-config.schema.json); not used otherwise. */
    $schema: z.string().optional(),
    projectName: nameField('projectName'),
    environments: z.array(EnvironmentSchema).min(1),
    compliance: ComplianceSchema,
    /** Tags on every resource; must cover compliance.requiredTags (DataClassification comes per model). */
    tags: z.record(z.string(), z.string()).default({}),
    models: z.array(ModelSchema).min(1),
    /** Notification e-mail for alarms (optional; the SNS topic is always created). */
    alarmEmail: z.string().email().optional(),
    /** GitHub OIDC provider and roles for the image and deploy workflows (optional). */
    github: GithubSchema.optional(),
    /** The delivery pipeline; absent: no pipeline, environments are deployed with `cdk deploy`. */
    pipeline: PipelineSchema.optional(),
  })
  .strict();

export type MlopsConfig = z.infer<typeof ConfigSchema>;
export type EnvironmentConfig = z.infer<typeof EnvironmentSchema>;
export type ModelConfig = z.infer<typeof ModelSchema>;
export type ComplianceConfig = z.infer<typeof ComplianceSchema>;
export type RolloutConfig = z.infer<typeof RolloutSchema>;
export type MonitoringConfig = z.infer<typeof MonitoringSchema>;
export type ThresholdsConfig = z.infer<typeof ThresholdsSchema>;
export type FeatureConfig = z.infer<typeof FeatureSchema>;
export type QualityConfig = z.infer<typeof QualitySchema>;
export type VpcConfig = z.infer<typeof VpcSchema>;
export type GithubConfig = z.infer<typeof GithubSchema>;
export type PipelineConfig = z.infer<typeof PipelineSchema>;
export type ReleaseConfig = z.infer<typeof ReleaseSchema>;

export { TAGS };
