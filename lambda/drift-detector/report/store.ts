/**
 * Run-time side of the drift report: which windows get one, where it goes, and writing it (SSE-KMS) to the
 * reports bucket. The CloudWatch alarms name the `latest` key (lib/constructs/drift-monitor.ts), so the
 * notification an on-call person receives says where to look; dated copies keep every drifted window.
 */
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { DriftReportSettings, latestReportKey } from '../../../core/contracts/drift-report';
import { DriftResult, WindowCounts } from '../counting/drift-result';
import { renderDriftReportHtml, renderDriftReportJson } from './html';
import { DriftReport, buildDriftReport } from './model';
import { ReportWindow } from './window';
import { QualityReport } from '../quality/join';
import { BaselineDocument } from '../../../core/contracts/baseline';

/** Where and how reports are written (parsed from the environment by the contract's schema). */
export type ReportSettings = DriftReportSettings;

const baselineSources = new WeakMap<BaselineDocument, { file: string; sha256: string }>();

/** Records where a loaded baseline came from and the SHA-256 of its bytes, for the report's provenance. */
export function rememberBaselineSource(doc: BaselineDocument, file: string, sha256: string): void {
  baselineSources.set(doc, { file, sha256 });
}

export interface ReportKeys {
  readonly html: string;
  readonly json: string;
  readonly latestHtml: string;
  readonly latestJson: string;
}

/**
 * `<prefix><variant>/yyyy/mm/dd/hh/<capture file name>.html|.json`: the capture file's own date path when its key
 * has SageMaker's layout, else the processing time's; plus the variant's `latest.html|.json`.
 */
export function reportKeys(prefix: string, variantName: string, captureKey: string, now: Date): ReportKeys {
  const parts = captureKey.split('/');
  const file = (parts[parts.length - 1] ?? 'capture').replace(/(\.jsonl)?(\.gz)?$/, '');
  const datePath = parts.slice(-5, -1);
  const sageMakerLayout = datePath.length === 4 && /^\d{4}\/\d{2}\/\d{2}\/\d{2}$/.test(datePath.join('/'));
  const iso = now.toISOString();
  const date = sageMakerLayout
    ? datePath.join('/')
    : `${iso.slice(0, 4)}/${iso.slice(5, 7)}/${iso.slice(8, 10)}/${iso.slice(11, 13)}`;
  const base = `${prefix}${variantName}/${date}/${file}`;
  return {
    html: `${base}.html`,
    json: `${base}.json`,
    latestHtml: latestReportKey(prefix, variantName, 'html'),
    latestJson: latestReportKey(prefix, variantName, 'json'),
  };
}

export interface WindowReportInput {
  readonly settings: ReportSettings;
  readonly baseline: BaselineDocument;
  /** Used when the baseline's source was not recorded (a baseline injected by a test). */
  readonly baselineLocation: string;
  readonly result: DriftResult;
  readonly counts: WindowCounts;
  readonly window: ReportWindow;
  readonly capture: { readonly bucket: string; readonly key: string };
  readonly endpointName: string;
  readonly variantName: string;
  readonly now: Date;
  /**
   * The window's quality section (monitoring.quality): at capture time its predictions wait for labels, so it
   * holds the counts and the CBPE estimate; the same renderer shows realised metrics offline.
   * @default - no quality section
   */
  readonly quality?: QualityReport;
}

export type WindowReportOutcome =
  | { readonly written: true; readonly uri: string; readonly report: DriftReport }
  | { readonly written: false; readonly reason: string; readonly report: DriftReport };

/**
 * Builds the window's report and writes it (HTML and JSON, dated and latest) when a metric crossed its threshold,
 * or for every judged window when configured. An S3 error is thrown: the caller has not published metrics yet,
 * so a retry of the event redoes both and the alarm never points at a report that is not there.
 */
export async function writeWindowReport(s3: S3Client, input: WindowReportInput): Promise<WindowReportOutcome> {
  const { settings } = input;
  const drift = buildDriftReport({
    baseline: input.baseline,
    baselineFile: baselineSources.get(input.baseline) ?? { file: input.baselineLocation, sha256: 'not recorded' },
    result: input.result,
    counts: input.counts,
    window: input.window,
    thresholds: settings.thresholds,
    captures: [`s3://${input.capture.bucket}/${input.capture.key}`],
    generatedAt: input.now,
    endpointName: input.endpointName,
    variantName: input.variantName,
  });
  const report: DriftReport = input.quality ? { ...drift, quality: input.quality } : drift;
  if (!report.summary.judged) return { written: false, reason: 'fewer records than minSamples', report };
  if (!report.summary.drifted && !settings.allWindows)
    return { written: false, reason: 'no metric crossed its threshold', report };
  const keys = reportKeys(settings.prefix, input.variantName, input.capture.key, input.now);
  const html = renderDriftReportHtml(report);
  const json = renderDriftReportJson(report);
  const put = (key: string, body: string, contentType: string) =>
    s3.send(
      new PutObjectCommand({
        Bucket: settings.bucket,
        Key: key,
        Body: body,
        ContentType: contentType,
        ServerSideEncryption: 'aws:kms',
        SSEKMSKeyId: settings.kmsKeyArn,
        BucketKeyEnabled: true,
      }),
    );
  await put(keys.html, html, 'text/html; charset=utf-8');
  await put(keys.json, json, 'application/json');
  // `latest` last: it only ever points at a report whose dated copies exist.
  await put(keys.latestHtml, html, 'text/html; charset=utf-8');
  await put(keys.latestJson, json, 'application/json');
  return { written: true, uri: `s3://${settings.bucket}/${keys.html}`, report };
}
