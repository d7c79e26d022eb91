/**
 * The reviewer's report as one self-contained HTML page (inline CSS, no scripts, no external assets). All text is
 * escaped, and the page's CSP forbids scripts, so a hostile construct path or reason stays inert text.
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

const STYLE = `
body { font: 14px/1.45 system-ui, sans-serif; margin: 2rem; color: #1f2328; }
table { border-collapse: collapse; margin: 0.5rem 0 1.5rem; width: 100%; }
th, td { border: 1px solid #d0d7de; padding: 4px 8px; text-align: left; vertical-align: top; }
th { background: #f6f8fa; }
td { white-space: pre-wrap; overflow-wrap: anywhere; }
.pass { color: #1a7f37; } .fail { color: #cf222e; }
code { font: 12px ui-monospace, monospace; }
`;

export function toHtml(report: SecurityReport): string {
  const open = report.findings.filter((f) => f.status === 'open');
  const acknowledged = report.findings.filter((f) => f.status === 'acknowledged');
  const pass = countByStatus(report.findings).open === 0;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>Security report</title>
<style>${STYLE}</style>
</head>
<body>
<h1>Security report</h1>
<p><strong class="${pass ? 'pass' : 'fail'}">${pass ? 'PASS' : 'FAIL'}</strong>: ${esc(summaryLine(report))}.
Source: <code>validation-report.json</code> (CDK report version ${esc(report.cdkReportVersion)}).</p>
<h2>Summary</h2>
${table(
  ['Pack', 'Conclusion', 'Open', 'Acknowledged'],
  report.packs.map((p) => [p.pack, conclusionLabel(p), String(p.open), String(p.acknowledged)]),
)}
<h2>Open findings (${open.length})</h2>
${
  open.length === 0
    ? '<p>None.</p>'
    : table(
        ['Pack', 'Finding', 'Severity', 'Where', 'Description'],
        open.map((f) => [f.pack, f.findingId, severityLabel(f), describeLocation(f), f.description]),
      )
}
<h2>Acknowledged findings (${acknowledged.length})</h2>
${
  acknowledged.length === 0
    ? '<p>None.</p>'
    : table(
        ['Pack', 'Finding', 'Where', 'Acknowledged at', 'Reason'],
        acknowledged.map((f) => [f.pack, f.findingId, describeLocation(f), f.acknowledgedAt ?? '', reasonOf(f)]),
      )
}
<h2>MLOPS rule catalogue</h2>
${table(CATALOGUE_HEADER, catalogueRows(RULES))}
</body>
</html>
`;
}

/** Escapes text for HTML element content and quoted attribute values. */
export function esc(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const head = `<tr>${header.map((h) => `<th>${esc(h)}</th>`).join('')}</tr>`;
  const body = rows.map((r) => `<tr>${r.map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`).join('\n');
  return `<table>\n<thead>${head}</thead>\n<tbody>\n${body}\n</tbody>\n</table>`;
}
