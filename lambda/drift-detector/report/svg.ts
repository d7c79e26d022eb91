/**
 * Grouped bar charts as plain SVG strings: no canvas, no DOM, no dependency (docs/drift-reports.md: why not Vega).
 * Every text is escaped: category names and skip reasons come from captured traffic.
 */

/** Escapes text for HTML and SVG content and attribute values. */
export function escapeXml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export interface Series {
  readonly name: string;
  /** CSS class of its bars (`baseline`, `live`): the stylesheet gives the colour. */
  readonly cls: string;
  readonly values: readonly number[];
}

export interface BarChartOptions {
  /** `data-chart` attribute: what the chart shows (tests and readers find charts by it). */
  readonly kind: string;
  readonly title: string;
  readonly categories: readonly string[];
  readonly series: readonly Series[];
  /** Formats a value for the axis and the tooltips. */
  readonly format: (v: number) => string;
  /** A horizontal reference line (e.g. the four-fifths line). */
  readonly rule?: { readonly value: number; readonly label: string };
}

const PLOT_HEIGHT = 160;
const LEFT = 52; // room for the y-axis ticks
const TOP = 28;
const BAR = 13;
const GAP = 10;

/** A round axis maximum at or above `max` (0.04 steps up to 1, so the quarter ticks fall on whole percents). */
function axisMax(max: number): number {
  if (max <= 0) return 0.1;
  if (max <= 1) return Math.min(1, Math.ceil(max / 0.04) * 0.04);
  return max;
}

export function barChart(o: BarChartOptions): string {
  const n = o.categories.length;
  const groupWidth = o.series.length * BAR + GAP;
  const longest = Math.max(0, ...o.categories.map((c) => c.length));
  const rotate = n > 6 || longest > 8;
  // A label rotated by 40 degrees reaches about 4.3 px down and 5 px left per character (11 px font).
  const bottom = rotate ? 20 + Math.min(longest, 22) * 4.3 : 24;
  const first = Math.min(o.categories[0]?.length ?? 0, 22);
  const left = rotate ? Math.max(LEFT, first * 5 - 4) : LEFT;
  const legendWidth = o.series.length * 90;
  const width = Math.max(left + n * groupWidth + 16, left + legendWidth + 40, 320);
  const height = TOP + PLOT_HEIGHT + bottom;
  const all = o.series.flatMap((s) => s.values);
  const yMax = axisMax(Math.max(0, ...all, o.rule?.value ?? 0));
  const y = (v: number) => TOP + PLOT_HEIGHT - (Math.max(0, v) / yMax) * PLOT_HEIGHT;
  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" class="chart" data-chart="${escapeXml(o.kind)}" role="img" aria-label="${escapeXml(o.title)}" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">`,
  );
  parts.push(`<title>${escapeXml(o.title)}</title>`);
  for (let k = 0; k <= 4; k++) {
    const v = (yMax * k) / 4;
    const yy = y(v).toFixed(1);
    parts.push(
      `<line class="grid" x1="${left}" x2="${width - 8}" y1="${yy}" y2="${yy}"/><text class="tick" x="${left - 6}" y="${yy}" dy="0.32em" text-anchor="end">${escapeXml(o.format(v))}</text>`,
    );
  }
  o.series.forEach((s, si) => {
    const lx = left + si * 90;
    parts.push(
      `<rect class="swatch ${s.cls}" x="${lx}" y="8" width="10" height="10"/><text class="legend" x="${lx + 14}" y="17">${escapeXml(s.name)}</text>`,
    );
  });
  o.categories.forEach((c, i) => {
    const gx = left + GAP / 2 + i * groupWidth;
    o.series.forEach((s, si) => {
      const v = s.values[i] ?? 0;
      const top = y(v);
      parts.push(
        `<rect class="mark ${s.cls}" x="${(gx + si * BAR).toFixed(1)}" y="${top.toFixed(1)}" width="${BAR - 1}" height="${(TOP + PLOT_HEIGHT - top).toFixed(1)}"><title>${escapeXml(`${c} — ${s.name}: ${o.format(v)}`)}</title></rect>`,
      );
    });
    const cx = gx + (o.series.length * BAR) / 2;
    const label = c.length > 22 ? `${c.slice(0, 21)}…` : c;
    const ly = TOP + PLOT_HEIGHT + 12;
    parts.push(
      rotate
        ? `<text class="label" x="${cx.toFixed(1)}" y="${ly}" text-anchor="end" transform="rotate(-40 ${cx.toFixed(1)} ${ly})">${escapeXml(label)}</text>`
        : `<text class="label" x="${cx.toFixed(1)}" y="${ly}" text-anchor="middle">${escapeXml(label)}</text>`,
    );
  });
  parts.push(`<line class="axis" x1="${left}" x2="${width - 8}" y1="${TOP + PLOT_HEIGHT}" y2="${TOP + PLOT_HEIGHT}"/>`);
  if (o.rule) {
    const ry = y(o.rule.value).toFixed(1);
    parts.push(
      `<line class="rule" x1="${left}" x2="${width - 8}" y1="${ry}" y2="${ry}"/><text class="rule-label" x="${width - 10}" y="${ry}" dy="-4" text-anchor="end">${escapeXml(o.rule.label)}</text>`,
    );
  }
  parts.push('</svg>');
  return parts.join('');
}
