/**
 * Reads the config document once — from CDK context (`-c config=path.json`, else the default embedded in cdk.json)
 * — validates it with the schema and the cross-field rules, and returns typed objects. The only place that reads
 * context or config files.
 */
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { isAbsolute, normalize, relative, resolve } from 'node:path';
import { z } from 'zod';
import { Problem, describeProblems, problemsOf } from '../../core/contracts/problems';
import { CompliancePolicy } from '../../core/policy/context';
import { TAGS } from '../../core/policy/facts';
import { isRegionAllowed } from '../../core/policy/rules/residency';
import { baselineFileProblems } from './baseline-file';
import { knownKeysAt, didYouMean } from './did-you-mean';
import {
  BUCKET_NAME_MAX,
  EnvironmentNaming,
  MODEL_CARD_SUFFIX,
  MONITORING_SCHEDULE_SUFFIX,
  NAMED_BUCKET_PURPOSES,
  SAGEMAKER_NAME_MAX,
  bucketName,
  endpointName,
} from '../../core/defaults/names';
import {
  ComplianceSchema,
  ConfigSchema,
  DataCaptureSchema,
  EnvironmentSchema,
  MlopsConfig,
  ModelSchema,
  MonitoringSchema,
  PipelineSchema,
  QualitySchema,
  RolloutSchema,
} from './schema';
import { CLASSIFICATION_METRIC_KEYS, QUALITY_DEFAULTS, REGRESSION_METRIC_KEYS } from '../../core/contracts/quality';

/** Context key a user sets to a config file path: `cdk synth -c config=path/to/file.json`. */
export const CONFIG_CONTEXT_KEY = 'config';
/** Context key holding the embedded default config document (cdk.json). */
export const DEFAULT_CONFIG_CONTEXT_KEY = 'mlops:defaultConfig';

/** A problem of the config document: its JSON path (`models[0].rollout.stepPercent`), the value and the fix. */
export type ConfigProblem = Problem;

export class ConfigError extends Error {
  constructor(
    readonly source: string,
    readonly problems: readonly ConfigProblem[],
  ) {
    super(describeProblems(`Invalid MLOps config (${source})`, problems, { max: 80 }));
    this.name = 'ConfigError';
  }
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const asArray = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/**
 * The fields of `raw` that pass their own schema (defaults filled in): the cross-field rules run on these, so they
 * are reported in the same run as the schema errors of other fields, never hidden behind them.
 */
function validFields<S extends z.ZodObject>(schema: S, raw: unknown): Partial<z.output<S>> {
  const obj = isObj(raw) ? raw : {};
  const out: Obj = {};
  for (const [k, field] of Object.entries(schema.shape)) {
    const r = (field as z.ZodType).safeParse(obj[k]);
    if (r.success && r.data !== undefined) out[k] = r.data;
  }
  return out as Partial<z.output<S>>;
}

/** Items whose `name` repeats an earlier one: reported at the repeat, naming the first. */
function duplicateNames(items: unknown[], at: string, what: string, add: AddProblem): void {
  const first = new Map<string, number>();
  items.forEach((item, i) => {
    const name = isObj(item) ? item.name : undefined;
    if (typeof name !== 'string') return;
    const j = first.get(name);
    if (j === undefined) first.set(name, i);
    else add(`${at}[${i}].name`, name, `${what} "${name}" is already used by ${at}[${j}]; give each a unique name`);
  });
}

type AddProblem = (path: string, received: unknown, message: string) => void;

/** Derived resource names must fit AWS limits: checked here so a long projectName is a config error. */
function nameLimitProblems(doc: Obj, add: AddProblem): void {
  const project = ConfigSchema.shape.projectName.safeParse(doc.projectName);
  if (!project.success) return;
  const envs = asArray(doc.environments).map((e) => validFields(EnvironmentSchema, e));
  envs.forEach((env, i) => {
    if (env.name === undefined || env.account === undefined || env.region === undefined) return;
    for (const purpose of NAMED_BUCKET_PURPOSES) {
      const name = bucketName(project.data, env as EnvironmentNaming, purpose);
      if (name.length > BUCKET_NAME_MAX)
        add(
          'projectName',
          project.data,
          `makes the ${purpose} bucket name of environments[${i}] "${name}" ${name.length} characters; S3 allows ${BUCKET_NAME_MAX}: shorten projectName or environments[${i}].name by ${name.length - BUCKET_NAME_MAX}`,
        );
    }
    asArray(doc.models).forEach((m, k) => {
      const model = validFields(ModelSchema, m);
      if (model.name === undefined) return;
      const monitor = isObj(m) && isObj(m.monitoring) && m.monitoring.modelMonitor !== undefined;
      const stem = endpointName(project.data, env.name as string, model.name);
      const longest = stem + (monitor ? MONITORING_SCHEDULE_SUFFIX : MODEL_CARD_SUFFIX);
      if (longest.length > SAGEMAKER_NAME_MAX)
        add(
          `models[${k}].name`,
          model.name,
          `makes "${longest}" (${monitor ? 'Model Monitor schedule' : 'model card'} of endpoint "${stem}" in environments[${i}]) ${longest.length} characters; SageMaker allows ${SAGEMAKER_NAME_MAX}: shorten projectName, environments[${i}].name or the model name by ${longest.length - SAGEMAKER_NAME_MAX}`,
        );
    });
  });
}

type Compliance = Partial<z.output<typeof ComplianceSchema>>;

/**
 * Cross-field rules the per-field schema cannot express, one check per concern; they read only fields that are
 * valid on their own.
 */
function crossFieldProblems(doc: Obj, add: AddProblem): void {
  // compliance is required: without it, rules would judge against defaults the user never chose.
  const compliance = isObj(doc.compliance) ? validFields(ComplianceSchema, doc.compliance) : {};
  duplicateNames(asArray(doc.environments), 'environments', 'environment name', add);
  duplicateNames(asArray(doc.models), 'models', 'model name', add);
  duplicateAccountRegions(doc, add);
  environmentPolicyProblems(doc, compliance, add);
  requiredTagProblems(doc, compliance, add);
  asArray(doc.models).forEach((raw, i) => modelProblems(isObj(raw) ? raw : {}, `models[${i}]`, compliance, add));
  nameLimitProblems(doc, add);
  pipelineProblems(doc, compliance.allowedRegions, add);
}

/**
 * Two environments in one account and region would create the same resources (ECR repository, named buckets):
 * the second deploy fails. Reported at the repeat, naming the first.
 */
function duplicateAccountRegions(doc: Obj, add: AddProblem): void {
  const first = new Map<string, number>();
  asArray(doc.environments).forEach((raw, i) => {
    const env = validFields(EnvironmentSchema, raw);
    if (env.account === undefined || env.region === undefined) return;
    const key = `${env.account}/${env.region}`;
    const j = first.get(key);
    if (j === undefined) first.set(key, i);
    else
      add(
        `environments[${i}].account`,
        { account: env.account, region: env.region },
        `environments[${i}] ("${String(env.name)}") and environments[${j}] both deploy to account ${env.account} in ${env.region}: they would create the same ECR repository and buckets, and the second deploy fails; give each environment its own account or region`,
      );
  });
}

/** Each environment against the compliance policy: residency of its region, a VPC when one is required. */
function environmentPolicyProblems(doc: Obj, compliance: Compliance, add: AddProblem): void {
  asArray(doc.environments).forEach((raw, i) => {
    const env = validFields(EnvironmentSchema, raw);
    const allowed = compliance.allowedRegions;
    if (env.region !== undefined && allowed !== undefined && !isRegionAllowed(env.region, { allowedRegions: allowed }))
      add(
        `environments[${i}].region`,
        env.region,
        `region is outside compliance.allowedRegions [${allowed.join(', ')}] (data residency); deploy to an allowed region or extend the list after legal review`,
      );
    if (compliance.requireVpc === true && isObj(raw) && raw.vpc === undefined)
      add(
        `environments[${i}].vpc`,
        undefined,
        'compliance.requireVpc is true: give the environment vpc.subnetIds and vpc.securityGroupIds',
      );
  });
}

/** The tags must define every key compliance.requiredTags names (the data classification comes per model). */
function requiredTagProblems(doc: Obj, compliance: Compliance, add: AddProblem): void {
  const tags = ConfigSchema.shape.tags.safeParse(doc.tags);
  if (!tags.success || compliance.requiredTags === undefined) return;
  const missing = compliance.requiredTags.filter((t) => t !== TAGS.DATA_CLASSIFICATION && !(t in tags.data));
  if (missing.length > 0)
    add('tags', tags.data, `must define every compliance.requiredTags key; missing: ${missing.join(', ')}`);
}

/** One model's cross-field rules. */
function modelProblems(raw: Obj, at: string, compliance: Compliance, add: AddProblem): void {
  const m = validFields(ModelSchema, raw);
  capacityProblems(m, raw, at, add);
  captureProblems(m, raw, at, compliance, add);
  if (
    m.dataClassification !== undefined &&
    compliance.dataClassifications !== undefined &&
    !compliance.dataClassifications.includes(m.dataClassification)
  )
    add(
      `${at}.dataClassification`,
      m.dataClassification,
      `must be one of compliance.dataClassifications [${compliance.dataClassifications.join(', ')}]`,
    );
  monitoringProblems(raw.monitoring, `${at}.monitoring`, add);
}

type Model = Partial<z.output<typeof ModelSchema>>;

/** Instance count within the auto scaling bounds, and enough instances for a canary to be a fraction. */
function capacityProblems(m: Model, raw: Obj, at: string, add: AddProblem): void {
  if (m.autoScaling) {
    const { minCapacity, maxCapacity } = m.autoScaling;
    if (minCapacity > maxCapacity)
      add(`${at}.autoScaling.minCapacity`, minCapacity, `must be <= autoScaling.maxCapacity (${maxCapacity})`);
    if (m.instanceCount !== undefined && (m.instanceCount < minCapacity || m.instanceCount > maxCapacity))
      add(
        `${at}.instanceCount`,
        m.instanceCount,
        `must lie within autoScaling bounds [${minCapacity}, ${maxCapacity}]`,
      );
  }
  const strategy = validFields(RolloutSchema, raw.rollout).strategy;
  if (strategy === 'CANARY' && m.instanceCount !== undefined && m.instanceCount < 2)
    add(
      `${at}.instanceCount`,
      m.instanceCount,
      'a CANARY rollout needs at least 2 instances so the canary is a fraction of the fleet',
    );
}

/** Data capture: within the sampling maximum (data minimisation), capturing something, with a baseline to judge. */
function captureProblems(m: Model, raw: Obj, at: string, compliance: Compliance, add: AddProblem): void {
  const capture = validFields(DataCaptureSchema, raw.dataCapture);
  if (!capture.enabled) return;
  const max = compliance.maxCaptureSamplingPercent;
  if (capture.samplingPercent !== undefined && max !== undefined && capture.samplingPercent > max)
    add(
      `${at}.dataCapture.samplingPercent`,
      capture.samplingPercent,
      `must be <= compliance.maxCaptureSamplingPercent (${max}) (data minimisation)`,
    );
  if (capture.captureInput === false && capture.captureOutput === false)
    add(
      `${at}.dataCapture`,
      raw.dataCapture,
      'capture is enabled but neither input nor output is captured; enable one or set enabled: false',
    );
  if (isObj(raw.monitoring) && raw.monitoring.baselineFile === undefined)
    add(
      `${at}.monitoring.baselineFile`,
      undefined,
      `is required when data capture is enabled, so the drift detector has a baseline: build one with \`npm run baseline -- --config <config> --model ${String(m.name ?? '<name>')} --input <training data> --output baselines/${String(m.name ?? '<name>')}.json\``,
    );
}

/** Monitoring: unique features, a sensitive attribute among them, quality settings that fit the problem type. */
function monitoringProblems(raw: unknown, at: string, add: AddProblem): void {
  const rawMonitoring = isObj(raw) ? raw : {};
  const monitoring = validFields(MonitoringSchema, rawMonitoring);
  const rawFeatures = asArray(rawMonitoring.features);
  duplicateNames(rawFeatures, `${at}.features`, 'feature', add);
  const featureNames = rawFeatures.map((f) => (isObj(f) ? f.name : undefined)).filter((n) => typeof n === 'string');
  const sa = monitoring.sensitiveAttribute;
  if (sa !== undefined && !featureNames.includes(sa))
    add(`${at}.sensitiveAttribute`, sa, `must be one of the monitored features [${featureNames.join(', ')}]`);
  qualityProblems(rawMonitoring.quality, monitoring.positiveLabel, `${at}.quality`, add);
}

/** monitoring.quality's cross-field rules: metrics of the problem type only, two distinct labels. */
function qualityProblems(raw: unknown, positiveLabel: unknown, at: string, add: AddProblem): void {
  if (!isObj(raw)) return;
  const quality = validFields(QualitySchema, raw);
  const problemType = quality.problemType ?? QUALITY_DEFAULTS.problemType;
  const allowed: readonly string[] = problemType === 'regression' ? REGRESSION_METRIC_KEYS : CLASSIFICATION_METRIC_KEYS;
  for (const block of ['reference', 'tolerance'] as const) {
    const values = raw[block];
    if (!isObj(values)) continue;
    for (const key of Object.keys(values))
      if (!allowed.includes(key) && [...CLASSIFICATION_METRIC_KEYS, ...REGRESSION_METRIC_KEYS].includes(key as never))
        add(
          `${at}.${block}.${key}`,
          values[key],
          `is not a metric of a ${problemType} model; use ${allowed.join(', ')} (or set problemType)`,
        );
  }
  const negative = quality.negativeLabel ?? QUALITY_DEFAULTS.negativeLabel;
  if (
    problemType === 'binary-classification' &&
    positiveLabel !== undefined &&
    String(positiveLabel) === String(negative)
  )
    add(
      `${at}.negativeLabel`,
      negative,
      `must differ from monitoring.positiveLabel (${JSON.stringify(positiveLabel)}): a binary classifier has two labels`,
    );
}

/** The pipeline block's cross-field rules: residency of the tooling region, a connection the pipeline can use. */
function pipelineProblems(doc: Obj, allowedRegions: readonly string[] | undefined, add: AddProblem): void {
  if (!isObj(doc.pipeline)) return;
  const pipeline = validFields(PipelineSchema, doc.pipeline);
  if (
    pipeline.region !== undefined &&
    allowedRegions !== undefined &&
    !isRegionAllowed(pipeline.region, { allowedRegions })
  )
    add(
      'pipeline.region',
      pipeline.region,
      `region is outside compliance.allowedRegions [${allowedRegions.join(', ')}] (data residency: the pipeline's artifacts hold the synthesized environments and reports); run the pipeline in an allowed region or extend the list after legal review`,
    );
  // One build, promoted by digest: with a pipeline every model names the digest it runs in every environment.
  asArray(doc.models).forEach((m, k) => {
    const image = isObj(m) && isObj(m.image) ? m.image : undefined;
    if (image !== undefined && image.digest === undefined && !/^sha256:/.test(String(image.tag)))
      add(
        `models[${k}].image.digest`,
        undefined,
        'is required when the config has a pipeline: every environment runs the one image build by its digest; copy it from the model-image workflow summary (sha256:<64 hex>)',
      );
  });
  const release = isObj(doc.pipeline.release) ? doc.pipeline.release : {};
  if (release.imageSource !== undefined) {
    const names = asArray(doc.environments).map((e) => (isObj(e) ? e.name : undefined));
    if (!names.includes(release.imageSource))
      add(
        'pipeline.release.imageSource',
        release.imageSource,
        `must name one of the environments [${names.join(', ')}]: the registry the model image is pushed to once`,
      );
  }
  if (pipeline.connectionArn === undefined || pipeline.account === undefined || pipeline.region === undefined) return;
  // arn:<partition>:<service>:<region>:<account>:connection/<id>; the schema has checked the shape.
  const [, , , connRegion, connAccount] = pipeline.connectionArn.split(':');
  if (connAccount !== pipeline.account || connRegion !== pipeline.region)
    add(
      'pipeline.connectionArn',
      pipeline.connectionArn,
      `the connection must belong to the tooling account and region (${pipeline.account}, ${pipeline.region}) the pipeline runs in; create the connection there, or set pipeline.account and pipeline.region to where it is`,
    );
}

/** Environment variable naming one more directory baseline files may be read from (besides the project's). */
export const BASELINE_ROOT_ENV = 'MLOPS_BASELINE_ROOT';

/** Whether `file` (symbolic links followed) lies inside one of `roots`. */
function isInside(file: string, roots: readonly string[]): boolean {
  const real = (p: string) => (existsSync(p) ? realpathSync(p) : resolve(p));
  const target = real(file);
  return roots.some((root) => {
    const rel = relative(real(root), target);
    return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
  });
}

/**
 * Baseline files named by the config, read relative to `baseDir`: outside the project (or the allowed root), missing,
 * malformed or for other features. A file outside is never opened, so nothing of it reaches a message.
 */
function baselineProblems(doc: Obj, opts: { baseDir: string; baselineRoot?: string }, add: AddProblem): void {
  const roots = [opts.baseDir, ...(opts.baselineRoot !== undefined ? [opts.baselineRoot] : [])];
  asArray(doc.models).forEach((raw, i) => {
    const rawModel = isObj(raw) ? raw : {};
    const monitoring = validFields(MonitoringSchema, rawModel.monitoring);
    const capture = validFields(DataCaptureSchema, rawModel.dataCapture);
    if (monitoring.baselineFile === undefined || !capture.enabled) return;
    const at = `models[${i}].monitoring.baselineFile`;
    const file = resolve(opts.baseDir, monitoring.baselineFile);
    if (!isInside(file, roots)) {
      add(
        at,
        monitoring.baselineFile,
        `is outside the project directory (${opts.baseDir})${opts.baselineRoot !== undefined ? ` and ${BASELINE_ROOT_ENV} (${opts.baselineRoot})` : ''}: baseline files are read only from there; put the baseline in the project (e.g. baselines/), or set ${BASELINE_ROOT_ENV} to the directory that holds it`,
      );
      return;
    }
    const features = asArray(isObj(rawModel.monitoring) ? rawModel.monitoring.features : undefined).filter(
      (f): f is { name: string; type: string } => isObj(f) && typeof f.name === 'string' && typeof f.type === 'string',
    );
    const name = typeof rawModel.name === 'string' ? rawModel.name : '<name>';
    for (const message of baselineFileProblems(file, features, name, monitoring.baselineFile))
      add(at, monitoring.baselineFile, message);
  });
}

/** A schema issue as problems: unknown keys one by one with "did you mean", missing fields said as such. */
function schemaProblems(doc: unknown, issue: z.core.$ZodIssue): ConfigProblem[] {
  return problemsOf([issue], doc, {
    unknownKey: (key, path) => {
      const known = knownKeysAt(ConfigSchema, path);
      const guess = didYouMean(key, known);
      return `unknown field${guess ? `; did you mean "${guess}"?` : ''} (known fields: ${known.join(', ')})`;
    },
  });
}

export interface ParseOptions {
  /**
   * The project directory: relative `monitoring.baselineFile` paths are read from it, and baseline files must lie
   * inside it (or `baselineRoot`). The baseline files are checked only when it is given (loadConfig passes the
   * working directory).
   * @default - baseline files are not read
   */
  readonly baseDir?: string;
  /**
   * One more directory baseline files may lie in, e.g. a shared folder of baselines outside the checkout. The
   * loaders pass the environment variable MLOPS_BASELINE_ROOT.
   * @default - only the project directory
   */
  readonly baselineRoot?: string;
}

/** The parse options of a config read from the working directory `cwd`: its baselines, the allowed root. */
function readingOptions(cwd: string): ParseOptions {
  const root = process.env[BASELINE_ROOT_ENV];
  return { baseDir: cwd, ...(root !== undefined && root !== '' ? { baselineRoot: resolve(cwd, root) } : {}) };
}

/** Validates a config document; throws ConfigError listing every problem of the document at once. */
export function parseConfig(doc: unknown, source = 'config', opts: ParseOptions = {}): MlopsConfig {
  const parsed = ConfigSchema.safeParse(doc);
  const problems: ConfigProblem[] = parsed.success ? [] : parsed.error.issues.flatMap((i) => schemaProblems(doc, i));
  const add: AddProblem = (path, received, message) => problems.push({ path, received, message });
  if (isObj(doc)) {
    crossFieldProblems(doc, add);
    if (opts.baseDir !== undefined)
      baselineProblems(
        doc,
        { baseDir: opts.baseDir, ...(opts.baselineRoot !== undefined ? { baselineRoot: opts.baselineRoot } : {}) },
        add,
      );
  }
  if (problems.length > 0 || !parsed.success) throw new ConfigError(source, problems);
  return parsed.data;
}

/** Anything with CDK's context lookup (an App); kept structural so this module does not need aws-cdk-lib. */
export interface ContextReader {
  readonly node: { tryGetContext(key: string): unknown };
}

/** Loads the config: `-c config=<file>` if given, else the default embedded in cdk.json. */
export function loadConfig(app: ContextReader, cwd = process.cwd()): MlopsConfig {
  const fromContext = app.node.tryGetContext(CONFIG_CONTEXT_KEY);
  if (typeof fromContext === 'string' && fromContext.length > 0) {
    const file = resolve(cwd, fromContext);
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      throw new ConfigError(file, [
        { path: '', received: fromContext, message: `cannot read the config file: ${(err as Error).message}` },
      ]);
    }
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch (err) {
      throw new ConfigError(file, [
        { path: '', received: undefined, message: `not valid JSON: ${(err as Error).message}` },
      ]);
    }
    return parseConfig(doc, file, readingOptions(cwd));
  }
  const embedded = app.node.tryGetContext(DEFAULT_CONFIG_CONTEXT_KEY);
  if (embedded === undefined) {
    throw new ConfigError('cdk.json', [
      {
        path: DEFAULT_CONFIG_CONTEXT_KEY,
        received: undefined,
        message: `no config: pass -c ${CONFIG_CONTEXT_KEY}=path/to/config.json or restore the default in cdk.json context`,
      },
    ]);
  }
  return parseConfig(embedded, `cdk.json context "${DEFAULT_CONFIG_CONTEXT_KEY}"`, readingOptions(cwd));
}

/** The cdk.json the default config is embedded in: the project's, in the directory commands run from. */
export const CDK_JSON = 'cdk.json';

export interface ConfigArgumentOptions {
  /** Directory relative paths (the file, baseline files) are read from. @default process.cwd() */
  readonly cwd?: string;
  /**
   * Whether the models' baseline files are read and checked; `npm run baseline`, which writes them, turns it off.
   * @default true
   */
  readonly readBaselines?: boolean;
}

/**
 * The config a command's `--config` names, read the way `cdk synth` reads it: a config file, or a cdk.json (its
 * embedded default config, context "mlops:defaultConfig"); without `--config`, the default in the project's cdk.json.
 * Every command that takes `--config` loads it here, so they all accept the same two kinds of file.
 */
export function loadConfigArgument(file: string | undefined, opts: ConfigArgumentOptions = {}): MlopsConfig {
  const cwd = opts.cwd ?? process.cwd();
  const shown = file ?? CDK_JSON;
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(resolve(cwd, shown), 'utf8'));
  } catch (err) {
    const what = (err as NodeJS.ErrnoException).code !== undefined ? 'cannot read it' : 'not valid JSON';
    throw new ConfigError(shown, [{ path: '', received: undefined, message: `${what}: ${(err as Error).message}` }]);
  }
  const parseOpts = opts.readBaselines === false ? {} : readingOptions(cwd);
  // A cdk.json carries the config in its context; a config file is the document itself.
  const context = isObj(doc) && isObj(doc.context) ? doc.context : undefined;
  if (context === undefined && file !== undefined) return parseConfig(doc, file, parseOpts);
  const embedded = context?.[DEFAULT_CONFIG_CONTEXT_KEY];
  if (embedded === undefined)
    throw new ConfigError(shown, [
      {
        path: `context["${DEFAULT_CONFIG_CONTEXT_KEY}"]`,
        received: undefined,
        message: 'no embedded config: pass --config <config.json>, or restore the default in cdk.json context',
      },
    ]);
  return parseConfig(embedded, `${shown} context "${DEFAULT_CONFIG_CONTEXT_KEY}"`, parseOpts);
}

/**
 * The config file given with `-c config=<file>`, for the pipeline's synth step to pass on. It must be a path inside the
 * repository (relative, no `..`), because the pipeline synthesizes from a fresh checkout.
 */
export function configFileArgument(app: ContextReader): string | undefined {
  const file = app.node.tryGetContext(CONFIG_CONTEXT_KEY);
  if (typeof file !== 'string' || file.length === 0) return undefined;
  if (isAbsolute(file) || normalize(file).split(/[\\/]/).includes('..')) {
    throw new ConfigError('cdk context', [
      {
        path: CONFIG_CONTEXT_KEY,
        received: file,
        message:
          'the pipeline synthesizes from a checkout of the repository: pass the config file as a path relative to the repository root, e.g. -c config=config/prod.json',
      },
    ]);
  }
  return normalize(file);
}

/** The policy the rules judge against, derived from the config. */
export function compliancePolicy(cfg: MlopsConfig): CompliancePolicy {
  const required = [...new Set([...cfg.compliance.requiredTags, TAGS.DATA_CLASSIFICATION])];
  return {
    allowedRegions: cfg.compliance.allowedRegions,
    captureRetentionDays: cfg.compliance.captureRetentionDays,
    maxCaptureSamplingPercent: cfg.compliance.maxCaptureSamplingPercent,
    requiredTags: required,
    dataClassifications: cfg.compliance.dataClassifications,
    maxFindingSeverity: cfg.compliance.maxFindingSeverity,
    imageScanMaxAgeDays: cfg.compliance.imageScanMaxAgeDays,
    requireVpc: cfg.compliance.requireVpc,
    productionEnvironments: cfg.environments.filter((e) => e.production).map((e) => e.name),
    knownAccounts: [
      ...new Set([...cfg.environments.map((e) => e.account), ...(cfg.pipeline ? [cfg.pipeline.account] : [])]),
    ],
  };
}
