/** What judging a capture file needs: the handler's dependencies with their defaults filled in. */
import { S3Client } from '@aws-sdk/client-s3';
import { BaselineDocument } from '../../core/contracts/baseline';
import { DriftAccumulator } from './accumulator';
import { MetricWriter } from './metrics';
import { DetectorConfig } from './settings';
import { DriftStateStore } from './state-store';

export interface DetectorContext {
  readonly s3: S3Client;
  readonly writeMetrics: MetricWriter;
  readonly config: DetectorConfig;
  /** Absent: every file is judged alone and a redelivered file publishes again. */
  readonly stateStore?: DriftStateStore;
  readonly now: () => Date;
}

/** An empty accumulator for this baseline and the configured features. */
export function newAccumulator(config: DetectorConfig, baseline: BaselineDocument): DriftAccumulator {
  return new DriftAccumulator(baseline, {
    features: config.features,
    ...(config.sensitiveAttribute !== undefined ? { sensitiveAttribute: config.sensitiveAttribute } : {}),
    positiveLabel: config.positiveLabel,
    minGroupSize: config.minGroupSize,
  });
}
