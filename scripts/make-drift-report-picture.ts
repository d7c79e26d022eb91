/**
 * The drift report picture of docs/drift-reports.md, made from the example data:
 *
 *   npx tsx scripts/make-drift-report-picture.ts [--out docs/drift-report.png]   (--help for the usage)
 *
 * Writes drifted, unfair example traffic (scripts/make-example-data.ts, seeded), runs `npm run drift:report` on it
 * against the committed baseline, and screenshots the page with headless Chromium (CHROMIUM_PATH or `chromium` on
 * PATH, driven by puppeteer-core). The report's generation time is SOURCE_DATE_EPOCH when set, so the picture can be
 * regenerated as is.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import puppeteer from 'puppeteer-core';
import { CommandSpec, OptionSpec, Values, runCommand } from '../lib/cli/args';
import { chromiumArgs, chromiumPath } from './chromium-path';
import { runDriftReportCli } from './drift-report';
import { TRAINING_SEED, writeCaptureFile } from './make-example-data';

export const DRIFT_REPORT_PICTURE_COMMAND = {
  command: 'npx tsx scripts/make-drift-report-picture.ts',
  summary:
    'The drift report picture of docs/drift-reports.md: drifted example traffic, `npm run drift:report` against the\ncommitted baseline, a headless Chromium screenshot (CHROMIUM_PATH or chromium on PATH). Honours SOURCE_DATE_EPOCH.',
  options: {
    out: {
      type: 'string',
      valueName: '<file.png>',
      description: 'where the picture goes (default docs/drift-report.png)',
    },
  },
} as const satisfies CommandSpec<Record<string, OptionSpec>>;

async function main(values: Values<typeof DRIFT_REPORT_PICTURE_COMMAND.options>): Promise<number> {
  const out = values.out ?? join('docs', 'drift-report.png');
  // A fixed folder, so the file names the report shows (and so the picture) do not change between runs.
  const dir = join(tmpdir(), 'mlops-drift-report-picture');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  try {
    const capture = join(dir, 'capture-drifted.jsonl');
    await writeCaptureFile(capture, 2000, TRAINING_SEED + 2, { drifted: true, genderBias: -1.5 });
    const html = join(dir, 'drift-report.html');
    const epoch = process.env.SOURCE_DATE_EPOCH;
    await runDriftReportCli(
      ['--baseline', 'baselines/fraud-xgb.json', '--capture', capture, '--out', html],
      (s) => process.stderr.write(s),
      () => (epoch ? new Date(Number(epoch) * 1000) : new Date()),
    );
    const browser = await puppeteer.launch({ executablePath: chromiumPath(), headless: true, args: chromiumArgs() });
    try {
      const page = await browser.newPage();
      await page.setViewport({ width: 1200, height: 900 });
      await page.goto(pathToFileURL(html).href, { waitUntil: 'load' });
      // Summary, the feature charts and fairness; the provenance table is left out of the picture. The clip reaches
      // below the viewport (puppeteer captures beyond it), so it is the full page down to the provenance table.
      const bottom = (await (await page.$('#provenance'))?.boundingBox())?.y ?? 3000;
      await page.screenshot({
        path: out as `${string}.png`,
        clip: { x: 0, y: 0, width: 1200, height: Math.ceil(bottom) },
      });
      process.stderr.write(`make-drift-report-picture: wrote ${out}\n`);
    } finally {
      await browser.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return 0;
}

if (require.main === module) {
  void runCommand(DRIFT_REPORT_PICTURE_COMMAND, process.argv.slice(2), main).then((code) => {
    process.exitCode = code;
  });
}
