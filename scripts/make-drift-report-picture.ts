/**
 * The drift report picture of docs/drift-reports.md, made from the example data:
 *
 *   npx tsx scripts/make-drift-report-picture.ts [--out docs/drift-report.png]   (--help for the usage)
 *   npx tsx scripts/make-drift-report-picture.ts --quality [--out docs/quality-report.png]
 *
 * Writes drifted, unfair example traffic (scripts/make-example-data.ts, seeded), runs `npm run drift:report` on it
 * against the committed baseline, and screenshots the page with headless Chromium (CHROMIUM_PATH or `chromium` on
 * PATH, driven by puppeteer-core). The report's generation time is SOURCE_DATE_EPOCH when set, so the picture can be
 * regenerated as is. With --quality: the labelled example traffic (the reference model's label and score) and its
 * ground truth, and a picture of the report's "Model quality" section (docs/quality.md shows it).
 */
import { mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import puppeteer from 'puppeteer-core';
import { CommandSpec, OptionSpec, Values, runAsMain } from '../lib/cli/args';
import { chromiumArgs, chromiumPath } from './chromium-path';
import { runDriftReportCli } from './drift-report';
import {
  TRAINING_SEED,
  groundTruthText,
  scoredCaptureText,
  trainingRecords,
  writeCaptureFile,
} from './make-example-data';
import { writeFileSync } from 'node:fs';

export const DRIFT_REPORT_PICTURE_COMMAND = {
  command: 'npx tsx scripts/make-drift-report-picture.ts',
  summary:
    'The drift report picture of docs/drift-reports.md: drifted example traffic, `npm run drift:report` against the\ncommitted baseline, a headless Chromium screenshot (CHROMIUM_PATH or chromium on PATH). Honours SOURCE_DATE_EPOCH.',
  options: {
    out: {
      type: 'string',
      valueName: '<file.png>',
      description: 'where the picture goes (default docs/drift-report.png, with --quality docs/quality-report.png)',
    },
    quality: {
      type: 'boolean',
      description: "picture the report's model-quality section, from labelled example traffic and its ground truth",
    },
  },
} as const satisfies CommandSpec<Record<string, OptionSpec>>;

async function main(values: Values<typeof DRIFT_REPORT_PICTURE_COMMAND.options>): Promise<number> {
  const quality = values.quality === true;
  const out = values.out ?? join('docs', quality ? 'quality-report.png' : 'drift-report.png');
  // A fixed folder, so the file names the report shows (and so the picture) do not change between runs.
  const dir = join(tmpdir(), 'mlops-drift-report-picture');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  try {
    const capture = join(dir, quality ? 'capture-labelled.jsonl' : 'capture-drifted.jsonl');
    const extra: string[] = [];
    if (quality) {
      // As make-example-data.ts writes them: the reference model's label and score, labels for 90% of them.
      const labelled = trainingRecords(2000, TRAINING_SEED + 3);
      writeFileSync(capture, scoredCaptureText(labelled));
      const labels = join(dir, 'ground-truth.jsonl');
      writeFileSync(labels, groundTruthText(labelled, TRAINING_SEED + 4));
      extra.push('--ground-truth', labels, '--config', 'cdk.json', '--model', 'fraud-xgb');
    } else await writeCaptureFile(capture, 2000, TRAINING_SEED + 2, { drifted: true, genderBias: -1.5 });
    const html = join(dir, 'drift-report.html');
    const epoch = process.env.SOURCE_DATE_EPOCH;
    await runDriftReportCli(
      ['--baseline', 'baselines/fraud-xgb.json', '--capture', capture, ...extra, '--out', html],
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
      const section = quality ? await (await page.$('#quality'))?.boundingBox() : undefined;
      if (quality && !section) throw new Error('the report has no #quality section: were the labels joined?');
      const bottom = (await (await page.$('#provenance'))?.boundingBox())?.y ?? 3000;
      await page.screenshot({
        path: out as `${string}.png`,
        clip: section
          ? { x: 0, y: Math.floor(section.y), width: 1200, height: Math.ceil(section.height) }
          : { x: 0, y: 0, width: 1200, height: Math.ceil(bottom) },
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
  runAsMain(DRIFT_REPORT_PICTURE_COMMAND, main);
}
