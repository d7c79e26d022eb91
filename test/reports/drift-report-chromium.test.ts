/**
 * The drift report as a person sees it: rendered by headless Chromium (Debian's `chromium`, driven by
 * playwright-core). The page must load without a single network request, show the summary, one chart per feature,
 * the prediction chart and the fairness chart, and its charts must be drawn: a screenshot of each chart has
 * hundreds of pixels in the baseline and live bar colours.
 *
 * Needs `chromium` on PATH (or CHROMIUM_PATH): the test FAILS with the install command when it is missing.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Browser, chromium } from 'playwright-core';
import { PNG } from 'pngjs';
import { chromiumArgs, chromiumPath } from '../../scripts/chromium-path';
import { runDriftReportCli } from '../../scripts/drift-report';
import { captureText } from '../../scripts/make-example-data';

/** Bar colours of the report's stylesheet (baseline #4c78a8, live #f58518). */
const COLOURS = { baseline: [0x4c, 0x78, 0xa8], live: [0xf5, 0x85, 0x18] } as const;

function countColour(png: Buffer, rgb: readonly number[]): number {
  const img = PNG.sync.read(png);
  let n = 0;
  for (let i = 0; i < img.data.length; i += 4) {
    if (
      Math.abs((img.data[i] as number) - (rgb[0] as number)) <= 8 &&
      Math.abs((img.data[i + 1] as number) - (rgb[1] as number)) <= 8 &&
      Math.abs((img.data[i + 2] as number) - (rgb[2] as number)) <= 8
    )
      n++;
  }
  return n;
}

describe('drift report in headless Chromium', () => {
  let browser: Browser | undefined;
  const dir = mkdtempSync(join(tmpdir(), 'drift-report-chromium-'));
  const html = join(dir, 'report.html');

  beforeAll(async () => {
    const executablePath = chromiumPath();
    // GIVEN the report of drifted, unfair example traffic
    const capture = join(dir, 'capture.jsonl');
    writeFileSync(capture, captureText(2000, 102, { drifted: true, genderBias: -1.5 }));
    await runDriftReportCli(
      ['--baseline', 'baselines/fraud-xgb.json', '--capture', capture, '--out', html],
      () => undefined,
    );
    browser = await chromium.launch({ executablePath, args: chromiumArgs() });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
  });

  async function open() {
    const page = await (browser as Browser).newPage({ viewport: { width: 1280, height: 1000 } });
    const requests: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    await page.goto(pathToFileURL(html).href, { waitUntil: 'load' });
    return { page, requests };
  }

  it('loads with no request but the file itself, and shows the summary first', async () => {
    const { page, requests } = await open();
    expect(requests).toEqual([pathToFileURL(html).href]);
    const summary = page.locator('#summary');
    expect(await summary.isVisible()).toBe(true);
    expect(await page.locator('[data-field="sampleCount"]').innerText()).toBe('2,000');
    expect(await page.locator('[data-verdict]').getAttribute('data-verdict')).toBe('drift');
    // the summary comes before any chart
    const summaryTop = (await summary.boundingBox())?.y as number;
    const firstChartTop = (await page.locator('svg.chart').first().boundingBox())?.y as number;
    expect(summaryTop).toBeLessThan(firstChartTop);
    await page.close();
  });

  it('shows one chart per feature, the prediction chart and the fairness chart, with drawn bars', async () => {
    const { page } = await open();
    const features = page.locator('section.feature');
    expect(await features.count()).toBe(4);
    for (let i = 0; i < 4; i++) expect(await features.nth(i).locator('svg[data-chart="feature"]').count()).toBe(1);
    expect(await page.locator('svg[data-chart="prediction"]').count()).toBe(1);
    expect(await page.locator('svg[data-chart="fairness"]').count()).toBe(1);
    expect(await page.locator('svg[data-chart="fairness"] line.rule').count()).toBe(1);
    // bars have a laid-out size in the browser, not only in the markup
    const tall = await page
      .locator('svg.chart rect.mark')
      .evaluateAll((els) => els.filter((e) => e.getBoundingClientRect().height > 1).length);
    expect(tall).toBeGreaterThan(40);
    await page.close();
  });

  it('draws every chart: a screenshot of each has baseline and live bars in their colours', async () => {
    const { page } = await open();
    const charts = page.locator('svg.chart');
    const n = await charts.count();
    expect(n).toBe(6);
    for (let i = 0; i < n; i++) {
      const shot = await charts.nth(i).screenshot({ path: join(dir, `chart-${i}.png`) });
      const kind = await charts.nth(i).getAttribute('data-chart');
      expect([kind, countColour(shot, COLOURS.baseline) > 150]).toEqual([kind, true]);
      expect([kind, countColour(shot, COLOURS.live) > 150]).toEqual([kind, true]);
    }
    const page1 = await page.screenshot({ fullPage: true });
    const img = PNG.sync.read(page1);
    let ink = 0;
    for (let i = 0; i < img.data.length; i += 4) if ((img.data[i] as number) < 200) ink++;
    expect(ink / (img.width * img.height)).toBeGreaterThan(0.01);
    await page.close();
  });
});
