/// <reference lib="dom" />
/**
 * The HTML report in a real browser: Debian's `chromium`, driven headless by puppeteer-core (no bundled browser).
 * Fails with an install hint when chromium is missing (scripts/chromium-path.ts, shared with the drift report test).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import puppeteer, { Browser, Page } from 'puppeteer-core';
import { toHtml } from '../../lib/reports/html';
import { buildSecurityReport, parseValidationReport } from '../../lib/reports/validation-report';
import { chromiumPath } from '../../scripts/chromium-path';
import sample from '../fixtures/validation-report.sample.json';
import { syntheticValidationReport } from '../support/synthetic-validation-report';

const dir = mkdtempSync(join(tmpdir(), 'html-report-'));
function pageFile(name: string, html: string): string {
  const file = join(dir, name);
  writeFileSync(file, html);
  return pathToFileURL(file).href;
}

let browser: Browser;
let page: Page;
const errors: string[] = [];

beforeAll(async () => {
  browser = await puppeteer.launch({
    executablePath: chromiumPath(),
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
  });
  page = await browser.newPage();
  await page.setViewport({ width: 1280, height: 800 });
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(String(e)));
}, 60000);

afterAll(async () => {
  await browser?.close();
});

const visibleRows = () => page.$$eval('tr.finding', (rows) => rows.filter((r) => r.checkVisibility()).length);

describe('HTML report in headless Chromium', () => {
  const url = pageFile(
    'sample.html',
    toHtml(buildSecurityReport(parseValidationReport(sample)), { baseDir: '/work/main' }),
  );

  test('renders with the summary visible in the first screen and the script allowed by the CSP', async () => {
    // WHEN the page is opened
    await page.goto(url);
    // THEN the verdict and the summary table are in the first screen, and nothing was blocked or threw
    const box = await page.$eval('#summary table', (t) => t.getBoundingClientRect().toJSON() as DOMRect);
    expect(box.height).toBeGreaterThan(0);
    expect(box.top + box.height).toBeLessThan(800);
    expect(await page.$eval('#verdict', (p) => (p as HTMLElement).innerText)).toMatch(/^FAIL: 3 open, 2 acknowledged/);
    // The filter bar is hidden until the script runs: visible means the CSP hash let it run.
    expect(await page.$eval('#filters', (f) => (f as HTMLElement).hidden)).toBe(false);
    expect(errors).toEqual([]);
    const png = await page.screenshot({ fullPage: true });
    expect(png.length).toBeGreaterThan(10000);
  });

  test('groups by pack, rule and stack; open groups expanded, acknowledged ones collapsed until clicked', async () => {
    await page.goto(url);
    const packs = await page.$$eval('#findings > details.pack', (ds) => ds.map((d) => d.getAttribute('data-group')));
    expect(packs).toEqual(['AwsSolutions', 'Serverless', 'MLOPS']);
    // The MLOPS pack holds only an acknowledged finding: collapsed, its row not visible
    const mlopsRow = 'details.pack[data-group="MLOPS"] tr.finding';
    expect(await page.$eval(mlopsRow, (r) => r.checkVisibility())).toBe(false);
    // WHEN the reviewer opens it (pack, then rule, then stack)
    for (const level of ['pack', 'rule', 'stack']) {
      await page.click(
        `details.pack[data-group="MLOPS"] details.${level}:not([open]) > summary, details.pack[data-group="MLOPS"]:not([open]) > summary`,
      );
    }
    // THEN the acknowledgement and its reason show
    expect(await page.$eval(mlopsRow, (r) => r.checkVisibility())).toBe(true);
    expect(await page.$eval(mlopsRow, (r) => (r as HTMLElement).innerText)).toContain(
      'Reports are public build artefacts',
    );
    expect(await page.$$eval('details.rule', (ds) => ds.length)).toBe(5);
  });

  test('filters findings by text, hiding empty groups, and by status', async () => {
    // GIVEN a report of 10 models (hundreds of findings), opened with a filter in the URL
    const big = pageFile('big.html', toHtml(buildSecurityReport(parseValidationReport(syntheticValidationReport(10)))));
    await page.goto(`${big}#filter=${encodeURIComponent('production/Model-model-3/')}`);
    // THEN only that stack's findings show: 3 open + 8 acknowledged per pack, 5 packs
    expect(await visibleRows()).toBe(55);
    expect(await page.$eval('#shown', (s) => s.textContent)).toBe('55');
    const shownStacks = await page.$$eval('details.stack', (ds) =>
      ds.filter((d) => !(d as HTMLElement).hidden).map((d) => d.getAttribute('data-group')),
    );
    expect(new Set(shownStacks)).toEqual(new Set(['production/Model-model-3']));
    // WHEN acknowledged findings are hidden
    await page.click('#show-acknowledged');
    // THEN the open ones remain
    expect(await visibleRows()).toBe(15);
    // WHEN the filter is cleared by typing
    await page.click('#filter', { count: 3 });
    await page.keyboard.press('Backspace');
    await page.type('#filter', 'open2');
    expect(await page.$eval('#shown', (s) => s.textContent)).toBe(String(5 * 20));
    expect(errors).toEqual([]);
  });
});
