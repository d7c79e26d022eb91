/**
 * What a release-record test needs besides an assembly: the production stage's history as CodePipeline's
 * ListActionExecutions returns it (gates, approval, gates again), and the reports and SBOMs of a synth step.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ActionExecution } from '../../lib/release/pipeline-history';

/** The production stage's history of `execution`, starting at `start`; another stage and execution mixed in. */
export function productionHistory(execution: string, start: Date): ActionExecution[] {
  const at = (minutes: number) => new Date(start.getTime() + minutes * 60_000);
  const gate = (actionName: string, minutes: number, summary: string): ActionExecution => ({
    pipelineExecutionId: execution,
    stageName: 'production',
    actionName,
    status: 'Succeeded',
    startTime: at(minutes),
    lastUpdateTime: at(minutes + 1),
    output: { executionResult: { externalExecutionSummary: summary } },
  });
  return [
    gate(
      'ImageGate',
      0,
      '[gate findings=7 resources=2 failing=0 rules= unreadable=0 missing=0] Compliance gate passed',
    ),
    {
      pipelineExecutionId: execution,
      stageName: 'production',
      actionName: 'Approve',
      status: 'Succeeded',
      startTime: at(2),
      lastUpdateTime: at(40),
      updatedBy: 'arn:aws:sts::999999999999:assumed-role/ReleaseManagers/alice',
      output: { executionResult: { externalExecutionSummary: 'Checked the reports; go.' } },
    },
    gate('ImageGateAfterApproval', 41, '[gate findings=7 resources=2 failing=0 rules= unreadable=0 missing=0] passed'),
    gate(
      'EndpointGateBeforeDeploy',
      43,
      '[gate findings=0 resources=0 failing=0 rules= unreadable=0 missing=1] passed',
    ),
    gate('EndpointGate', 70, '[gate findings=21 resources=4 failing=0 rules= unreadable=0 missing=0] passed'),
    // Another stage and another execution are not this record's business.
    { ...gate('ImageGate', 0, 'x'), stageName: 'staging' },
    { ...gate('EndpointGate', 0, 'y'), pipelineExecutionId: 'other' },
  ];
}

/** A reports directory as the synth step leaves it: security reports and one SBOM. */
export function synthReports(): string {
  const reports = mkdtempSync(join(tmpdir(), 'release-reports-'));
  mkdirSync(join(reports, 'security'), { recursive: true });
  mkdirSync(join(reports, 'sbom'), { recursive: true });
  writeFileSync(join(reports, 'security', 'findings.sarif'), '{"version":"2.1.0","runs":[]}\n');
  writeFileSync(join(reports, 'security', 'findings.md'), '# No open findings\n');
  writeFileSync(join(reports, 'sbom', 'production.cdx.json'), '{"bomFormat":"CycloneDX","specVersion":"1.5"}\n');
  return reports;
}
