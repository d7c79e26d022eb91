/**
 * The reviewer's report as one self-contained HTML page: the verdict and per-pack summary first, then every
 * finding grouped by pack, rule and stack in collapsible sections (groups with open findings start expanded), a
 * filter over rule, construct, stack and reason, each acknowledgement with its reason and where it is written, and
 * the provenance (commit, config file, tool versions). All text is escaped; the page's CSP allows no source but
 * the one inline script, pinned by its hash, so a hostile construct path or reason stays inert text. Without
 * script the page still shows everything.
 */
import { createHash } from 'node:crypto';
import { RULES } from '../../core/policy/catalogue';
import { Provenance } from './provenance';
import { SecurityFinding, SecurityReport } from './validation-report';
import {
  CATALOGUE_HEADER,
  catalogueRows,
  conclusionLabel,
  countByStatus,
  describeLocation,
  describeSource,
  reasonOf,
  severityLabel,
  stackOf,
  summaryLine,
} from './finding-labels';

export interface HtmlOptions {
  /**
   * Commit, config file and tool versions, shown under the summary.
   * @default - not shown
   */
  readonly provenance?: Provenance;
  /**
   * Directory source paths are shown relative to.
   * @default process.cwd()
   */
  readonly baseDir?: string;
}

const STYLE = `
body { font: 14px/1.45 system-ui, sans-serif; margin: 2rem; color: #1f2328; }
table { border-collapse: collapse; margin: 0.5rem 0 1rem; width: 100%; }
th, td { border: 1px solid #d0d7de; padding: 4px 8px; text-align: left; vertical-align: top; }
th { background: #f6f8fa; }
td { white-space: pre-wrap; overflow-wrap: anywhere; }
.pass { color: #1a7f37; } .fail { color: #cf222e; }
code { font: 12px ui-monospace, monospace; }
details { margin: 0.25rem 0 0.25rem 1rem; } details.pack { margin-left: 0; }
summary { cursor: pointer; font-weight: 600; }
p.description { margin: 0.25rem 0 0.25rem 1rem; color: #59636e; }
.badge { font-weight: normal; color: #59636e; }
tr.open td:first-child { color: #cf222e; font-weight: 600; }
#filters { position: sticky; top: 0; background: #fff; padding: 0.5rem 0; border-bottom: 1px solid #d0d7de; }
#filter { width: 30rem; max-width: 100%; padding: 4px; }
[hidden] { display: none !important; }
`;

/**
 * Filters findings by text (the input, or `#filter=<text>` in the URL) and status, then hides groups left empty.
 * Kept as a constant so its hash can be pinned in the CSP.
 */
const SCRIPT = `
(function () {
  var input = document.getElementById('filter');
  var showAck = document.getElementById('show-acknowledged');
  var count = document.getElementById('shown');
  function apply() {
    var q = input.value.trim().toLowerCase();
    var shown = 0;
    document.querySelectorAll('tr.finding').forEach(function (tr) {
      var ok = (!q || tr.getAttribute('data-search').indexOf(q) >= 0) &&
        (showAck.checked || !tr.classList.contains('acknowledged'));
      tr.hidden = !ok;
      if (ok) shown++;
    });
    document.querySelectorAll('#findings details').forEach(function (d) {
      d.hidden = d.querySelector('tr.finding:not([hidden])') === null;
      if (q && !d.hidden) d.open = true;
    });
    count.textContent = String(shown);
  }
  var m = /[#&]filter=([^&]*)/.exec(location.hash);
  if (m) input.value = decodeURIComponent(m[1]);
  input.addEventListener('input', apply);
  showAck.addEventListener('change', apply);
  document.getElementById('filters').hidden = false;
  apply();
})();
`;
const SCRIPT_HASH = createHash('sha256').update(SCRIPT).digest('base64');

export function toHtml(report: SecurityReport, opts: HtmlOptions = {}): string {
  const baseDir = opts.baseDir ?? process.cwd();
  const counts = countByStatus(report.findings);
  const pass = counts.open === 0;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'sha256-${SCRIPT_HASH}'">
<title>Security report</title>
<style>${STYLE}</style>
</head>
<body>
<section id="summary">
<h1>Security report</h1>
<p id="verdict"><strong class="${pass ? 'pass' : 'fail'}">${pass ? 'PASS' : 'FAIL'}</strong>: ${esc(summaryLine(report))}.
Source: <code>validation-report.json</code> (CDK report version ${esc(report.cdkReportVersion)}).</p>
<h2>Summary</h2>
${table(
  ['Pack', 'Conclusion', 'Open', 'Acknowledged'],
  report.packs.map((p) => [p.pack, conclusionLabel(p), String(p.open), String(p.acknowledged)]),
)}
${provenance(opts.provenance)}
</section>
<h2>Findings</h2>
<div id="filters" hidden>
<input id="filter" type="search" placeholder="Filter: rule, construct, stack, reason…" aria-label="Filter findings">
<label><input id="show-acknowledged" type="checkbox" checked> show acknowledged</label>
<span class="badge"><span id="shown">${report.findings.length}</span> of ${report.findings.length} shown</span>
</div>
<section id="findings">
${report.findings.length === 0 ? '<p>None.</p>' : groupedFindings(report.findings, baseDir)}
</section>
<h2>MLOPS rule catalogue</h2>
<details id="catalogue"><summary>${RULES.length} rules, with GDPR and NIST 800-53 references</summary>
${table(CATALOGUE_HEADER, catalogueRows(RULES))}
</details>
<script>${SCRIPT}</script>
</body>
</html>
`;
}

/** Escapes text for HTML element content and quoted attribute values. */
export function esc(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function groupedFindings(findings: readonly SecurityFinding[], baseDir: string): string {
  return groupBy(findings, (f) => f.pack)
    .map(([pack, ofPack]) =>
      details(
        'pack',
        pack,
        ofPack,
        groupBy(ofPack, (f) => f.ruleId)
          .map(([rule, ofRule]) =>
            details(
              'rule',
              `${rule} — ${firstLine(ofRule[0]!.description)}`,
              ofRule,
              // The rule's description once; a row repeats it only when its finding says something else.
              `<p class="description">${esc(ofRule[0]!.description)}</p>\n` +
                groupBy(ofRule, stackOf)
                  .map(([stack, ofStack]) =>
                    details('stack', stack, ofStack, findingTable(ofStack, baseDir, ofRule[0]!.description)),
                  )
                  .join('\n'),
            ),
          )
          .join('\n'),
      ),
    )
    .join('\n');
}

function details(kind: string, title: string, findings: readonly SecurityFinding[], body: string): string {
  const { open, acknowledged } = countByStatus(findings);
  return `<details class="${kind}" data-group="${esc(title)}"${open > 0 ? ' open' : ''}><summary>${esc(title)} <span class="badge">${open} open, ${acknowledged} acknowledged</span></summary>
${body}
</details>`;
}

function findingTable(findings: readonly SecurityFinding[], baseDir: string, ruleDescription: string): string {
  const head = [
    'Status',
    'Finding',
    'Severity',
    'Construct',
    'Source',
    'Description',
    'Reason',
    'Acknowledged on (written at)',
  ]
    .map((h) => `<th>${esc(h)}</th>`)
    .join('');
  const rows = findings.map((f) => {
    const acked = f.status === 'acknowledged';
    const cells = [
      f.status,
      f.findingId,
      severityLabel(f),
      describeLocation(f),
      describeSource(f.source, baseDir),
      f.description === ruleDescription ? '' : f.description,
      acked ? reasonOf(f) : '',
      acked
        ? `${f.acknowledgedAt || '(app)'}${f.acknowledgedIn ? ` (${describeSource(f.acknowledgedIn, baseDir)})` : ''}`
        : '',
    ];
    const search = [f.pack, f.findingId, stackOf(f), f.constructPath, acked ? reasonOf(f) : ''].join(' ').toLowerCase();
    return `<tr class="finding ${f.status}" data-search="${esc(search)}">${cells.map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`;
  });
  return `<table>\n<thead><tr>${head}</tr></thead>\n<tbody>\n${rows.join('\n')}\n</tbody>\n</table>`;
}

function provenance(p: Provenance | undefined): string {
  if (!p) return '';
  const rows: [string, string][] = [
    ...(p.commit ? [['Commit', p.commit] as [string, string]] : []),
    ...(p.configFile ? [['Config file', p.configFile] as [string, string]] : []),
    ...Object.entries(p.tools).map(([tool, version]): [string, string] => [tool, version]),
  ];
  return `<h2>Provenance</h2>\n<dl id="provenance">${rows.map(([k, v]) => `<dt>${esc(k)}</dt><dd><code>${esc(v)}</code></dd>`).join('')}</dl>`;
}

function groupBy<T>(items: readonly T[], key: (item: T) => string): [string, T[]][] {
  const groups = new Map<string, T[]>();
  // Appends in place: copying the group per item made a report of n findings cost n² (66 s at 6,000 findings).
  for (const item of items) {
    const k = key(item);
    const group = groups.get(k);
    if (group === undefined) groups.set(k, [item]);
    else group.push(item);
  }
  return [...groups.entries()];
}

function firstLine(text: string): string {
  const end = text.search(/\.(\s|$)/);
  const line = end < 0 ? text : text.slice(0, end + 1);
  return line.length > 120 ? `${line.slice(0, 119)}…` : line;
}

function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const head = `<tr>${header.map((h) => `<th>${esc(h)}</th>`).join('')}</tr>`;
  const body = rows.map((r) => `<tr>${r.map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`).join('\n');
  return `<table>\n<thead>${head}</thead>\n<tbody>\n${body}\n</tbody>\n</table>`;
}
