import {
  DriftDetectorEnvironment,
  driftDetectorEnvironment,
  parseDriftDetectorEnvironment,
} from '../../core/contracts/drift-detector';
import { EnvironmentError } from '../../core/contracts/environment';
import { DRIFT_REPORT_ENV, parseThresholds } from '../../core/contracts/drift-report';
import { qualitySettings } from '../../core/contracts/quality';

const ENVIRONMENT: DriftDetectorEnvironment = {
  features: [
    { name: 'amount', type: 'numeric' },
    { name: 'gender', type: 'categorical' },
  ],
  sensitiveAttribute: 'gender',
  positiveLabel: 'approved',
  minSamples: 300,
  minGroupSize: 30,
  windowMaxAgeHours: 6,
  stateBucket: 'capture',
  statePrefix: 'drift-state/',
  endpointName: 'fraud-xgb',
  variantName: 'AllTraffic',
  baselineBucket: 'assets',
  baselineKey: 'baselines/fraud.json',
  logLevel: 'DEBUG',
};

describe('drift detector environment contract', () => {
  it('parses back exactly what the construct renders', () => {
    // GIVEN the environment the construct renders WHEN the detector parses it THEN it gets the same values
    expect(parseDriftDetectorEnvironment(driftDetectorEnvironment(ENVIRONMENT))).toEqual(ENVIRONMENT);
  });

  it('reads the log level in any case, as the logger does', () => {
    // GIVEN a lower-case level WHEN parsed THEN it is the upper-case level
    const env = { ...driftDetectorEnvironment(ENVIRONMENT), LOG_LEVEL: 'warn' };
    expect(parseDriftDetectorEnvironment(env).logLevel).toBe('WARN');
  });

  it('fills the defaults of the variables the construct may leave out', () => {
    // GIVEN only the required variables WHEN parsed THEN the documented defaults apply
    const parsed = parseDriftDetectorEnvironment({ FEATURES: 'a:numeric', BASELINE_BUCKET: 'b', BASELINE_KEY: 'k' });
    expect(parsed).toEqual({
      features: [{ name: 'a', type: 'numeric' }],
      positiveLabel: 1,
      minSamples: 200,
      minGroupSize: 100,
      windowMaxAgeHours: 24,
      statePrefix: 'drift-state/',
      baselineBucket: 'b',
      baselineKey: 'k',
    });
  });

  it('rejects an environment with an EnvironmentError listing each variable, value and rule', () => {
    // GIVEN a bad feature list, a bad log level and a bad report switch
    const env = {
      ...driftDetectorEnvironment(ENVIRONMENT),
      FEATURES: 'amount:numeric,amount:numeric',
      LOG_LEVEL: 'LOUD',
      [DRIFT_REPORT_ENV.ALL_WINDOWS]: 'yes',
    };
    // WHEN parsed THEN one error names all three
    let error: unknown;
    try {
      parseDriftDetectorEnvironment(env);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(EnvironmentError);
    expect((error as EnvironmentError).problems).toEqual([
      'environment variable FEATURES is not a feature list: feature "amount" is listed twice, got "amount:numeric,amount:numeric"',
      'environment variable LOG_LEVEL must be DEBUG, INFO, WARN or ERROR, got "LOUD"',
      'environment variable REPORT_ALL_WINDOWS must be true or false, got "yes"',
    ]);
  });
});

describe('drift detector environment contract: monitoring.quality', () => {
  const QUALITY = qualitySettings({ minGroupSize: 30, reference: { accuracy: 0.9 }, tolerance: { accuracy: 0.02 } });

  it('parses back the quality settings and the ledger key the construct renders', () => {
    // GIVEN quality settings and the capture key WHEN rendered and parsed THEN the detector gets the same values
    const withQuality = { ...ENVIRONMENT, quality: QUALITY, ledgerKmsKeyArn: 'arn:aws:kms:eu-west-1:1:key/k' };
    expect(parseDriftDetectorEnvironment(driftDetectorEnvironment(withQuality))).toEqual(withQuality);
  });

  it('rejects QUALITY that is not JSON, an unknown metric, and a missing ledger key, each named', () => {
    const problems = (env: Record<string, string>) => {
      try {
        parseDriftDetectorEnvironment({ ...driftDetectorEnvironment(ENVIRONMENT), ...env });
      } catch (err) {
        return (err as EnvironmentError).problems;
      }
      throw new Error('parsed');
    };
    expect(problems({ QUALITY: '{oops', LEDGER_KMS_KEY_ARN: 'arn' })).toEqual([
      expect.stringMatching(/^environment variable QUALITY is not JSON \(/),
    ]);
    expect(
      problems({ QUALITY: JSON.stringify({ ...QUALITY, reference: { accurcy: 0.9 } }), LEDGER_KMS_KEY_ARN: 'arn' }),
    ).toEqual([
      expect.stringMatching(/^environment variable QUALITY \.reference keys must be among accuracy, .*got accurcy/),
    ]);
    expect(problems({ QUALITY: JSON.stringify(QUALITY) })).toEqual([
      'environment variable LEDGER_KMS_KEY_ARN is required when QUALITY is set (the capture key ARN: ledgers are written SSE-KMS with it)',
    ]);
  });
});

describe('thresholds contract', () => {
  it('rejects every bad threshold at once, naming key, value and rule', () => {
    // GIVEN a thresholds document with one negative and one missing threshold
    const raw = JSON.stringify({
      psi: -1,
      jsDistance: 0.1,
      predictionPsi: 0.2,
      disparateImpactMin: 0.8,
      parityDifferenceMax: 0.1,
      minSamples: 200,
    });
    // WHEN parsed THEN both are named
    expect(() => parseThresholds(raw, 'X')).toThrow(
      'X.psi must be a number >= 0, got -1; X.ks must be a number >= 0, got undefined',
    );
  });
});
