/**
 * The drift report as a person sees it: rendered by headless Chromium (Debian's `chromium`, driven by
 * puppeteer-core). The page must load without a single network request, show the summary, one chart per feature,
 * the prediction chart and the fairness chart, and its charts must be drawn: a screenshot of each chart has
 * hundreds of pixels in the baseline and live bar colours.
 *
 * Needs `chromium` on PATH (or CHROMIUM_PATH / MLOPS_CHROMIUM): the test FAILS with the install command when it is
 * missing (scripts/chromium-path.ts, shared with html-chromium.test.ts and the README picture script).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import puppeteer, { Browser } from 'puppeteer-core';
import { PNG } from 'pngjs';
import { CHROMIUM_INSTALL_HINT, chromiumArgs, chromiumPath } from '../../scripts/chromium-path';
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
    browser = await puppeteer.launch({ executablePath, headless: true, args: chromiumArgs() });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
  });

  async function open() {
    const page = await (browser as Browser).newPage();
    await page.setViewport({ width: 1280, height: 1000 });
    const requests: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    await page.goto(pathToFileURL(html).href, { waitUntil: 'load' });
    return { page, requests };
  }

  it('loads with no request but the file itself, and shows the summary first', async () => {
    const { page, requests } = await open();
    expect(requests).toEqual([pathToFileURL(html).href]);
    const summary = await page.$('#summary');
    expect(await summary?.isVisible()).toBe(true);
    expect(await page.$eval('[data-field="sampleCount"]', (e) => (e as HTMLElement).innerText)).toBe('2,000');
    expect(await page.$eval('[data-verdict]', (e) => e.getAttribute('data-verdict'))).toBe('drift');
    // the summary comes before any chart
    const summaryTop = (await summary?.boundingBox())?.y as number;
    const firstChartTop = (await (await page.$('svg.chart'))?.boundingBox())?.y as number;
    expect(summaryTop).toBeLessThan(firstChartTop);
    await page.close();
  });

  it('shows one chart per feature, the prediction chart and the fairness chart, with drawn bars', async () => {
    const { page } = await open();
    const features = await page.$$('section.feature');
    expect(features).toHaveLength(4);
    for (const feature of features) expect(await feature.$$('svg[data-chart="feature"]')).toHaveLength(1);
    expect(await page.$$('svg[data-chart="prediction"]')).toHaveLength(1);
    expect(await page.$$('svg[data-chart="fairness"]')).toHaveLength(1);
    expect(await page.$$('svg[data-chart="fairness"] line.rule')).toHaveLength(1);
    // bars have a laid-out size in the browser, not only in the markup
    const tall = await page.$$eval(
      'svg.chart rect.mark',
      (els) => els.filter((e) => e.getBoundingClientRect().height > 1).length,
    );
    expect(tall).toBeGreaterThan(40);
    await page.close();
  });

  it('draws every chart: a screenshot of each has baseline and live bars in their colours', async () => {
    const { page } = await open();
    const charts = await page.$$('svg.chart');
    expect(charts).toHaveLength(6);
    for (const [i, chart] of charts.entries()) {
      const shot = Buffer.from(await chart.screenshot({ path: join(dir, `chart-${i}.png`) as `${string}.png` }));
      const kind = await chart.evaluate((e) => e.getAttribute('data-chart'));
      expect([kind, countColour(shot, COLOURS.baseline) > 150]).toEqual([kind, true]);
      expect([kind, countColour(shot, COLOURS.live) > 150]).toEqual([kind, true]);
    }
    const page1 = await page.screenshot({ fullPage: true });
    const img = PNG.sync.read(Buffer.from(page1));
    let ink = 0;
    for (let i = 0; i < img.data.length; i += 4) if ((img.data[i] as number) < 200) ink++;
    expect(ink / (img.width * img.height)).toBeGreaterThan(0.01);
    await page.close();
  });
});

describe('chromium missing', () => {
  it('fails with the install command rather than skipping', () => {
    expect(() => chromiumPath({ PATH: '/nonexistent' })).toThrow(CHROMIUM_INSTALL_HINT);
    expect(() => chromiumPath({ CHROMIUM_PATH: '/nonexistent/chromium' })).toThrow(/apt-get install -y chromium/);
    expect(() => chromiumPath({ MLOPS_CHROMIUM: '/nonexistent/chrome' })).toThrow(/apt-get install -y chromium/);
  });
});
