import { imageSourceOf } from '../../../core/policy/image-uri';
import {
  imageFindingsWithinThreshold,
  imageScannedRecently,
  modelImageFromProjectRegistry,
} from '../../../core/policy/rules/image';
import { check, ctx, image, model } from '../../support/policy-facts';

describe('MLOPS-IMG-1 findings within the allowed severity', () => {
  test('passes with findings up to MEDIUM and UNDEFINED', () => {
    // GIVEN LOW, MEDIUM and UNDEFINED findings, max MEDIUM
    // WHEN checked
    const result = check(imageFindingsWithinThreshold, image());
    // THEN compliant: UNDEFINED is not above
    expect(result.status).toBe('COMPLIANT');
    expect(result.reason).toBe('fraud:1.0.0 has no findings above MEDIUM');
  });

  test('fails with HIGH and CRITICAL findings, naming the counts', () => {
    // GIVEN 2 HIGH and 1 CRITICAL
    const facts = image({
      scan: {
        status: 'COMPLETE',
        completedAt: '2026-02-28T12:00:00Z',
        findingSeverityCounts: { HIGH: 2, CRITICAL: 1, LOW: 9 },
      },
    });
    // WHEN checked
    const result = check(imageFindingsWithinThreshold, facts);
    // THEN non-compliant
    expect(result.status).toBe('NON_COMPLIANT');
    expect(result.reason).toBe('fraud:1.0.0 has findings above MEDIUM: HIGH 2, CRITICAL 1; at most MEDIUM is allowed');
  });

  test('fails with a MEDIUM finding when only LOW is allowed', () => {
    // GIVEN max LOW and a MEDIUM finding
    // WHEN checked
    const result = check(imageFindingsWithinThreshold, image(), ctx({ maxFindingSeverity: 'LOW' }));
    // THEN non-compliant
    expect(result.status).toBe('NON_COMPLIANT');
    expect(result.reason).toContain('above LOW: MEDIUM 1');
  });

  test('passes at CRITICAL threshold whatever the findings', () => {
    // GIVEN max CRITICAL
    const facts = image({
      scan: { status: 'COMPLETE', completedAt: '2026-02-28T12:00:00Z', findingSeverityCounts: { CRITICAL: 4 } },
    });
    // WHEN checked
    const result = check(imageFindingsWithinThreshold, facts, ctx({ maxFindingSeverity: 'CRITICAL' }));
    // THEN compliant: nothing is above CRITICAL
    expect(result.status).toBe('COMPLIANT');
  });

  test('fails for a never-scanned image, naming it by digest when untagged', () => {
    // GIVEN no scan and no tags
    const facts = image({ scan: undefined, imageTags: [] });
    // WHEN checked
    const result = check(imageFindingsWithinThreshold, facts);
    // THEN non-compliant
    expect(result.status).toBe('NON_COMPLIANT');
    expect(result.reason).toBe(
      'fraud@sha256:abc has no scan results, so it cannot be shown free of findings above MEDIUM',
    );
  });

  test('fails for a failed scan', () => {
    // GIVEN a FAILED scan with empty counts
    const facts = image({ scan: { status: 'FAILED', findingSeverityCounts: {} } });
    // WHEN checked
    const result = check(imageFindingsWithinThreshold, facts);
    // THEN non-compliant: empty counts of a failed scan prove nothing
    expect(result.status).toBe('NON_COMPLIANT');
    expect(result.reason).toContain('scan status is FAILED');
  });

  test('is enforced at run time only', () => {
    // GIVEN the rule
    // WHEN its stages are read
    // THEN only run
    expect(imageFindingsWithinThreshold.stages).toEqual(['run']);
    expect(imageScannedRecently.stages).toEqual(['run']);
  });
});

describe('MLOPS-IMG-2 scanned recently', () => {
  test('passes for a scan 1 day old', () => {
    // GIVEN completed a day before now, max 7 days
    // WHEN checked
    const result = check(imageScannedRecently, image());
    // THEN compliant, naming the age
    expect(result.status).toBe('COMPLIANT');
    expect(result.reason).toContain('scanned 1 days ago (2026-02-28T12:00:00Z), within 7 days');
  });

  test('fails for a scan 10 days old', () => {
    // GIVEN completed 10 days before now
    const facts = image({
      scan: { status: 'COMPLETE', completedAt: '2026-02-19T12:00:00Z', findingSeverityCounts: {} },
    });
    // WHEN checked
    const result = check(imageScannedRecently, facts);
    // THEN non-compliant, naming the age and limit
    expect(result.status).toBe('NON_COMPLIANT');
    expect(result.reason).toContain('last scanned 10 days ago (2026-02-19T12:00:00Z); at most 7 days is allowed');
  });

  test('fails for a never-scanned image', () => {
    // GIVEN no scan
    const facts = image({ scan: undefined });
    // WHEN checked
    const result = check(imageScannedRecently, facts);
    // THEN non-compliant
    expect(result.status).toBe('NON_COMPLIANT');
    expect(result.reason).toContain('never scanned; a scan within 7 days is required');
  });

  test('fails for a failed scan', () => {
    // GIVEN a recent but failed scan
    const facts = image({ scan: { status: 'FAILED', completedAt: '2026-03-01T00:00:00Z', findingSeverityCounts: {} } });
    // WHEN checked
    const result = check(imageScannedRecently, facts);
    // THEN non-compliant
    expect(result.status).toBe('NON_COMPLIANT');
    expect(result.reason).toContain('scan status is FAILED');
  });

  test('fails for a scan still in progress with no completion time', () => {
    // GIVEN an in-progress first scan
    const facts = image({ scan: { status: 'IN_PROGRESS', findingSeverityCounts: {} } });
    // WHEN checked
    const result = check(imageScannedRecently, facts);
    // THEN non-compliant
    expect(result.status).toBe('NON_COMPLIANT');
    expect(result.reason).toContain('no completed scan (status IN_PROGRESS)');
  });

  test('rejects an unparseable completion time', () => {
    // GIVEN a garbage timestamp
    const facts = image({ scan: { status: 'COMPLETE', completedAt: 'yesterday', findingSeverityCounts: {} } });
    // WHEN checked
    const result = check(imageScannedRecently, facts);
    // THEN non-compliant, quoting it
    expect(result.status).toBe('NON_COMPLIANT');
    expect(result.reason).toContain('"yesterday" is not a date');
  });
});

describe('MLOPS-IMG-3 model images from the project’s ECR, pinned', () => {
  const withImages = (...uris: string[]) => model({ images: uris, imageSources: uris.map(imageSourceOf) });
  test.each([
    ['a release tag in a project account', '111122223333.dkr.ecr.eu-west-1.amazonaws.com/fraud:1.0.0'],
    ['a digest in a project account', '111122223333.dkr.ecr.eu-west-1.amazonaws.com/fraud@sha256:' + 'a'.repeat(64)],
    ['the stack’s own account', '${AWS::AccountId}.dkr.ecr.${AWS::Region}.${AWS::URLSuffix}/fraud:2.3.1'],
  ])('passes %s', (_name, uri) => {
    expect(check(modelImageFromProjectRegistry, withImages(uri)).status).toBe('COMPLIANT');
  });

  test('passes the resource’s own account without a known-accounts list', () => {
    const facts = {
      ...withImages('444455556666.dkr.ecr.eu-west-1.amazonaws.com/fraud:1.0.0'),
      account: '444455556666',
    };
    expect(check(modelImageFromProjectRegistry, facts, ctx({ knownAccounts: undefined })).status).toBe('COMPLIANT');
  });

  test.each([
    ['another account’s ECR', '999988887777.dkr.ecr.eu-west-1.amazonaws.com/fraud:1.0.0', /account 999988887777/],
    ['Docker Hub', 'someone/fraud-model:1.0.0', /not from a private ECR registry/],
    ['a Docker Hub library image without tag', 'python', /not from a private ECR/],
    ['public ECR', 'public.ecr.aws/someone/fraud:1.0.0', /not from a private ECR/],
    ['the mutable tag latest', '111122223333.dkr.ecr.eu-west-1.amazonaws.com/fraud:latest', /mutable tag "latest"/],
    ['no tag at all', '111122223333.dkr.ecr.eu-west-1.amazonaws.com/fraud', /mutable tag "latest"/],
  ])('fails %s', (_name, uri, reason) => {
    const r = check(modelImageFromProjectRegistry, withImages(uri));
    expect(r.status).toBe('NON_COMPLIANT');
    expect(r.reason).toMatch(reason);
  });

  test.each([
    ['a registry behind a parameter', '${Registry}/fraud:1.0.0'],
    ['a tag behind a parameter', '111122223333.dkr.ecr.eu-west-1.amazonaws.com/fraud:${Tag}'],
  ])('fails %s, as unknown', (_name, uri) => {
    const r = check(modelImageFromProjectRegistry, withImages(uri));
    expect(r.status).toBe('NON_COMPLIANT');
    expect(r.reason).toMatch(/unknown/);
  });
});
