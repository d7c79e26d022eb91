import { CfnOutput, Duration, Stack, StackProps, Tags } from 'aws-cdk-lib';
import { MODEL_CARD_SUFFIX, endpointName as endpointNameOf } from '../../core/defaults/names';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sagemaker from 'aws-cdk-lib/aws-sagemaker';
import { Construct } from 'constructs';
import { BaselineFacts } from '../config/baseline-file';
import { EnvironmentConfig, MlopsConfig, ModelConfig } from '../config/schema';
import { DriftMonitor } from '../constructs/drift-monitor';
import { ModelEndpoint } from '../constructs/model-endpoint';
import { TAGS } from '../../core/policy/facts';
import { qualitySettings } from '../../core/contracts/quality';
import { PlatformStack } from './platform-stack';

export interface ModelEndpointStackProps extends StackProps {
  readonly config: MlopsConfig;
  readonly environment: EnvironmentConfig;
  readonly model: ModelConfig;
  readonly platform: PlatformStack;
  /**
   * The model's drift baseline: the model card states the training data (file, SHA-256, records) and its fairness.
   * @default - the card says no baseline was given
   */
  readonly baseline?: BaselineFacts | undefined;
  /**
   * The stack is deployed only after a manual approval of the delivery pipeline, so its model card is `Approved`.
   * @default false - the card stays `Draft`
   */
  readonly approvedByPipeline?: boolean;
}

/** Where SageMaker writes captured data for all endpoints of the platform. */
export const CAPTURE_PREFIX = 'datacapture';

/**
 * One per model per environment, so one model's change never touches another model's stack: the SageMaker
 * model, endpoint config and endpoint with blue/green rollout and rollback alarms, auto scaling, a dashboard
 * and a model card.
 */
export class ModelEndpointStack extends Stack {
  public readonly endpoint: ModelEndpoint;
  public readonly dashboard: cloudwatch.Dashboard;
  /** Drift, prediction drift and fairness metrics and alarms; absent when data capture is off. */
  public readonly driftMonitor?: DriftMonitor;
  /** What reviewers and auditors read: uses, risk, training data, fairness, the image digest; Draft until approved. */
  public readonly modelCard: sagemaker.CfnModelCard;

  constructor(scope: Construct, id: string, props: ModelEndpointStackProps) {
    super(scope, id, props);
    const { config, environment, model, platform } = props;
    const endpointName = endpointNameOf(config.projectName, environment.name, model.name);
    const repository = platform.repositories.get(model.image.repository);
    if (!repository) {
      throw new Error(
        `models["${model.name}"].image.repository "${model.image.repository}" has no repository in the platform stack`,
      );
    }
    const t = model.monitoring.thresholds;
    const captureBucket = s3.Bucket.fromBucketName(this, 'CaptureBucket', platform.captureBucketName);

    this.endpoint = new ModelEndpoint(this, 'Endpoint', {
      endpointName,
      repository: repository.repository,
      repositoryKey: platform.imageKey,
      // By digest whenever the config names one (always, with a pipeline): the bytes that were gated are what runs.
      imageTag: model.image.digest ?? model.image.tag,
      ...(model.modelDataKey !== undefined
        ? {
            modelData: {
              bucket: s3.Bucket.fromBucketName(this, 'ArtifactsBucket', platform.artifactsBucketName),
              key: model.modelDataKey,
              encryptionKey: platform.dataKey,
            },
          }
        : {}),
      instanceType: model.instanceType,
      instanceCount: model.instanceCount,
      networkIsolation: true,
      ...(environment.vpc ? { vpc: environment.vpc } : {}),
      storageKey: platform.endpointKey,
      ...(model.dataCapture.enabled
        ? {
            dataCapture: {
              bucket: captureBucket,
              prefix: CAPTURE_PREFIX,
              encryptionKey: platform.captureKey,
              samplingPercent: model.dataCapture.samplingPercent,
              captureInput: model.dataCapture.captureInput,
              captureOutput: model.dataCapture.captureOutput,
            },
          }
        : {}),
      rollout: model.rollout,
      thresholds: {
        latencyP99Ms: t.latencyP99Ms,
        errors5xxPerMinute: t.errors5xxPerMinute,
        error4xxRatePercent: t.error4xxRatePercent,
      },
      ...(model.autoScaling ? { autoScaling: model.autoScaling } : {}),
      alarmTopic: platform.alertTopic,
    });

    // Captured data is judged as soon as it lands: the detector subscribes to the capture prefix of this endpoint.
    if (model.dataCapture.enabled && model.monitoring.baselineFile !== undefined) {
      this.driftMonitor = new DriftMonitor(this, 'DriftMonitor', {
        endpointName,
        variantName: this.endpoint.variantName,
        captureBucket,
        captureKey: platform.captureKey,
        capturePrefix: `${CAPTURE_PREFIX}/${endpointName}/`,
        // Checked against the features by the config loader; the construct only ships it.
        baselineFile: model.monitoring.baselineFile,
        features: model.monitoring.features,
        ...(model.monitoring.sensitiveAttribute !== undefined
          ? { sensitiveAttribute: model.monitoring.sensitiveAttribute }
          : {}),
        positiveLabel: model.monitoring.positiveLabel,
        thresholds: model.monitoring.thresholds,
        alarmTopic: platform.alertTopic,
        encryptionKey: platform.dataKey,
        reports: {
          bucket: s3.Bucket.fromBucketName(this, 'ReportsBucket', platform.reportsBucketName),
          encryptionKey: platform.dataKey,
          allWindows: model.monitoring.reportAllWindows ?? false,
        },
        ...(model.monitoring.quality
          ? {
              quality: qualitySettings({
                ...model.monitoring.quality,
                positiveLabel: model.monitoring.positiveLabel,
                minGroupSize: t.minGroupSize,
              }),
            }
          : {}),
        ...(environment.vpc ? { vpc: environment.vpc } : {}),
        ...(model.monitoring.modelMonitor
          ? { modelMonitor: { baseline: model.monitoring.modelMonitor, endpoint: this.endpoint.endpoint } }
          : {}),
      });
    }

    if (this.driftMonitor?.groundTruthUri !== undefined)
      new CfnOutput(this, 'GroundTruthUri', {
        description: `Where ${endpointName}'s labels go: SageMaker ground-truth JSON Lines, SSE-KMS with the capture key (docs/quality.md)`,
        value: this.driftMonitor.groundTruthUri,
      });

    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      dashboardName: endpointName,
      defaultInterval: Duration.hours(3),
    });
    const e = this.endpoint;
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Invocations and errors',
        left: [
          e.metric('Invocations', { statistic: 'Sum' }),
          e.metric('Invocation4XXErrors', { statistic: 'Sum' }),
          e.metric('Invocation5XXErrors', { statistic: 'Sum' }),
        ],
        width: 12,
      }),
      new cloudwatch.GraphWidget({
        title: 'Model latency (microseconds)',
        left: [e.metric('ModelLatency', { statistic: 'p50' }), e.metric('ModelLatency', { statistic: 'p99' })],
        width: 12,
      }),
    );
    if (this.driftMonitor) this.dashboard.addWidgets(...this.driftMonitor.widgets());
    this.dashboard.addWidgets(
      new cloudwatch.AlarmStatusWidget({
        title: 'Alarms',
        alarms: [...e.alarms, ...(this.driftMonitor?.alarms ?? [])],
        width: 24,
      }),
    );

    this.modelCard = this.renderModelCard(props, endpointName);

    Tags.of(this).add(TAGS.DATA_CLASSIFICATION, model.dataClassification);
    for (const [k, v] of Object.entries(model.tags)) Tags.of(this).add(k, v);
  }

  /**
   * The model card, from the config and the baseline. `Approved` only when the pipeline deploys this stack after a
   * manual approval; otherwise `Draft` (a break-glass `cdk deploy` of an approving environment still says Approved:
   * the release record, not the card, proves the approval).
   */
  private renderModelCard(props: ModelEndpointStackProps, endpointName: string): sagemaker.CfnModelCard {
    const { config, model, platform, baseline } = props;
    const image = `${model.image.repository}@${model.image.digest ?? model.image.tag}`;
    const t = model.monitoring.thresholds;
    const sensitive = model.monitoring.sensitiveAttribute;
    const fairness = baseline?.fairness;
    // Fairness of the training labels, as the baseline measured it. In customDetails, as strings: the card's
    // evaluation metric values are typed Json (an object) in CloudFormation, which a plain number is not.
    const trainingFairness = {
      ...(fairness?.demographicParityDifference !== undefined
        ? { trainingDemographicParityDifference: String(fairness.demographicParityDifference) }
        : {}),
      ...(fairness?.disparateImpactRatio !== undefined
        ? { trainingDisparateImpactRatio: String(fairness.disparateImpactRatio) }
        : {}),
    };
    return new sagemaker.CfnModelCard(this, 'ModelCard', {
      modelCardName: `${endpointName}${MODEL_CARD_SUFFIX}`,
      modelCardStatus: props.approvedByPipeline ? 'Approved' : 'Draft',
      securityConfig: { kmsKeyId: platform.dataKey.keyArn },
      content: {
        modelOverview: {
          modelDescription: model.card.description,
          ...(model.card.owner ? { modelOwner: model.card.owner } : {}),
          inferenceEnvironment: { containerImage: [image] },
        },
        intendedUses: {
          intendedUses: model.card.intendedUses,
          ...(model.card.limitations ? { factorsAffectingModelEfficiency: model.card.limitations } : {}),
          riskRating: model.card.riskRating,
          ...(model.card.riskRationale ? { explanationsForRiskRating: model.card.riskRationale } : {}),
        },
        trainingDetails: {
          trainingObservations: baseline
            ? `Training data ${baseline.sourceFile}, SHA-256 ${baseline.sourceSha256}, ${baseline.recordCount} records (drift baseline of ${baseline.createdAt}).`
            : 'No drift baseline was configured, so the training data is not identified here.',
        },
        additionalInformation: {
          ethicalConsiderations: model.card.ethicalConsiderations,
          ...(model.card.limitations ? { caveatsAndRecommendations: model.card.limitations } : {}),
          customDetails: {
            imageDigest: model.image.digest ?? model.image.tag,
            imageRepository: model.image.repository,
            ...(baseline ? { trainingDataSha256: baseline.sourceSha256 } : {}),
            dataClassification: model.dataClassification,
            sensitiveAttribute: sensitive ?? 'none',
            ...(sensitive !== undefined
              ? {
                  fairnessDisparateImpactMin: String(t.disparateImpactMin),
                  fairnessParityDifferenceMax: String(t.parityDifferenceMax),
                  fairnessMinGroupSize: String(t.minGroupSize),
                }
              : {}),
            ...trainingFairness,
            driftPsiThreshold: String(t.psi),
            dataCaptureSamplingPercent: String(model.dataCapture.enabled ? model.dataCapture.samplingPercent : 0),
            captureRetentionDays: String(config.compliance.captureRetentionDays),
            approval: props.approvedByPipeline
              ? 'deployed by the delivery pipeline after its manual approval'
              : 'no manual approval before this environment',
          },
        },
      },
    });
  }
}
