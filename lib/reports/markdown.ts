/**
 * The reviewer's report in Markdown, sized for a pull-request comment (GitHub's limit is 65,536 characters): the
 * summary and the open findings first, what changed against a base report when one is given, then the
 * acknowledgements (grouped, with their reasons and where they are written) and the MLOPS rule catalogue in
 * collapsed sections. Long lists are cut with a pointer to the HTML report, and the whole is kept under
 * `maxChars` whatever the number of models. Construct paths and reasons are untrusted text, so every cell is
 * escaped: a `|` must not split a row, and `<script>` must stay text.
 */
import { RULES } from '../../core/policy/catalogue';
import { ReportChanges, compareReports } from './compare';
import { esc } from './html';
import { Provenance, provenanceLine } from './provenance';
import { SecurityFinding, SecurityReport } from './validation-report';
import {
  CATALOGUE_HEADER,
  catalogueRows,
  conclusionLabel,
  countByStatus,
  describeSource,
  groupAcknowledgements,
  severityLabel,
  stackOf,
  summaryLine,
} from './finding-labels';

/** Far below GitHub's 65,536-character comment limit, leaving room for a wrapper and a marker. */
export const MARKDOWN_COMMENT_BUDGET = 50_000;

export interface MarkdownOptions {
  /**
   * The report of the base branch: adds a section with the open findings that are new and those that are gone.
   * @default - no comparison
   */
  readonly base?: SecurityReport;
  /**
   * Commit, config file and tool versions, printed under the verdict.
   * @default - not printed
   */
  readonly provenance?: Provenance;
  /**
   * Directory source paths are shown relative to.
   * @default process.cwd()
   */
  readonly baseDir?: string;
  /**
   * Upper bound on the length of the result; rows are cut (with a count of what was left out) to stay under it.
   * @default MARKDOWN_COMMENT_BUDGET
   */
  readonly maxChars?: number;
}

/** Rows per list before cutting; halved until the document fits `maxChars`. */
const INITIAL_ROWS = 50;
const MAX_CELL = 300;

export function toMarkdown(report: SecurityReport, opts: MarkdownOptions = {}): string {
  const maxChars = opts.maxChars ?? MARKDOWN_COMMENT_BUDGET;
  const changes = opts.base ? compareReports(report, opts.base) : undefined;
  for (let rows = INITIAL_ROWS; ; rows = Math.floor(rows / 2)) {
    const md = render(report, opts, changes, rows);
    if (md.length <= maxChars || rows === 0) return md.length <= maxChars ? md : md.slice(0, maxChars);
  }
}

function render(report: SecurityReport, opts: MarkdownOptions, changes: ReportChanges | undefined, rows: number) {
  const baseDir = opts.baseDir ?? process.cwd();
  const open = report.findings.filter((f) => f.status === 'open');
  const groups = groupAcknowledgements(report.findings);
  const counts = countByStatus(report.findings);
  const findingRow = (f: SecurityFinding) => [
    f.pack,
    f.findingId,
    severityLabel(f),
    stackOf(f),
    f.constructPath,
    describeSource(f.source, baseDir),
    f.description,
  ];
  const findingHeader = ['Pack', 'Finding', 'Severity', 'Stack', 'Construct', 'Source', 'Description'];
  const lines = [
    '# Security report',
    '',
    `${counts.open === 0 ? '**PASS**' : '**FAIL**'}: ${summaryLine(report)}. Source: \`validation-report.json\` ` +
      `(CDK report version ${mdText(report.cdkReportVersion)}).`,
    ...(opts.provenance ? ['', `Provenance: ${mdText(provenanceLine(opts.provenance))}.`] : []),
    '',
    '## Summary',
    '',
    table(
      ['Pack', 'Conclusion', 'Open', 'Acknowledged'],
      report.packs.map((p) => [p.pack, conclusionLabel(p), String(p.open), String(p.acknowledged)]),
    ),
    '',
    ...(changes
      ? [
          `## Changes against the base report: ${changes.added.length} new, ${changes.removed.length} fixed`,
          '',
          ...detailsTable(
            `New open findings (${changes.added.length})`,
            findingHeader,
            changes.added.map(findingRow),
            rows,
            true,
          ),
          ...detailsTable(
            `Fixed or acknowledged since the base (${changes.removed.length})`,
            findingHeader,
            changes.removed.map(findingRow),
            rows,
            false,
          ),
        ]
      : []),
    `## Open findings (${open.length})`,
    '',
    open.length === 0 ? 'None.' : cut(findingHeader, open.map(findingRow), rows),
    '',
    `## Acknowledged findings (${counts.acknowledged})`,
    '',
    ...detailsTable(
      `${counts.acknowledged} acknowledged findings in ${groups.length} acknowledgements, with their reasons`,
      ['Pack', 'Finding', 'Constructs', 'Stacks', 'Scope', 'Reason', 'Written at'],
      groups.map((g) => [
        g.pack,
        g.findingId,
        String(g.findings.length),
        [...new Set(g.findings.map(stackOf))].join(', '),
        [...new Set(g.findings.map((f) => f.acknowledgedAt || '(app)'))].join(', '),
        g.reason,
        describeSource(g.acknowledgedIn, baseDir) || (g.findings[0]?.acknowledgedAt ?? ''),
      ]),
      rows,
      false,
    ),
    '## MLOPS rule catalogue',
    '',
    ...detailsTable(
      `${RULES.length} rules, with GDPR and NIST 800-53 references`,
      CATALOGUE_HEADER,
      catalogueRows(RULES),
      Infinity,
      false,
    ),
  ];
  return lines.join('\n');
}

function detailsTable(
  summary: string,
  header: readonly string[],
  body: readonly (readonly string[])[],
  rows: number,
  open: boolean,
): string[] {
  if (body.length === 0) return [`${mdText(summary)}: none.`, ''];
  return [
    `<details${open ? ' open' : ''}><summary>${esc(summary)}</summary>`,
    '',
    cut(header, body, rows),
    '',
    '</details>',
    '',
  ];
}

/** A table of at most `rows` rows, then how many were left out and where to read them. */
function cut(header: readonly string[], body: readonly (readonly string[])[], rows: number): string {
  const shown = body.slice(0, rows);
  const more = body.length - shown.length;
  return (
    (shown.length > 0 ? table(header, shown) : '') +
    (more > 0 ? `\n\n… and ${more} more: see \`security-report.html\` (build artifact) for every finding.` : '')
  );
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

function clip(text: string): string {
  return text.length > MAX_CELL ? `${text.slice(0, MAX_CELL - 1)}…` : text;
}

function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]) => `| ${cells.map((c) => mdCell(clip(c))).join(' | ')} |`;
  return [line(header), `|${header.map(() => ' --- ').join('|')}|`, ...rows.map(line)].join('\n');
}
