/**
 * Terraform-side constructs for CDK Terrain (`cdktn`, the maintained continuation of CDKTF, archived upstream
 * 2025-12-10), over the plain Terraform module in terraform/modules/mlops-model-environment.
 *
 * Thin on purpose: the module is the product, so these classes only type the module's variables and outputs.
 * Validation, secure defaults and naming live once, in the module's variables.tf and resources; `terraform
 * validate`/`plan` report a bad value with the module's message. Only `cdktn` core is used: no prebuilt provider
 * bindings, and nothing here is imported by the CDK app (the package exports it as `mlops-secure-delivery/cdktf`).
 */
import { relative, resolve, sep } from 'node:path';
import { TerraformHclModule, TerraformModuleUserConfig } from 'cdktn';
import { Construct } from 'constructs';

/** The module shipped with this repository (and, as `dist/terraform/...`, with the package). */
export const MODULE_SOURCE_DIR = resolve(__dirname, '..', '..', 'terraform', 'modules', 'mlops-model-environment');

export interface DataCaptureOptions {
  /** @default true */
  readonly enabled?: boolean;
  /** Percent of requests captured, 1-100 (your policy's maximum is checked at plan time). @default 10 */
  readonly samplingPercent?: number;
  /** @default true */
  readonly captureInput?: boolean;
  /** @default true */
  readonly captureOutput?: boolean;
}

export interface RolloutOptions {
  /** CANARY, LINEAR or ALL_AT_ONCE (fails MLOPS-SM-4 in production). @default 'CANARY' */
  readonly strategy?: 'CANARY' | 'LINEAR' | 'ALL_AT_ONCE';
  /** Percent of capacity per canary or linear step, 1-50. @default 10 */
  readonly stepPercent?: number;
  /** Seconds the rollback alarms are watched between steps, 60-3600. @default 300 */
  readonly waitSeconds?: number;
  /** Seconds the old fleet stays after traffic has moved, 0-3600. @default 600 */
  readonly terminationWaitSeconds?: number;
  /** Upper bound on the whole deployment in seconds, 600-28800. @default 3600 */
  readonly maximumExecutionTimeoutSeconds?: number;
}

export interface AlarmThresholds {
  /** p99 model latency in milliseconds (the module converts to the metric's microseconds). @default 1000 */
  readonly latencyP99Ms?: number;
  /** 5XX errors a minute. @default 5 */
  readonly errors5xxPerMinute?: number;
  /** 4XX errors as a percent of invocations. @default 5 */
  readonly error4xxRatePercent?: number;
}

export interface MlopsModelEnvironmentProps extends TerraformModuleUserConfig {
  /** Lowercase name prefix of every resource. */
  readonly projectName: string;
  /** Environment name; becomes the Environment tag the production rollout rule reads. */
  readonly environment: string;
  /** Model name; the endpoint is `<projectName>-<environment>-<modelName>`. */
  readonly modelName: string;
  /** Immutable image tag or `sha256:` digest, never `latest`. */
  readonly imageTag: string;
  /** Data classification (public, internal, confidential, restricted); becomes the DataClassification tag. */
  readonly dataClassification: string;
  /** @default - modelName */
  readonly repositoryName?: string;
  /** @default - the image contains the model */
  readonly modelDataUrl?: string;
  /** @default 'ml.m5.large' */
  readonly instanceType?: string;
  /** @default 2 */
  readonly instanceCount?: number;
  /** @default true */
  readonly networkIsolation?: boolean;
  /** Subnets and security groups by id. @default - no VPC */
  readonly vpc?: { readonly subnetIds: readonly string[]; readonly securityGroupIds: readonly string[] };
  /** @default - capture on, 10%, input and output */
  readonly dataCapture?: DataCaptureOptions;
  /** Days captured data is kept. @default 30 */
  readonly captureRetentionDays?: number;
  /** @default - CANARY, 10%, 300 s */
  readonly rollout?: RolloutOptions;
  /** @default - 1000 ms p99, 5 5XX a minute, 5% 4XX */
  readonly alarmThresholds?: AlarmThresholds;
  /** Tags on every resource (not DataClassification or Environment). @default {} */
  readonly tags?: Readonly<Record<string, string>>;
  /** @default - no e-mail subscription */
  readonly alarmEmail?: string;
  /** @default 30 */
  readonly kmsDeletionWindowDays?: number;
  /** Let destroy delete buckets and repository with their contents; keep false outside tests. @default false */
  readonly forceDestroy?: boolean;
  /**
   * Module source: a path relative to the working directory of the synth (`./...`, copied as an asset), a git
   * URL or a registry address.
   * @default - the module shipped with this package
   */
  readonly source?: string;
  /**
   * Module version, for registry sources.
   * @default - none
   */
  readonly version?: string;
}

/** Drops undefined members so the module's own defaults apply. */
function defined(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
}

/** `./`-relative path from the synth working directory, which is how cdktn recognises a local module to copy. */
function localSource(dir: string): string {
  const rel = relative(process.cwd(), dir).split(sep).join('/');
  return rel.startsWith('..') ? rel : `./${rel}`;
}

/**
 * App context that lets cdktn copy the module into the synthesized stack as an asset. The `cdktn` CLI sets
 * `cdktfRelativeModules` (the key kept its CDKTF name) itself for modules named in `cdktf.json`; an App built in
 * code (tests, scripts, `node main.js`) passes this: `new App({ context: moduleContext() })`.
 */
export function moduleContext(): Record<string, string[]> {
  return { cdktfRelativeModules: [localSource(MODULE_SOURCE_DIR)] };
}

/**
 * One model environment (KMS keys, ECR repository, capture and access-log buckets, SageMaker model, endpoint config
 * and blue/green endpoint with rollback alarms, SNS topic) from the Terraform module.
 */
export class MlopsModelEnvironment extends Construct {
  /** The module call; escape hatch for anything the props do not cover. */
  public readonly module: TerraformHclModule;

  constructor(scope: Construct, id: string, props: MlopsModelEnvironmentProps) {
    super(scope, id);
    const { source, version, providers, dependsOn, forEach, skipAssetCreationFromLocalModules } = props;
    this.module = new TerraformHclModule(this, 'Resource', {
      source: source ?? localSource(MODULE_SOURCE_DIR),
      ...(version !== undefined ? { version } : {}),
      ...(providers !== undefined ? { providers } : {}),
      ...(dependsOn !== undefined ? { dependsOn } : {}),
      ...(forEach !== undefined ? { forEach } : {}),
      ...(skipAssetCreationFromLocalModules !== undefined ? { skipAssetCreationFromLocalModules } : {}),
      variables: renderVariables(props),
    });
  }

  /** Name of the SageMaker endpoint. */
  public get endpointName(): string {
    return this.module.getString('endpoint_name');
  }

  /** ARN of the SageMaker endpoint. */
  public get endpointArn(): string {
    return this.module.getString('endpoint_arn');
  }

  /** URL of the ECR repository to push the model image to. */
  public get repositoryUrl(): string {
    return this.module.getString('repository_url');
  }

  /** Name of the bucket that receives captured inference data. */
  public get captureBucketName(): string {
    return this.module.getString('capture_bucket_name');
  }

  /** ARN of the SNS topic every alarm notifies. */
  public get alertTopicArn(): string {
    return this.module.getString('alert_topic_arn');
  }

  /** ARN of the model's SageMaker execution role. */
  public get executionRoleArn(): string {
    return this.module.getString('execution_role_arn');
  }
}

function renderVariables(p: MlopsModelEnvironmentProps): Record<string, unknown> {
  const capture = p.dataCapture;
  const rollout = p.rollout;
  const alarms = p.alarmThresholds;
  return defined({
    project_name: p.projectName,
    environment: p.environment,
    model_name: p.modelName,
    image_tag: p.imageTag,
    data_classification: p.dataClassification,
    repository_name: p.repositoryName,
    model_data_url: p.modelDataUrl,
    instance_type: p.instanceType,
    instance_count: p.instanceCount,
    network_isolation: p.networkIsolation,
    vpc: p.vpc && { subnet_ids: [...p.vpc.subnetIds], security_group_ids: [...p.vpc.securityGroupIds] },
    data_capture:
      capture &&
      defined({
        enabled: capture.enabled,
        sampling_percent: capture.samplingPercent,
        capture_input: capture.captureInput,
        capture_output: capture.captureOutput,
      }),
    capture_retention_days: p.captureRetentionDays,
    rollout:
      rollout &&
      defined({
        strategy: rollout.strategy,
        step_percent: rollout.stepPercent,
        wait_seconds: rollout.waitSeconds,
        termination_wait_seconds: rollout.terminationWaitSeconds,
        maximum_execution_timeout_seconds: rollout.maximumExecutionTimeoutSeconds,
      }),
    alarm_thresholds:
      alarms &&
      defined({
        latency_p99_ms: alarms.latencyP99Ms,
        errors_5xx_per_minute: alarms.errors5xxPerMinute,
        error_4xx_rate_percent: alarms.error4xxRatePercent,
      }),
    tags: p.tags && { ...p.tags },
    alarm_email: p.alarmEmail,
    kms_deletion_window_days: p.kmsDeletionWindowDays,
    force_destroy: p.forceDestroy,
  });
}
