/**
 * The reviewer's report in Markdown (PR comment, job summary): per-pack summary, open findings, every
 * acknowledgement with its reason, and the MLOPS rule catalogue. Construct paths and reasons are untrusted text, so
 * every cell is escaped: a `|` must not split a row, and `<script>` must stay text.
 */
import { RULES } from '../policy/catalogue';
import {
  CATALOGUE_HEADER,
  SecurityReport,
  catalogueRows,
  conclusionLabel,
  countByStatus,
  describeLocation,
  reasonOf,
  severityLabel,
  summaryLine,
} from './validation-report';

export function toMarkdown(report: SecurityReport): string {
  const open = report.findings.filter((f) => f.status === 'open');
  const acknowledged = report.findings.filter((f) => f.status === 'acknowledged');
  const counts = countByStatus(report.findings);
  const lines = [
    '# Security report',
    '',
    `${counts.open === 0 ? '**PASS**' : '**FAIL**'}: ${summaryLine(report)}. Source: \`validation-report.json\` ` +
      `(CDK report version ${mdText(report.cdkReportVersion)}).`,
    '',
    '## Summary',
    '',
    table(
      ['Pack', 'Conclusion', 'Open', 'Acknowledged'],
      report.packs.map((p) => [p.pack, conclusionLabel(p), String(p.open), String(p.acknowledged)]),
    ),
    '',
    `## Open findings (${open.length})`,
    '',
    open.length === 0
      ? 'None.'
      : table(
          ['Pack', 'Finding', 'Severity', 'Where', 'Description'],
          open.map((f) => [f.pack, f.findingId, severityLabel(f), describeLocation(f), f.description]),
        ),
    '',
    `## Acknowledged findings (${acknowledged.length})`,
    '',
    acknowledged.length === 0
      ? 'None.'
      : table(
          ['Pack', 'Finding', 'Where', 'Acknowledged at', 'Reason'],
          acknowledged.map((f) => [f.pack, f.findingId, describeLocation(f), f.acknowledgedAt ?? '', reasonOf(f)]),
        ),
    '',
    '## MLOPS rule catalogue',
    '',
    table(CATALOGUE_HEADER, catalogueRows(RULES)),
    '',
  ];
  return lines.join('\n');
}

/**
 * Escapes text for a GFM table cell: Markdown punctuation and `<`/`>` are backslash-escaped (so nothing renders as
 * markup or HTML), `|` cannot end the cell, and line breaks become `<br>`.
 */
export function mdCell(text: string): string {
  return mdText(text).replace(/\r\n|\r|\n/g, '<br>');
}

function mdText(text: string): string {
  return text.replace(/[\\`*_{}[\]<>|~#!&]/g, (c) => `\\${c}`);
}

function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]) => `| ${cells.map(mdCell).join(' | ')} |`;
  return [line(header), `|${header.map(() => ' --- ').join('|')}|`, ...rows.map(line)].join('\n');
}
