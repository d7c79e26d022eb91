/**
 * The drift report as one self-contained HTML page: inline CSS and SVG, no script, no font, no image fetched —
 * and a Content-Security-Policy that forbids any fetch, so a reader's browser cannot be made to call out even if
 * a category name carried markup (every text is escaped as well).
 */
import { Bar, DriftReport, FeatureSection, Verdict } from './model';
import { barChart, escapeXml as esc } from './svg';
import { OUTCOME_FAIRNESS_KEYS } from '../../../core/contracts/quality';

const CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:";

const STYLE = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1d2430;margin:0;background:#fff}
main{max-width:1180px;margin:0 auto;padding:24px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:18px;margin:28px 0 8px;border-bottom:1px solid #dde3ea;padding-bottom:4px}
h3{font-size:15px;margin:0 0 6px}
.sub{color:#5b6776;margin:0 0 14px}
.banner{display:inline-block;padding:6px 12px;border-radius:4px;font-weight:600;margin:6px 0 12px}
.banner.drift{background:#fde2e1;color:#a4161a}.banner.ok{background:#ddf3e4;color:#1b6b34}.banner.not-judged{background:#eceff3;color:#475467}
table{border-collapse:collapse;margin:6px 0 10px}th,td{text-align:left;padding:3px 10px 3px 0;border-bottom:1px solid #eef1f4;vertical-align:top}
th{font-weight:600;color:#475467}td.num{text-align:right;font-variant-numeric:tabular-nums}
.status-drift{color:#a4161a;font-weight:600}.status-ok{color:#1b6b34}.status-not-judged{color:#667085}
.cards{display:flex;flex-wrap:wrap;gap:16px}
.card{border:1px solid #dde3ea;border-radius:6px;padding:12px 14px;overflow-x:auto;max-width:100%;box-sizing:border-box}
.card.drift{border-color:#e5484d}
.note{color:#5b6776;font-size:12.5px;margin:4px 0 0}.card .note{max-width:36em}
.chart .mark.baseline,.chart .swatch.baseline{fill:#4c78a8}.chart .mark.live,.chart .swatch.live{fill:#f58518}
.chart .grid{stroke:#eef1f4}.chart .axis{stroke:#98a2b3}.chart .rule{stroke:#d62728;stroke-dasharray:5 3;stroke-width:1.5}
.chart text{font-size:11px;fill:#475467}.chart .rule-label{fill:#d62728;font-weight:600}
code{font-size:12.5px;background:#f4f6f8;padding:1px 4px;border-radius:3px;word-break:break-all}
`;

const pct = (v: number) => `${(v * 100).toFixed(1)}%`;
const num = (v: number | undefined, digits = 4) => (v === undefined ? '–' : v.toFixed(digits));
const int = (v: number) => v.toLocaleString('en-US');

function statusCell(v: Verdict): string {
  const text =
    v.status === 'drift'
      ? v.metric === 'DisparateImpactRatio' || v.metric === 'DemographicParityDifference'
        ? 'UNFAIR'
        : 'DRIFT'
      : v.status === 'ok'
        ? 'ok'
        : 'not judged';
  return `<td class="status-${v.status}"${v.reason ? ` title="${esc(v.reason)}"` : ''}>${text}${v.reason ? ` <span class="note">(${esc(v.reason)})</span>` : ''}</td>`;
}

function verdictRow(v: Verdict): string {
  return `<tr><td>${esc(v.metric)}</td><td>${esc(v.subject)}</td><td class="num">${num(v.value)}</td><td class="num">${v.direction === 'above' ? '&gt;' : '&lt;'} ${num(v.threshold, 3)}</td>${statusCell(v)}</tr>`;
}

function distributionChart(kind: string, title: string, b: readonly Bar[]): string {
  return barChart({
    kind,
    title,
    categories: b.map((x) => x.label),
    series: [
      { name: 'baseline', cls: 'baseline', values: b.map((x) => x.baseline) },
      { name: 'live', cls: 'live', values: b.map((x) => x.live) },
    ],
    format: pct,
  });
}

function featureCard(f: FeatureSection): string {
  const drift = f.verdicts.some((v) => v.status === 'drift');
  const ks =
    f.type === 'numeric'
      ? `<tr><th>KS</th><td class="num">${num(f.ks)}</td><td>${f.ksMaxError ? `exact to within ${num(f.ksMaxError)}` : 'exact'}</td></tr>`
      : '';
  return `<section class="card feature${drift ? ' drift' : ''}" data-feature="${esc(f.name)}">
<h3>${esc(f.name)} <span class="sub">(${f.type}, ${int(f.count)} records with a value)</span></h3>
${distributionChart('feature', `${f.name}: baseline vs live`, f.bars)}
<table><tr><th>PSI</th><td class="num">${num(f.psi)}</td><td></td></tr>${ks}<tr><th>Jensen-Shannon distance</th><td class="num">${num(f.jsDistance)}</td><td></td></tr></table>
<table><tr><th>metric</th><th>value</th><th>threshold</th><th>verdict</th></tr>${f.verdicts.map((v) => `<tr><td>${esc(v.metric)}</td><td class="num">${num(v.value)}</td><td class="num">${v.direction === 'above' ? '&gt;' : '&lt;'} ${num(v.threshold, 3)}</td>${statusCell(v)}</tr>`).join('')}</table>
<p class="note">missing (${esc('__missing__')}): baseline ${pct(f.missing.baselineShare)}, live ${pct(f.missing.liveShare)} (${int(f.missing.liveCount)} records)${f.type === 'numeric' ? ', outside the distribution and the statistics' : ''}</p>
${f.note ? `<p class="note">${esc(f.note)}</p>` : ''}</section>`;
}

function summary(r: DriftReport): string {
  const s = r.summary;
  const state = !s.judged ? 'not-judged' : s.drifted ? 'drift' : 'ok';
  const banner = !s.judged
    ? 'NOT JUDGED: too few records'
    : s.drifted
      ? 'DRIFT: at least one metric crossed its threshold'
      : 'NO DRIFT: every metric within its threshold';
  const skipped =
    s.skipped.length === 0
      ? ''
      : `<table><tr><th>skipped because</th><th>records</th></tr>${s.skipped.map((k) => `<tr><td>${esc(k.reason)}</td><td class="num">${int(k.count)}</td></tr>`).join('')}</table>`;
  const ranking = s.ranking
    .map(
      (x, i) =>
        `<tr><td class="num">${i + 1}</td><td><a href="#feature-${r.features.findIndex((f) => f.name === x.name)}">${esc(x.name)}</a></td><td class="num">${num(x.psi)}</td><td class="num">${x.psi !== undefined && x.psi > r.thresholds.psi ? '<span class="status-drift">above</span>' : ''}</td></tr>`,
    )
    .join('');
  return `<section id="summary">
<div class="banner ${state}" data-verdict="${state}">${esc(banner)}</div>
<table>
<tr><th>records judged</th><td class="num" data-field="sampleCount">${int(s.sampleCount)}</td></tr>
<tr><th>records skipped</th><td class="num" data-field="malformedRecords">${int(s.malformedRecords)}</td></tr>
<tr><th>records without a prediction</th><td class="num" data-field="missingPredictions">${int(s.missingPredictions)}</td></tr>
<tr><th>fairness groups left out</th><td class="num" data-field="fairnessGroupsExcluded">${int(s.fairnessGroupsExcluded)}</td></tr>
<tr><th>minimum to judge (minSamples)</th><td class="num">${int(r.thresholds.minSamples)}</td></tr>
</table>
${skipped}
<h2>Verdicts</h2>
<table class="verdicts"><tr><th>metric</th><th>subject</th><th>value</th><th>threshold</th><th>verdict</th></tr>${s.verdicts.map(verdictRow).join('')}</table>
<h2>Features ranked by PSI</h2>
<table class="ranking"><tr><th>#</th><th>feature</th><th>PSI</th><th>vs ${num(r.thresholds.psi, 3)}</th></tr>${ranking}</table>
</section>`;
}

function prediction(r: DriftReport): string {
  const p = r.prediction;
  if (!p)
    return '<section id="prediction"><h2>Prediction drift</h2><p class="note">The baseline has no prediction distribution.</p></section>';
  return `<section id="prediction"><h2>Prediction drift</h2><div class="card${p.verdict.status === 'drift' ? ' drift' : ''}">
${distributionChart('prediction', `prediction (${p.column}): baseline vs live`, p.bars)}
<table><tr><th>predictions</th><td class="num">${int(p.count)}</td></tr><tr><th>PSI</th><td class="num">${num(p.psi)}</td></tr><tr><th>Jensen-Shannon distance</th><td class="num">${num(p.jsDistance)}</td></tr></table>
<table><tr><th>metric</th><th>value</th><th>threshold</th><th>verdict</th></tr><tr><td>PredictionPSI</td><td class="num">${num(p.verdict.value)}</td><td class="num">&gt; ${num(p.verdict.threshold, 3)}</td>${statusCell(p.verdict)}</tr></table></div></section>`;
}

function fairness(r: DriftReport): string {
  const f = r.fairness;
  if (!f)
    return '<section id="fairness"><h2>Fairness</h2><p class="note">No sensitive attribute is configured.</p></section>';
  const chart =
    f.groups.length === 0
      ? '<p class="note">No group has enough records to chart.</p>'
      : barChart({
          kind: 'fairness',
          title: `positive-prediction rate per ${f.attribute} group`,
          categories: f.groups.map((g) => g.group),
          series: [
            { name: 'baseline', cls: 'baseline', values: f.groups.map((g) => g.baselineRate ?? 0) },
            { name: 'live', cls: 'live', values: f.groups.map((g) => g.rate) },
          ],
          format: pct,
          ...(f.fourFifthsLine !== undefined
            ? {
                rule: {
                  value: f.fourFifthsLine,
                  label: `four-fifths line ${pct(f.fourFifthsLine)} (${num(r.thresholds.disparateImpactMin, 2)} × highest rate)`,
                },
              }
            : {}),
        });
  const groups = f.groups
    .map(
      (g) =>
        `<tr><td>${esc(g.group)}</td><td class="num">${int(g.count)}</td><td class="num">${int(g.positives)}</td><td class="num">${pct(g.rate)}</td><td class="num">${g.baselineRate === undefined ? '–' : pct(g.baselineRate)}</td><td>${f.fourFifthsLine !== undefined && g.rate < f.fourFifthsLine ? '<span class="status-drift">below the four-fifths line</span>' : ''}</td></tr>`,
    )
    .join('');
  const excluded =
    f.excluded.length === 0
      ? '<p class="note">No group was left out.</p>'
      : `<table><tr><th>left out</th><th>records</th><th>why</th></tr>${f.excluded.map((g) => `<tr><td>${esc(g.group)}</td><td class="num">${int(g.count)}</td><td>${esc(g.reason)}</td></tr>`).join('')}</table>`;
  return `<section id="fairness"><h2>Fairness across ${esc(f.attribute)}</h2><div class="card${f.verdicts.some((v) => v.status === 'drift') ? ' drift' : ''}">
<p class="note">Positive prediction: <code>${esc(f.positiveLabel)}</code>. Groups with fewer than ${int(f.minGroupSize)} records are left out.</p>
${chart}
<table><tr><th>group</th><th>records</th><th>positive</th><th>rate</th><th>baseline rate</th><th></th></tr>${groups}</table>
${excluded}
<table><tr><th>metric</th><th>value</th><th>threshold</th><th>verdict</th></tr>${f.verdicts.map((v) => `<tr><td>${esc(v.metric)}</td><td class="num">${num(v.value)}</td><td class="num">${v.direction === 'above' ? '&gt;' : '&lt;'} ${num(v.threshold, 3)}</td>${statusCell(v)}</tr>`).join('')}</table></div></section>`;
}

const QUALITY_LABELS: Readonly<Record<string, string>> = {
  accuracy: 'accuracy',
  precision: 'precision',
  recall: 'recall (true-positive rate)',
  f1: 'F1',
  falsePositiveRate: 'false-positive rate',
  rocAuc: 'ROC AUC',
  mae: 'mean absolute error',
  rmse: 'root mean squared error',
  r2: 'R²',
};

function quality(r: DriftReport): string {
  const q = r.quality;
  if (!q) return '';
  const unmatched = Object.entries(q.unmatchedLabelsByReason)
    .filter(([, n]) => n > 0)
    .map(
      ([reason, n]) =>
        `<tr><td>${esc(reason)}</td><td class="num">${int(n)}</td><td>${esc((q.unmatchedLabelExamples as Record<string, string | undefined>)[reason] ?? '')}</td></tr>`,
    )
    .join('');
  const counts = `<table><tr><th>labelled predictions</th><td class="num">${int(q.labelled)}</td></tr>
<tr><th>predictions without a label</th><td class="num">${int(q.predictionsWithoutLabel)}</td></tr>
<tr><th>labels not joined</th><td class="num">${int(q.unmatchedLabels)}</td></tr>${Object.entries(
    q.predictionsSkippedByReason,
  )
    .map(
      ([reason, n]) =>
        `<tr><th>captured rows with no prediction to label (${esc(reason)})</th><td class="num">${int(n)}</td></tr>`,
    )
    .join(
      '',
    )}${q.duplicatePredictions > 0 ? `<tr><th>predictions captured twice (first kept)</th><td class="num">${int(q.duplicatePredictions)}</td></tr>` : ''}</table>
${unmatched ? `<table><tr><th>label not joined because</th><th>count</th><th>first example (file:line)</th></tr>${unmatched}</table>` : ''}`;
  const estimate = q.estimated
    ? `<p class="note" id="cbpe">Estimated from the scores alone (CBPE, ${int(q.estimated.records)} predictions, labelled or not): accuracy ${num(q.estimated.accuracy)}${q.estimated.rocAuc !== null ? `, ROC AUC ${num(q.estimated.rocAuc)}` : ''}${q.metrics ? ` — realised: accuracy ${num(q.metrics.accuracy ?? undefined)}${q.metrics.rocAuc !== null && q.metrics.rocAuc !== undefined ? `, ROC AUC ${num(q.metrics.rocAuc)}` : ''}` : ''}. Trust it as far as the scores are calibrated.</p>`
    : '';
  if (!q.judged || q.metrics === null)
    return `<section id="quality"><h2>Model quality</h2><div class="card">${counts}${estimate}<p class="note">${int(q.labelled)} labelled record(s), fewer than minLabelled (${q.minLabelled}): no quality metric is computed.</p></div></section>`;
  const verdictOf = new Map(q.verdicts.map((v) => [v.metric as string, v]));
  const metricRows = Object.entries(q.metrics)
    .map(([k, v]) => {
      const verdict = verdictOf.get(k);
      const status = verdict
        ? `<td class="status-${verdict.status === 'ok' ? 'ok' : 'drift'}">${verdict.status === 'ok' ? 'ok' : 'DROPPED'}</td>`
        : '<td class="status-not-judged">no reference</td>';
      return `<tr><td>${esc(QUALITY_LABELS[k] ?? k)}</td><td class="num">${v === null ? '–' : num(v)}</td><td class="num">${verdict ? `${num(verdict.reference)} ± ${num(verdict.tolerance, 3)}` : '–'}</td>${status}</tr>`;
    })
    .join('');
  const groups = Object.entries(q.groups);
  const groupTable = groups.length
    ? `<table><tr><th>group</th><th>labelled</th><th>TPR</th><th>FPR</th><th>precision</th><th>accuracy</th></tr>${groups
        .map(
          ([g, x]) =>
            `<tr><td>${esc(g)}</td><td class="num">${int(x.count)}</td><td class="num">${num(x.truePositiveRate)}</td><td class="num">${num(x.falsePositiveRate)}</td><td class="num">${num(x.precision)}</td><td class="num">${num(x.accuracy)}</td></tr>`,
        )
        .join('')}</table>`
    : '';
  const excluded = Object.entries(q.excludedGroups);
  const fairnessRows = q.fairness
    ? q.verdicts
        .filter((v) => (OUTCOME_FAIRNESS_KEYS as readonly string[]).includes(v.metric))
        .map(
          (v) =>
            `<tr><td>${esc(v.metric)}</td><td class="num">${num(v.value)}</td><td class="num">&gt; ${num(v.reference, 3)}</td><td class="status-${v.status === 'ok' ? 'ok' : 'drift'}">${v.status === 'ok' ? 'ok' : 'UNFAIR'}</td></tr>`,
        )
        .join('')
    : '';
  const dropped = q.verdicts.some((v) => v.status !== 'ok');
  return `<section id="quality"><h2>Model quality</h2><div class="cards"><div class="card${dropped ? ' drift' : ''}">
<h3>${esc(q.problemType)}</h3>${counts}
<table><tr><th>metric</th><th>value</th><th>reference ± tolerance</th><th>verdict</th></tr>${metricRows}</table>
<p class="note">Definitions as scikit-learn's (ROC AUC from the raw scores; 0 where a rate divides by zero).</p>${estimate}</div>
${
  groups.length || excluded.length
    ? `<div class="card" id="outcome-fairness"><h3>Outcome fairness</h3>${groupTable}${
        fairnessRows
          ? `<table><tr><th>metric</th><th>value</th><th>limit</th><th>verdict</th></tr>${fairnessRows}</table>`
          : '<p class="note">Fewer than two groups are large enough to compare.</p>'
      }${excluded.length ? `<p class="note">Left out (fewer than ${q.minGroupSize} labelled records): ${excluded.map(([g, n]) => `${esc(g)} (${int(n)})`).join(', ')}.</p>` : ''}</div>`
    : ''
}</div></section>`;
}

function provenance(r: DriftReport): string {
  const p = r.provenance;
  const row = (k: string, v: string) => `<tr><th>${k}</th><td>${v}</td></tr>`;
  return `<section id="provenance"><h2>Provenance</h2><table>
${row('baseline file', `<code>${esc(p.baseline.file)}</code>`)}
${row('baseline SHA-256', `<code>${esc(p.baseline.sha256)}</code>`)}
${row('baseline built', `${esc(p.baseline.createdAt)} from <code>${esc(p.baseline.trainingData.file)}</code> (${int(p.baseline.trainingData.records)} records, SHA-256 <code>${esc(p.baseline.trainingData.sha256)}</code>)`)}
${row('capture files', p.captures.map((c) => `<code>${esc(c)}</code>`).join('<br>'))}
${row('time range', p.timeRange ? `${esc(p.timeRange.from)} – ${esc(p.timeRange.to)}` : 'unknown (no eventMetadata.inferenceTime)')}
${p.endpointName !== undefined ? row('endpoint / variant', `${esc(p.endpointName)} / ${esc(p.variantName ?? '–')}`) : ''}
${row('thresholds', `<code>${esc(JSON.stringify(r.thresholds))}</code>`)}
${row('tool', `${esc(p.tool.name)} ${esc(p.tool.version)}, report schema ${r.schemaVersion}`)}
${row('generated', esc(p.generatedAt))}
</table></section>`;
}

export function renderDriftReportHtml(r: DriftReport): string {
  const where =
    r.provenance.endpointName !== undefined
      ? `${r.provenance.endpointName}/${r.provenance.variantName ?? ''}`
      : r.provenance.captures.length === 1
        ? r.provenance.captures[0]
        : `${r.provenance.captures.length} capture files`;
  const features = r.features
    .map((f, i) =>
      featureCard(f).replace('<section class="card feature', `<section id="feature-${i}" class="card feature`),
    )
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${CSP}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Drift report: ${esc(where ?? '')}</title><style>${STYLE}</style></head>
<body><main>
<h1>Drift report</h1>
<p class="sub">${esc(where ?? '')} · ${r.provenance.timeRange ? `${esc(r.provenance.timeRange.from)} – ${esc(r.provenance.timeRange.to)}` : 'time range unknown'} · baseline <code>${esc(r.provenance.baseline.file)}</code></p>
${summary(r)}
<h2>Features</h2>
<div class="cards" id="features">
${features}
</div>
${prediction(r)}
${fairness(r)}
${quality(r)}
${provenance(r)}
</main></body></html>
`;
}

/** The same content as JSON, for other tools. */
export function renderDriftReportJson(r: DriftReport): string {
  return `${JSON.stringify(r, null, 2)}\n`;
}
