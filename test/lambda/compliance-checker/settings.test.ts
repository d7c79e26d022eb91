import {
  COMPLIANCE_CHECKER_ENV,
  ComplianceCheckerEnvironment,
  complianceCheckerEnvironment,
  parseComplianceCheckerEnvironment,
} from '../../../core/contracts/compliance-checker';
import { ConfigurationError } from '../../../lambda/shared/errors';
import { readSettings } from '../../../lambda/compliance-checker/settings';
import { KEY_ARN, POLICY } from '../../support/fake-account';

const rendered: ComplianceCheckerEnvironment = {
  policy: POLICY,
  reportBucket: 'reports',
  reportKmsKeyArn: KEY_ARN,
  alertTopicArn: 'arn:aws:sns:eu-west-1:123456789012:alerts',
  concurrency: 16,
  scanRegions: ['eu-west-1', 'eu-central-1'],
  imageScope: 'all',
};

describe('the compliance checker environment contract', () => {
  test.each([
    ['every setting given', rendered],
    ['no scan regions (the function region)', { ...rendered, scanRegions: [] }],
    ['the in-use image scope', { ...rendered, imageScope: 'in-use' as const, concurrency: 1 }],
  ])('parse is the inverse of render: %s', (_name, env) => {
    // GIVEN the environment the construct renders
    const vars = complianceCheckerEnvironment(env);
    // WHEN the function reads it back
    const parsed = parseComplianceCheckerEnvironment(vars);
    // THEN it gets exactly what the construct was given
    expect(parsed.success && parsed.data).toEqual(env);
  });

  test('reads only the keys the contract names', () => {
    // GIVEN the rendered environment
    const vars = complianceCheckerEnvironment(rendered);
    // THEN every key is one of COMPLIANCE_CHECKER_ENV, each written once
    expect(Object.keys(vars).sort()).toEqual(Object.values(COMPLIANCE_CHECKER_ENV).sort());
  });

  test('rejects a bad environment with every problem at once, each naming the variable, the value and the fix', () => {
    // GIVEN four bad settings and a bad policy field
    const vars = {
      ...complianceCheckerEnvironment(rendered),
      [COMPLIANCE_CHECKER_ENV.POLICY]: JSON.stringify({ ...POLICY, imageScanMaxAgeDays: 0 }),
      [COMPLIANCE_CHECKER_ENV.REPORT_KMS_KEY_ARN]: 'alias/reports',
      [COMPLIANCE_CHECKER_ENV.SCAN_CONCURRENCY]: '65',
      [COMPLIANCE_CHECKER_ENV.IMAGE_SCOPE]: 'some',
      [COMPLIANCE_CHECKER_ENV.REPORT_BUCKET]: undefined,
    };
    // WHEN the settings are read
    let error: unknown;
    try {
      readSettings(vars);
    } catch (err) {
      error = err;
    }
    // THEN one ConfigurationError lists all five
    expect(error).toBeInstanceOf(ConfigurationError);
    const { message, problems } = error as ConfigurationError;
    expect(problems.map((p) => p.path)).toEqual([
      'POLICY_JSON.imageScanMaxAgeDays',
      'REPORT_BUCKET',
      'REPORT_KMS_KEY_ARN',
      'SCAN_CONCURRENCY',
      'IMAGE_SCOPE',
    ]);
    expect(message).toMatch(/^Invalid compliance checker settings: 5 problem\(s\)/);
    expect(message).toMatch(/POLICY_JSON\.imageScanMaxAgeDays: must be an integer between 1 and 365 \(received 0\)/);
    expect(message).toMatch(/REPORT_BUCKET: is required \(the report bucket name\) \(received nothing\)/);
    expect(message).toMatch(
      /REPORT_KMS_KEY_ARN: must be a KMS key ARN \(arn:aws:kms:\.\.\.\) \(received "alias\/reports"\)/,
    );
    expect(message).toMatch(/SCAN_CONCURRENCY: must be an integer between 1 and 64 \(received "65"\)/);
    expect(message).toMatch(/IMAGE_SCOPE: must be 'in-use' or 'all' \(received "some"\)/);
  });

  test('rejects a policy that is not JSON, naming the variable', () => {
    // GIVEN a truncated policy document
    const vars = { ...complianceCheckerEnvironment(rendered), [COMPLIANCE_CHECKER_ENV.POLICY]: '{"allowedRegions":' };
    // WHEN / THEN
    expect(() => readSettings(vars)).toThrow(
      /POLICY_JSON: must be JSON \(a CompliancePolicy\): .* \(received "\{\\"allowedRegions\\":"\)/,
    );
  });

  test('rejects empty SCAN_REGIONS without AWS_REGION to fall back on', () => {
    // GIVEN no scan regions and no function region
    const vars = { ...complianceCheckerEnvironment({ ...rendered, scanRegions: [] }), AWS_REGION: undefined };
    // WHEN / THEN
    expect(() => readSettings(vars)).toThrow(/AWS_REGION: is required when SCAN_REGIONS is empty/);
  });
});
