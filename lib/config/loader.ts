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
import { baselineFileProblems } from './baseline-file';
import { crossFieldProblems } from './cross-field-checks';
import { knownKeysAt, didYouMean } from './did-you-mean';
import { AddProblem, Obj, asArray, isObj, validFields } from './document-fields';
import { ConfigSchema, DataCaptureSchema, MlopsConfig, MonitoringSchema } from './schema';

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
