/** What every entry point is given: the clients, the settings, the clock, and a collector per region. */
import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import type { CodePipelineClient } from '@aws-sdk/client-codepipeline';
import type { ConfigServiceClient } from '@aws-sdk/client-config-service';
import type { ECRClient } from '@aws-sdk/client-ecr';
import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { IAMClient } from '@aws-sdk/client-iam';
import type { KMSClient } from '@aws-sdk/client-kms';
import type { ResourceGroupsTaggingAPIClient } from '@aws-sdk/client-resource-groups-tagging-api';
import type { S3Client } from '@aws-sdk/client-s3';
import type { SageMakerClient } from '@aws-sdk/client-sagemaker';
import type { SNSClient } from '@aws-sdk/client-sns';
import type { Logger } from '../../shared/logger';
import type { Collector, NotFound, ScanError } from '../collect';
import type { CheckerSettings } from '../settings';

export interface CheckerClients {
  readonly sagemaker: SageMakerClient;
  readonly ecr: ECRClient;
  readonly kms: KMSClient;
  readonly s3: S3Client;
  readonly cloudwatch: CloudWatchClient;
  readonly sns: SNSClient;
  readonly config: ConfigServiceClient;
  readonly codepipeline: CodePipelineClient;
  /** Batched tag reads for scheduled scans (tag:GetResources); without it tags are read per resource. */
  readonly tagging?: ResourceGroupsTaggingAPIClient;
  /** Reads the models' execution roles (MLOPS-IAM-1, -2). @default - not read: the IAM rules are not evaluated */
  readonly iam?: IAMClient;
  /** Reads EventBridge rules and targets (MLOPS-EVENTS-1). @default - not read: the rule is not evaluated */
  readonly events?: EventBridgeClient;
}

export interface EntryContext {
  readonly clients: CheckerClients;
  readonly settings: CheckerSettings;
  readonly clock: () => Date;
  /** The checker's own region, written into the report. */
  readonly region?: string;
  /** A collector for this invocation: in `region` when given, else with the home clients. */
  readonly collector: (logger: Logger, opts?: { readonly region?: string }) => Collector;
}

/** One invocation: its id (the Lambda request id) and its logger. */
export interface Run {
  readonly runId: string;
  readonly logger: Logger;
}

export type CheckerResult =
  | { readonly kind: 'rejected'; readonly error: string }
  | {
      readonly kind: 'config';
      readonly ruleId: string;
      readonly evaluations: number;
      readonly calls: number;
      readonly errors: ScanError[];
      readonly notFound: NotFound[];
    }
  | {
      readonly kind: 'scheduled';
      readonly runId: string;
      readonly reportKey: string;
      readonly resources: number;
      readonly nonCompliant: number;
      readonly newViolations: number;
      readonly notified: boolean;
      readonly errors: number;
    }
  | { readonly kind: 'pipeline'; readonly jobId: string; readonly passed: boolean; readonly message: string };
