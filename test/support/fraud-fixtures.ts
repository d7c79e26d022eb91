/** The committed fraud-xgb baseline and a detector config for it, shared by the detector's handler tests. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FRAUD_FEATURES } from '../../scripts/make-example-data';
import { DetectorConfig } from '../../lambda/drift-detector/settings';
import { BaselineDocument } from '../../core/contracts/baseline';

export const FRAUD_BASELINE_FILE = join(__dirname, '../../baselines/fraud-xgb.json');
export const FRAUD_BASELINE: BaselineDocument = JSON.parse(readFileSync(FRAUD_BASELINE_FILE, 'utf8'));

export const FRAUD_DETECTOR_CONFIG: DetectorConfig = {
  features: FRAUD_FEATURES.map((f) => ({ ...f })),
  sensitiveAttribute: 'gender',
  positiveLabel: 1,
  minSamples: 200,
  minGroupSize: 100,
  endpointName: 'fraud-xgb',
  variantName: 'AllTraffic',
  baselineBucket: 'assets',
  baselineKey: 'baseline.json',
  statePrefix: 'drift-state/',
  windowMaxAgeHours: 24,
};
