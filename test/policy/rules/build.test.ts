import { BuildProjectFacts } from '../../../core/policy';
import { buildNoPlaintextSecrets, buildNotPrivileged } from '../../../core/policy/rules/build';
import { check } from '../../support/policy-facts';

const project = (o: Partial<BuildProjectFacts> = {}): BuildProjectFacts => ({
  kind: 'BuildProject',
  id: 'Synth',
  privilegedMode: false,
  plaintextVariables: [],
  ...o,
});

describe('MLOPS-BUILD-1 no privileged mode', () => {
  test('passes an unprivileged project', () => {
    expect(check(buildNotPrivileged, project()).status).toBe('COMPLIANT');
  });
  test('fails a privileged project', () => {
    const r = check(buildNotPrivileged, project({ privilegedMode: true }));
    expect(r).toEqual({ status: 'NON_COMPLIANT', reason: expect.stringMatching(/privileged mode/) });
  });
  test('fails an unknown privileged mode, as unknown', () => {
    expect(check(buildNotPrivileged, project({ privilegedMode: undefined })).reason).toMatch(/unknown/);
  });
});

describe('MLOPS-BUILD-2 no secrets in plaintext variables', () => {
  test.each([
    [
      'ordinary settings',
      [
        { name: 'NODE_ENV', value: 'production' },
        { name: 'CDK_DEFAULT_REGION', value: 'eu-west-1' },
      ],
    ],
    [
      'references to secrets',
      [
        { name: 'DB_PASSWORD_SECRET_ARN', value: 'arn:aws:secretsmanager:eu-west-1:111122223333:secret:db' },
        { name: 'API_TOKEN_PARAMETER', value: '/ci/api-token' },
        { name: 'TOKEN_PATH', value: '/ci/token' },
      ],
    ],
    ['a key id that is not a secret', [{ name: 'KMS_KEY_ID', value: '1234abcd-12ab-34cd-56ef-1234567890ab' }]],
  ])('passes %s', (_name, plaintextVariables) => {
    expect(check(buildNoPlaintextSecrets, project({ plaintextVariables })).status).toBe('COMPLIANT');
  });

  test.each([
    ['an AWS access key id under any name', { name: 'X', value: 'AKIAIOSFODNN7EXAMPLE' }, /an AWS access key id/],
    ['a GitHub token', { name: 'HELPER', value: 'ghp_0123456789abcdefghijABCDEFGHIJ012345' }, /a GitHub token/],
    ['a private key', { name: 'CERT', value: '-----BEGIN RSA PRIVATE KEY-----\nMIIE' }, /a private key/],
    ['a password by name', { name: 'DB_PASSWORD', value: 'hunter2' }, /DB_PASSWORD is named like a secret/],
    ['an API key by name', { name: 'datadogApiKey', value: 'abc123' }, /datadogApiKey/],
    [
      'a secret from a parameter (resolved into the project in clear text)',
      { name: 'SLACK_TOKEN', value: '${SlackToken}' },
      /SLACK_TOKEN/,
    ],
  ])('fails %s', (_name, variable, reason) => {
    const r = check(
      buildNoPlaintextSecrets,
      project({ plaintextVariables: [{ name: 'STAGE', value: 'prod' }, variable] }),
    );
    expect(r.status).toBe('NON_COMPLIANT');
    expect(r.reason).toMatch(reason);
  });

  test('fails a variable list the source does not show, as unknown', () => {
    expect(check(buildNoPlaintextSecrets, project({ plaintextVariables: undefined })).reason).toMatch(/unknown/);
  });
});
