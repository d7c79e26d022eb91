/** The approval check and the gate verdicts, read from an execution's history: pure, hand-made histories. */
import { ActionExecution, checkApproval, gateVerdicts } from '../../lib/release/pipeline-history';

const EXECUTION = 'exec-1';
const T0 = new Date('2026-12-01T08:00:00Z');
const at = (hours: number) => new Date(T0.getTime() + hours * 3_600_000);
const action = (actionName: string, start: number, end: number, extra: Partial<ActionExecution> = {}) => ({
  pipelineExecutionId: EXECUTION,
  stageName: 'production',
  actionName,
  status: 'Succeeded',
  startTime: at(start),
  lastUpdateTime: at(end),
  ...extra,
});
const history = (approvedAfterHours: number): ActionExecution[] => [
  action('ImageGate', 0, 0.1, {
    output: {
      executionResult: {
        externalExecutionSummary: '[gate findings=3 resources=1 failing=0 rules= unreadable=0 missing=0] ok',
      },
    },
  }),
  action('Approve', 0.1, approvedAfterHours, { updatedBy: 'arn:aws:sts::999999999999:assumed-role/Approvers/bob' }),
];

describe('checkApproval', () => {
  test('passes an approval given within the max age, on fresh gate evidence, naming the approver', () => {
    const check = checkApproval(history(2), EXECUTION, 'production', at(3), 24);
    expect(check.problems).toEqual([]);
    expect(check.approval).toEqual({
      approver: 'arn:aws:sts::999999999999:assumed-role/Approvers/bob',
      requestedAt: at(0.1).toISOString(),
      approvedAt: at(2).toISOString(),
    });
  });

  test('rejects an approval older than the max age (a stage retried days later)', () => {
    const check = checkApproval(history(2), EXECUTION, 'production', at(2 + 25), 24);
    expect(check.problems).toEqual([
      expect.stringMatching(/is 25\.0 h old; approvals expire after 24 h .*Retry stage/),
    ]);
  });

  test('rejects an approval given on image gate evidence older than the max age', () => {
    const check = checkApproval(history(30), EXECUTION, 'production', at(30.5), 24);
    expect(check.problems).toEqual([
      expect.stringMatching(/given on an image gate verdict 29\.9 h old \(at most 24 h\)/),
    ]);
  });

  test('rejects a stage without an approval in this execution (another execution’s does not count)', () => {
    const other = history(1).map((a) => ({ ...a, pipelineExecutionId: 'exec-0' }));
    expect(checkApproval(other, EXECUTION, 'production', at(2), 24).problems).toEqual([
      expect.stringContaining('no approval of stage production in execution exec-1'),
    ]);
    const rejected = history(1).map((a) => (a.actionName === 'Approve' ? { ...a, status: 'Failed' } : a));
    expect(checkApproval(rejected, EXECUTION, 'production', at(2), 24).approval).toBeUndefined();
  });
});

describe('gateVerdicts', () => {
  test('keeps the latest run of each gate of the stage, with its counts, and nothing else', () => {
    const h: ActionExecution[] = [
      ...history(1),
      action('EndpointGate', 3, 3.1, {
        status: 'Failed',
        output: {
          executionResult: {
            errorDetails: {
              message: '[gate findings=2 resources=1 failing=1 rules=MLOPS-EP-1 unreadable=0 missing=0] failed',
            },
          },
        },
      }),
      action('EndpointGate', 5, 5.1, {
        output: {
          executionResult: {
            externalExecutionSummary: '[gate findings=2 resources=1 failing=0 rules= unreadable=0 missing=0] ok',
          },
        },
      }),
      action('mlops-production-platform.Deploy', 2, 3),
      { ...action('ImageGate', 0, 1), stageName: 'staging' },
    ];
    const verdicts = gateVerdicts(h, EXECUTION, 'production');
    expect(verdicts.map((v) => [v.action, v.status, v.counts?.failing])).toEqual([
      ['ImageGate', 'Succeeded', 0],
      ['EndpointGate', 'Succeeded', 0],
    ]);
  });
});
