/** A gate that fails, or cannot decide, says what to do, and keeps saying it when the details are truncated. */
import { gateDecision, MAX_FAILURE_MESSAGE } from '../../../lambda/compliance-checker/gate';
import { ruleById } from '../../../lib/policy/catalogue';
import { Finding } from '../../../lib/policy/rule';

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
