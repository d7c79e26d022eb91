/** A gate that fails, or cannot decide, says what to do, and keeps saying it when the details are truncated. */
import { gateDecision, MAX_FAILURE_MESSAGE } from '../../../lambda/compliance-checker/gate';
import { parseGateCounts } from '../../../core/contracts/pipeline-gate';
import { ruleById } from '../../../core/policy/catalogue';
import { Finding } from '../../../core/policy/rule';

const pendingScan: Finding = {
  ruleId: 'MLOPS-IMG-2',
  severity: 'MEDIUM',
  resourceId: 'fraud-xgb:1.0.0',
  resourceKind: 'Image',
  status: 'NON_COMPLIANT',
  reason: 'fraud-xgb:1.0.0 has no completed scan (status IN_PROGRESS); a scan within 7 days is required',
};

describe('gate guidance', () => {
  test('fails a pending scan closed, with the rule’s remediation', () => {
    // WHEN the only finding is an image whose scan has not completed
    const d = gateDecision([pendingScan], [], [], 'LOW');
    // THEN the gate fails and says what to do
    expect(d.passed).toBe(false);
    expect(d.message).toContain(`What to do (MLOPS-IMG-2): ${ruleById('MLOPS-IMG-2')!.remediation}`);
    expect(d.message).toContain('status IN_PROGRESS');
  });

  test('fails closed on access denied, saying which access to grant', () => {
    const d = gateDecision(
      [],
      [
        {
          resourceKind: 'Image',
          resource: 'fraud-xgb:1.0.0',
          operation: 'ecr:DescribeImages',
          code: 'AccessDeniedException',
          message: 'not authorized',
          accessDenied: true,
        },
      ],
      [],
      'LOW',
    );
    expect(d.passed).toBe(false);
    expect(d.message).toMatch(
      /compliance is unproven:\nWhat to do: on AccessDenied give the compliance checker's role read access/,
    );
    expect(d.message).toContain('Image fraud-xgb:1.0.0: ecr:DescribeImages AccessDeniedException');
  });

  test('fails closed on a resource that is not there, saying to push or deploy it', () => {
    const d = gateDecision([], [], [{ resourceKind: 'Endpoint', resource: 'mlops-staging-fraud-xgb' }], 'LOW');
    expect(d.passed).toBe(false);
    expect(d.message).toMatch(
      /not found: Endpoint mlops-staging-fraud-xgb\nWhat to do: push the image tag .* or deploy the environment/,
    );
  });

  test('keeps what to do when hundreds of findings are truncated', () => {
    const many = Array.from({ length: 500 }, (_, i) => ({ ...pendingScan, resourceId: `repo:${i}` }));
    const d = gateDecision(many, [], [], 'LOW');
    expect(d.message.length).toBeLessThanOrEqual(MAX_FAILURE_MESSAGE);
    expect(d.message).toContain('What to do (MLOPS-IMG-2)');
  });
});

describe('gate counts and the endpoint gate before a first deployment', () => {
  test('every answer starts with the counts the release record keeps', () => {
    // WHEN a gate fails on one rule, and another passes
    const failed = gateDecision([pendingScan], [], [], 'LOW');
    const passed = gateDecision([{ ...pendingScan, status: 'COMPLIANT' }], [], [], 'LOW');
    // THEN both carry machine-readable counts first, which the contract parses back
    expect(parseGateCounts(failed.message)).toEqual({
      findings: 1,
      resources: 1,
      failing: 1,
      failingRules: ['MLOPS-IMG-2'],
      unreadable: 0,
      missing: 0,
    });
    expect(parseGateCounts(passed.message)).toMatchObject({ findings: 1, failing: 0, failingRules: [] });
    expect(parseGateCounts('Compliance checker error (Throttling): slow down')).toBeUndefined();
  });

  test('allowMissing passes an endpoint that is not there yet, and says so; it never passes a finding', () => {
    const missing = [{ resourceKind: 'Endpoint' as const, resource: 'mlops-production-fraud-xgb' }];
    const d = gateDecision([], [], missing, 'LOW', true);
    expect(d.passed).toBe(true);
    expect(d.message).toContain(
      'not there yet (allowed before a first deployment): Endpoint mlops-production-fraud-xgb',
    );
    expect(parseGateCounts(d.message)).toMatchObject({ missing: 1 });
    expect(gateDecision([pendingScan], [], missing, 'LOW', true).passed).toBe(false);
    expect(gateDecision([], [], missing, 'LOW').passed).toBe(false);
  });
});
