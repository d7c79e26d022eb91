import { IConstruct } from 'constructs';
import type { ValidationReport } from './validation-report';

/** One acknowledgement as CDK records it on a construct. */
export interface RecordedAcknowledgement {
  /** Namespaced id, `<pack>::<finding>`. */
  readonly id: string;
  readonly reason: string;
  /** Construct path it was made at. */
  readonly path: string;
}

const ACK_METADATA = 'aws:cdk:acknowledged-rules';

/** Every acknowledgement made anywhere in the tree. */
export function recordedAcknowledgements(root: IConstruct): RecordedAcknowledgement[] {
  const out: RecordedAcknowledgement[] = [];
  for (const c of root.node.findAll()) {
    for (const entry of c.node.metadata) {
      if (entry.type !== ACK_METADATA || !entry.data) continue;
      for (const [id, reason] of Object.entries(entry.data as Record<string, string>))
        out.push({ id, reason, path: c.node.path });
    }
  }
  return out;
}

/**
 * Acknowledgements that suppressed nothing: dead weight that would silently hide a future finding.
 * A live acknowledgement appears in some pack's `suppressedViolations` with the same id and place.
 */
export function deadAcknowledgements(root: IConstruct, report: ValidationReport): RecordedAcknowledgement[] {
  const used = new Set<string>();
  for (const plugin of report.pluginReports) {
    for (const s of plugin.suppressedViolations ?? []) used.add(`${s.acknowledgedId}@${s.acknowledgedAt}`);
  }
  return recordedAcknowledgements(root).filter((a) => !used.has(`${a.id}@${a.path}`));
}
