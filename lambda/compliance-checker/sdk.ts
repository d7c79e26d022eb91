/**
 * The AWS SDK modules the checker uses, each loaded on first use, once: a cold start loads none of them, and each
 * entry point (scheduled scan, Config rule, pipeline gate) loads only the clients and commands it calls.
 *
 * `require` (not `import()`): the clients are built synchronously on first access (`lazily`), and esbuild leaves a
 * `require` of the external SDK where it stands, so the runtime's SDK is read when the call runs, not at init.
 * Types come from the `import type` lines, which leave nothing in the bundle.
 */
/* eslint-disable @typescript-eslint/no-require-imports */
import type * as CloudWatch from '@aws-sdk/client-cloudwatch';
import type * as CodePipeline from '@aws-sdk/client-codepipeline';
import type * as ConfigService from '@aws-sdk/client-config-service';
import type * as Ecr from '@aws-sdk/client-ecr';
import type * as Events from '@aws-sdk/client-eventbridge';
import type * as Iam from '@aws-sdk/client-iam';
import type * as Kms from '@aws-sdk/client-kms';
import type * as Tagging from '@aws-sdk/client-resource-groups-tagging-api';
import type * as S3 from '@aws-sdk/client-s3';
import type * as SageMaker from '@aws-sdk/client-sagemaker';
import type * as Sns from '@aws-sdk/client-sns';

function once<T>(load: () => T): () => T {
  let loaded: T | undefined;
  return () => (loaded ??= load());
}

export const sdk = {
  cloudwatch: once(() => require('@aws-sdk/client-cloudwatch') as typeof CloudWatch),
  codepipeline: once(() => require('@aws-sdk/client-codepipeline') as typeof CodePipeline),
  config: once(() => require('@aws-sdk/client-config-service') as typeof ConfigService),
  ecr: once(() => require('@aws-sdk/client-ecr') as typeof Ecr),
  events: once(() => require('@aws-sdk/client-eventbridge') as typeof Events),
  iam: once(() => require('@aws-sdk/client-iam') as typeof Iam),
  kms: once(() => require('@aws-sdk/client-kms') as typeof Kms),
  tagging: once(() => require('@aws-sdk/client-resource-groups-tagging-api') as typeof Tagging),
  s3: once(() => require('@aws-sdk/client-s3') as typeof S3),
  sagemaker: once(() => require('@aws-sdk/client-sagemaker') as typeof SageMaker),
  sns: once(() => require('@aws-sdk/client-sns') as typeof Sns),
};
