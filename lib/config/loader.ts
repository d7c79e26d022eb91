/**
 * Reads the config document once — from CDK context (`-c config=path.json`, else the default embedded in cdk.json)
 * — validates it with the schema and the cross-field rules, and returns typed objects. The only place that reads
 * context or config files.
 */
import { readFileSync } from 'node:fs';
import { isAbsolute, normalize, resolve } from 'node:path';
import { z } from 'zod';
import { CompliancePolicy } from '../policy/context';
import { TAGS } from '../policy/facts';
import { isRegionAllowed } from '../policy/rules/residency';
import { ConfigSchema, MlopsConfig, PipelineConfig } from './schema';

/** Context key a user sets to a config file path: `cdk synth -c config=path/to/file.json`. */
export const CONFIG_CONTEXT_KEY = 'config';
/** Context key holding the embedded default config document (cdk.json). */
export const DEFAULT_CONFIG_CONTEXT_KEY = 'mlops:defaultConfig';

export interface ConfigProblem {
  /** JSON path such as `models[0].rollout.stepPercent`. */
  readonly path: string;
  /** The value found there (undefined when missing). */
  readonly received: unknown;
  /** What is wrong and what is allowed. */
  readonly message: string;
}

export class ConfigError extends Error {
  constructor(
    readonly source: string,
    readonly problems: readonly ConfigProblem[],
  ) {
    super(
      `Invalid MLOps config (${source}): ${problems.length} problem(s)\n` +
        problems.map((p) => `  - ${p.path || '(root)'}: ${p.message} (received ${show(p.received)})`).join('\n'),
    );
    this.name = 'ConfigError';
  }
}

function show(v: unknown): string {
  if (v === undefined) return 'nothing';
  const s = JSON.stringify(v);
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}

function pathString(path: readonly PropertyKey[]): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i === 0 ? '' : '.'}${String(p)}`)).join('');
}

function valueAt(doc: unknown, path: readonly PropertyKey[]): unknown {
  let cur: unknown = doc;
  for (const key of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[key as string];
  }
  return cur;
}

/** Cross-field rules the per-field schema cannot express. */
function crossFieldProblems(cfg: MlopsConfig): ConfigProblem[] {
  const out: ConfigProblem[] = [];
  const add = (path: string, received: unknown, message: string) => out.push({ path, received, message });
  const dupes = (names: string[]) => names.filter((n, i) => names.indexOf(n) !== i);

  for (const d of dupes(cfg.environments.map((e) => e.name)))
    add('environments', d, `environment name "${d}" is used twice; names must be unique`);
  for (const d of dupes(cfg.models.map((m) => m.name)))
    add('models', d, `model name "${d}" is used twice; names must be unique`);

  cfg.environments.forEach((env, i) => {
    if (!isRegionAllowed(env.region, cfg.compliance)) {
      add(
        `environments[${i}].region`,
        env.region,
        `region is outside compliance.allowedRegions [${cfg.compliance.allowedRegions.join(', ')}] (data residency); deploy to an allowed region or extend the list after legal review`,
      );
    }
    if (cfg.compliance.requireVpc && !env.vpc) {
      add(
        `environments[${i}].vpc`,
        undefined,
        'compliance.requireVpc is true: give the environment vpc.subnetIds and vpc.securityGroupIds',
      );
    }
  });

  const missingTags = cfg.compliance.requiredTags.filter((t) => t !== TAGS.DATA_CLASSIFICATION && !(t in cfg.tags));
  if (missingTags.length > 0) {
    add('tags', cfg.tags, `must define every compliance.requiredTags key; missing: ${missingTags.join(', ')}`);
  }

  cfg.models.forEach((m, i) => {
    const at = `models[${i}]`;
    if (m.autoScaling) {
      const { minCapacity, maxCapacity } = m.autoScaling;
      if (minCapacity > maxCapacity)
        add(`${at}.autoScaling.minCapacity`, minCapacity, `must be <= autoScaling.maxCapacity (${maxCapacity})`);
      if (m.instanceCount < minCapacity || m.instanceCount > maxCapacity) {
        add(
          `${at}.instanceCount`,
          m.instanceCount,
          `must lie within autoScaling bounds [${minCapacity}, ${maxCapacity}]`,
        );
      }
    }
    if (m.dataCapture.enabled && m.dataCapture.samplingPercent > cfg.compliance.maxCaptureSamplingPercent) {
      add(
        `${at}.dataCapture.samplingPercent`,
        m.dataCapture.samplingPercent,
        `must be <= compliance.maxCaptureSamplingPercent (${cfg.compliance.maxCaptureSamplingPercent}) (data minimisation)`,
      );
    }
    if (m.dataCapture.enabled && !m.dataCapture.captureInput && !m.dataCapture.captureOutput) {
      add(
        `${at}.dataCapture`,
        m.dataCapture,
        'capture is enabled but neither input nor output is captured; enable one or set enabled: false',
      );
    }
    if (m.dataCapture.enabled && m.monitoring.baselineFile === undefined) {
      add(
        `${at}.monitoring.baselineFile`,
        undefined,
        'is required when data capture is enabled, so the drift detector has a baseline: build one with `npm run baseline -- --config <config> --model ' +
          m.name +
          ' --input <training data> --output baselines/' +
          m.name +
          '.json`',
      );
    }
    if (!cfg.compliance.dataClassifications.includes(m.dataClassification)) {
      add(
        `${at}.dataClassification`,
        m.dataClassification,
        `must be one of [${cfg.compliance.dataClassifications.join(', ')}]`,
      );
    }
    const featureNames = m.monitoring.features.map((f) => f.name);
    for (const d of dupes(featureNames)) add(`${at}.monitoring.features`, d, `feature "${d}" is listed twice`);
    const sa = m.monitoring.sensitiveAttribute;
    if (sa !== undefined && !featureNames.includes(sa)) {
      add(
        `${at}.monitoring.sensitiveAttribute`,
        sa,
        `must be one of the monitored features [${featureNames.join(', ')}]`,
      );
    }
    if (m.rollout.strategy === 'CANARY' && m.instanceCount < 2) {
      add(
        `${at}.instanceCount`,
        m.instanceCount,
        'a CANARY rollout needs at least 2 instances so the canary is a fraction of the fleet',
      );
    }
  });
  if (cfg.pipeline) out.push(...pipelineProblems(cfg.pipeline, cfg));
  return out;
}

/** The pipeline block's cross-field rules: residency of the tooling region, a connection the pipeline can use. */
function pipelineProblems(pipeline: PipelineConfig, cfg: MlopsConfig): ConfigProblem[] {
  const out: ConfigProblem[] = [];
  if (!isRegionAllowed(pipeline.region, cfg.compliance)) {
    out.push({
      path: 'pipeline.region',
      received: pipeline.region,
      message: `region is outside compliance.allowedRegions [${cfg.compliance.allowedRegions.join(', ')}] (data residency: the pipeline's artifacts hold the synthesized environments and reports); run the pipeline in an allowed region or extend the list after legal review`,
    });
  }
  // arn:<partition>:<service>:<region>:<account>:connection/<id>; the schema has checked the shape.
  const [, , , connRegion, connAccount] = pipeline.connectionArn.split(':');
  if (connAccount !== pipeline.account || connRegion !== pipeline.region) {
    out.push({
      path: 'pipeline.connectionArn',
      received: pipeline.connectionArn,
      message: `the connection must belong to the tooling account and region (${pipeline.account}, ${pipeline.region}) the pipeline runs in; create the connection there, or set pipeline.account and pipeline.region to where it is`,
    });
  }
  return out;
}

/** Validates a config document; throws ConfigError listing every problem. */
export function parseConfig(doc: unknown, source = 'config'): MlopsConfig {
  const parsed = ConfigSchema.safeParse(doc);
  if (!parsed.success) {
    throw new ConfigError(
      source,
      parsed.error.issues.map((issue: z.core.$ZodIssue) => ({
        path: pathString(issue.path),
        received: valueAt(doc, issue.path),
        message: issue.message,
      })),
    );
  }
  const problems = crossFieldProblems(parsed.data);
  if (problems.length > 0) throw new ConfigError(source, problems);
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
    return parseConfig(doc, file);
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
  return parseConfig(embedded, `cdk.json context "${DEFAULT_CONFIG_CONTEXT_KEY}"`);
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
  };
}
