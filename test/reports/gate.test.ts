import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { failOnOpenWarnings, openFindings } from '../../lib/reports/gate';

function assemblyWith(report: unknown): string {
  const dir = mkdtempSync(join(tmpdir(), 'gate-'));
  writeFileSync(join(dir, 'validation-report.json'), JSON.stringify(report));
  return dir;
}

const report = {
  version: '55.0.0',
  pluginReports: [
    {
      pluginName: 'AwsSolutions',
      conclusion: 'success',
      violations: [
        {
          ruleName: 'AwsSolutions-X1',
          description: 'd',
          severity: 'warning',
          violatingConstructs: [{ constructPath: 'S/A' }],
        },
      ],
      suppressedViolations: [
        {
          ruleName: 'AwsSolutions-IAM5[Resource::*]',
          description: 'd',
          severity: 'error',
          acknowledgedId: 'AwsSolutions::AwsSolutions-IAM5[Resource::*]',
          acknowledgedAt: 'S/B',
          reason: 'r',
          violatingConstructs: [{ constructPath: 'S/B' }],
        },
      ],
    },
    {
      pluginName: 'Construct Annotations',
      conclusion: 'success',
      violations: [
        {
          ruleName: 'Annotation::info',
          description: 'd',
          severity: 'info',
          violatingConstructs: [{ constructPath: 'S/C' }],
        },
      ],
    },
  ],
};

describe('policy gate', () => {
  test('fails on an open warning, naming pack, rule and place; ignores info and acknowledged findings', () => {
    // GIVEN a report with one open warning, one info annotation and one acknowledged error
    const dir = assemblyWith(report);
    const errors: string[] = [];
    const spy = jest.spyOn(console, 'error').mockImplementation((m: string) => void errors.push(m));
    // WHEN
    const code = failOnOpenWarnings(dir, {});
    spy.mockRestore();
    // THEN
    expect(code).toBe(1);
    expect(openFindings(dir, ['warning'])).toEqual([
      expect.objectContaining({
        pack: 'AwsSolutions',
        findingId: 'AwsSolutions-X1',
        severity: 'warning',
        constructPath: 'S/A',
        status: 'open',
      }),
    ]);
    expect(errors.join('\n')).toMatch(/\[AwsSolutions\] AwsSolutions-X1 at S\/A/);
  });

  test('passes a clean report, and a report-only run', () => {
    expect(failOnOpenWarnings(assemblyWith({ version: '55.0.0', pluginReports: [] }), {})).toBe(0);
    expect(failOnOpenWarnings(assemblyWith(report), { MLOPS_REPORT_ONLY: 'true' })).toBe(0);
  });
});
