/** What changed between two reports: open findings that are new, and open findings of the base that are gone. */
import { SecurityFinding, SecurityReport } from './validation-report';
import { findingKey } from './finding-labels';

export interface ReportChanges {
  /** Open now, not open in the base report. */
  readonly added: readonly SecurityFinding[];
  /** Open in the base report, not open now (fixed, or acknowledged since). */
  readonly removed: readonly SecurityFinding[];
}

export function compareReports(current: SecurityReport, base: SecurityReport): ReportChanges {
  const openKeys = (r: SecurityReport) => new Set(r.findings.filter((f) => f.status === 'open').map(findingKey));
  const [now, before] = [openKeys(current), openKeys(base)];
  return {
    added: current.findings.filter((f) => f.status === 'open' && !before.has(findingKey(f))),
    removed: base.findings.filter((f) => f.status === 'open' && !now.has(findingKey(f))),
  };
}
