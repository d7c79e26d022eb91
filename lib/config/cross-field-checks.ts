/**
 * The config's cross-field rules, the ones the per-field schema cannot express, one check per concern: duplicate
 * names and account+region pairs, the environments and models against the compliance policy, capacity, capture,
 * monitoring and quality settings that must agree, derived names within AWS limits, the pipeline block. They read
 * only fields that are valid on their own.
 */
import { z } from 'zod';
import { TAGS } from '../../core/policy/facts';
import { isRegionAllowed } from '../../core/policy/rules/residency';
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
import { CLASSIFICATION_METRIC_KEYS, QUALITY_DEFAULTS, REGRESSION_METRIC_KEYS } from '../../core/contracts/quality';
import { AddProblem, Obj, asArray, isObj, validFields } from './document-fields';
import {
  ComplianceSchema,
  ConfigSchema,
  DataCaptureSchema,
  EnvironmentSchema,
  ModelSchema,
  MonitoringSchema,
  PipelineSchema,
  QualitySchema,
  RolloutSchema,
} from './schema';

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
export function crossFieldProblems(doc: Obj, add: AddProblem): void {
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
