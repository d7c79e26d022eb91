/**
 * Reads SageMaker ground-truth lines (JSON Lines, one label per inference):
 *
 *   {"groundTruthData":{"data":"1","encoding":"CSV"},"eventMetadata":{"eventId":"<join key>"},"eventVersion":"0"}
 *
 * `data` is the label as text: CSV (one value, or one per row of a multi-row invocation: `1,0,1`), JSON (a value,
 * an array of values, or {"label": v}) or BASE64 of either. Pure: the offline report and the detector both call it.
 */
import { GroundTruthLine } from '../../../core/contracts/quality';

export type GroundTruthRead =
  | { readonly ok: true; readonly id: string; readonly labels: readonly string[] }
  | { readonly ok: false; readonly message: string };

const EXAMPLE =
  '{"groundTruthData":{"data":"1","encoding":"CSV"},"eventMetadata":{"eventId":"<inferenceId or eventId>"},"eventVersion":"0"}';

function fail(message: string): GroundTruthRead {
  return { ok: false, message: `${message}; expected SageMaker's ground-truth format, e.g. ${EXAMPLE}` };
}

function jsonLabels(doc: unknown): string[] | undefined {
  if (typeof doc === 'number' || typeof doc === 'string' || typeof doc === 'boolean') return [String(doc)];
  if (Array.isArray(doc)) {
    const out = doc.map((x) => jsonLabels(x));
    return out.every((x) => x !== undefined && x.length === 1)
      ? out.map((x) => (x as string[])[0] as string)
      : undefined;
  }
  if (typeof doc === 'object' && doc !== null && 'label' in doc) return jsonLabels((doc as { label: unknown }).label);
  return undefined;
}

/** The label values of a groundTruthData payload, or a message saying why there are none. */
export function groundTruthLabels(data: string, encoding: string | undefined): string[] | string {
  let text = data;
  let format = encoding?.toUpperCase();
  if (format === 'BASE64') {
    const compact = data.replace(/\s+/g, '');
    if (compact.length % 4 === 1 || !/^[A-Za-z0-9+/]*={0,2}$/.test(compact))
      return 'groundTruthData.data is not base64 although encoding is BASE64';
    text = Buffer.from(compact, 'base64').toString('utf8');
    format = /^\s*[[{"]/.test(text) ? 'JSON' : 'CSV';
  } else if (format !== undefined && format !== 'CSV' && format !== 'JSON')
    return `groundTruthData.encoding ${JSON.stringify(encoding)} is not CSV, JSON or BASE64`;
  if (format === 'JSON') {
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch (err) {
      return `groundTruthData.data is not valid JSON although encoding is JSON (${(err as Error).message})`;
    }
    return (
      jsonLabels(doc) ??
      `groundTruthData.data ${text.slice(0, 80)} holds no label (a value, an array of values or {"label": v})`
    );
  }
  const values = text
    .trim()
    .split(/[,\r\n]+/)
    .map((v) => v.trim());
  if (values.length === 0 || values.some((v) => v === ''))
    return `groundTruthData.data ${JSON.stringify(text.slice(0, 80))} holds an empty label`;
  return values;
}

/** One ground-truth line -> its join key and labels, or why it cannot be read (never throws). */
export function parseGroundTruthLine(line: string): GroundTruthRead {
  let doc: Partial<GroundTruthLine> | null;
  try {
    doc = JSON.parse(line) as Partial<GroundTruthLine> | null;
  } catch (err) {
    return fail(`the line is not JSON (${(err as Error).message})`);
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) return fail('the line is not a JSON object');
  const id = (doc.eventMetadata as { eventId?: unknown } | undefined)?.eventId;
  if (typeof id !== 'string' || id === '')
    return fail("eventMetadata.eventId is missing: the capture record's inferenceId (or eventId) it labels");
  const gt = doc.groundTruthData as { data?: unknown; encoding?: unknown } | undefined;
  if (typeof gt !== 'object' || gt === null) return fail('groundTruthData is missing');
  if (typeof gt.data !== 'string' && typeof gt.data !== 'number')
    return fail(
      `groundTruthData.data is ${gt.data === undefined ? 'missing' : JSON.stringify(gt.data)}, expected the label as text`,
    );
  if (gt.encoding !== undefined && typeof gt.encoding !== 'string')
    return fail(`groundTruthData.encoding is ${JSON.stringify(gt.encoding)}, expected "CSV", "JSON" or "BASE64"`);
  const labels = groundTruthLabels(String(gt.data), gt.encoding);
  if (typeof labels === 'string') return fail(labels);
  return { ok: true, id, labels };
}
