/**
 * The compact prediction ledger: what a capture window leaves behind for its labels. For each captured row, the join
 * key, the predicted label (or value), the score and the sensitive group; nothing else (data minimisation). Read
 * from SageMaker capture lines with the drift parser's payload decoders, written and read back as JSON Lines.
 */
import { FeatureSpec } from '../../../core/contracts/drift-detector';
import { LABEL_FIELDS, LedgerEntry, QualitySettings, SCORE_FIELDS, joinKeyOf } from '../../../core/contracts/quality';
import { CapturedPayload, csvLines, decodePayload, inputRows, splitCsvRow } from '../capture-payload';

/** Why a captured row leaves no ledger entry; counted, like every other skip. */
export const LEDGER_SKIP_REASONS = [
  /** Not JSON, or not a capture record. */
  'invalid-line',
  /** eventMetadata has neither inferenceId nor eventId: nothing a label could name. */
  'no-id',
  /** captureData.endpointOutput is missing (output capture off?) or unreadable. */
  'no-output',
  /** The output holds no label or score this model's problem type can use. */
  'invalid-prediction',
  /** The sensitive attribute cannot be read from the input (fairness needs it). */
  'no-group',
] as const;
export type LedgerSkipReason = (typeof LEDGER_SKIP_REASONS)[number];

export interface LedgerSink {
  entry(e: LedgerEntry): void;
  skipped(rows: number, reason: LedgerSkipReason, message: string, line: number): void;
}

/** How a capture line is read for the ledger. */
export interface LedgerReadOptions {
  readonly settings: QualitySettings;
  readonly features: readonly FeatureSpec[];
  /** Index of the sensitive attribute in `features`; undefined: no groups. */
  readonly sensitiveIndex?: number;
}

function numberOf(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (typeof v === 'string' && v.trim() !== '') {
    const n = Number(v);
    return Number.isFinite(n) ? n : undefined;
  }
  return undefined;
}

/**
 * A binary label as 1 (positive) or 0 (negative), or undefined when `raw` is neither label. Labels compare as text
 * and, when both sides are numbers, as numbers ("1.0" is 1).
 */
export function binaryLabel(
  raw: unknown,
  settings: Pick<QualitySettings, 'positiveLabel' | 'negativeLabel'>,
): 0 | 1 | undefined {
  if (raw === undefined || raw === null) return undefined;
  const text = String(raw).trim();
  const pos = String(settings.positiveLabel);
  const neg = String(settings.negativeLabel);
  if (text === pos) return 1;
  if (text === neg) return 0;
  const n = numberOf(text);
  if (n === undefined) return undefined;
  if (n === numberOf(pos)) return 1;
  if (n === numberOf(neg)) return 0;
  return undefined;
}

/** One output item -> [prediction, score]; prediction undefined when it cannot be read for the problem type. */
export function predictionOfItem(item: unknown, settings: QualitySettings): [number | undefined, number | undefined] {
  let label: unknown;
  let score: number | undefined;
  if (typeof item === 'object' && item !== null && !Array.isArray(item)) {
    const o = item as Record<string, unknown>;
    const labelKey = settings.labelField ?? LABEL_FIELDS.find((k) => o[k] !== undefined && o[k] !== null);
    const scoreKey = settings.scoreField ?? SCORE_FIELDS.find((k) => o[k] !== undefined && o[k] !== null);
    label = labelKey !== undefined ? o[labelKey] : undefined;
    score = scoreKey !== undefined ? numberOf(o[scoreKey]) : undefined;
  } else if (Array.isArray(item)) {
    // [label, score] (CSV "1,0.73" reads the same way).
    label = item[0];
    score = item.length > 1 ? numberOf(item[1]) : undefined;
  } else label = item;
  if (settings.problemType === 'regression') return [numberOf(label ?? score), undefined];
  let p = binaryLabel(label, settings);
  if (p === undefined && label !== undefined && label !== null && score === undefined) {
    // A bare number that is not a label: a score, judged at the decision threshold.
    const s = numberOf(label);
    if (s !== undefined && s >= 0 && s <= 1) {
      score = s;
      label = undefined;
    }
  }
  if (p === undefined && (label === undefined || label === null) && score !== undefined)
    p = score >= settings.decisionThreshold ? 1 : 0;
  return [p, score];
}

/** The output items of a captured output payload (one per row). */
function outputItems(p: CapturedPayload): unknown[] {
  const { text, format } = decodePayload(p, 'endpointOutput');
  if (format === 'csv')
    return csvLines(text)
      .map((l) => splitCsvRow(l.trim()).map((v) => v.trim()))
      .map((v) => (v.length === 1 ? v[0] : v));
  if (format === 'jsonl') return csvLines(text).map((l) => JSON.parse(l) as unknown);
  const doc = JSON.parse(text) as unknown;
  if (typeof doc === 'object' && doc !== null && !Array.isArray(doc)) {
    const o = doc as Record<string, unknown>;
    return Array.isArray(o.predictions) ? o.predictions : [o];
  }
  return Array.isArray(doc) ? doc : [doc];
}

/**
 * Reads one capture line into ledger entries (one per row, keyed `<id>` or `<id>#<row>` for multi-row invocations).
 * Never throws: a row that leaves no entry is reported to `sink.skipped` with its reason.
 */
export function ledgerEntriesOfCaptureLine(
  line: string,
  lineNo: number,
  opts: LedgerReadOptions,
  sink: LedgerSink,
): void {
  let doc: {
    captureData?: { endpointInput?: CapturedPayload; endpointOutput?: CapturedPayload };
    eventMetadata?: { inferenceTime?: unknown };
  } | null;
  try {
    doc = JSON.parse(line) as typeof doc;
  } catch (err) {
    sink.skipped(1, 'invalid-line', `capture line is not JSON (${(err as Error).message})`, lineNo);
    return;
  }
  if (typeof doc?.captureData !== 'object' || doc.captureData === null) {
    sink.skipped(1, 'invalid-line', 'the line has no captureData object: not a SageMaker capture record', lineNo);
    return;
  }
  const id = joinKeyOf(doc.eventMetadata);
  if (id === undefined) {
    sink.skipped(1, 'no-id', 'eventMetadata has neither inferenceId nor eventId', lineNo);
    return;
  }
  const output = doc.captureData.endpointOutput;
  let items: unknown[];
  try {
    if (typeof output !== 'object' || output === null)
      throw new Error('captureData.endpointOutput is missing: is output capture enabled?');
    items = outputItems(output);
  } catch (err) {
    sink.skipped(1, 'no-output', (err as Error).message, lineNo);
    return;
  }
  let groups: (string | undefined)[] | undefined;
  if (opts.sensitiveIndex !== undefined) {
    try {
      const input = doc.captureData.endpointInput;
      if (typeof input !== 'object' || input === null) throw new Error('captureData.endpointInput is missing');
      groups = inputRows(input, opts.features).map((r) => {
        const v = r[opts.sensitiveIndex as number];
        return v === undefined || v === null || v === '' ? undefined : String(v).trim();
      });
      if (groups.length !== items.length)
        throw new Error(`${groups.length} input row(s) but ${items.length} prediction(s)`);
    } catch (err) {
      sink.skipped(
        items.length || 1,
        'no-group',
        `sensitive attribute not readable: ${(err as Error).message}`,
        lineNo,
      );
      return;
    }
  }
  const time = typeof doc.eventMetadata?.inferenceTime === 'string' ? Date.parse(doc.eventMetadata.inferenceTime) : NaN;
  for (let i = 0; i < items.length; i++) {
    const [p, s] = predictionOfItem(items[i], opts.settings);
    if (p === undefined) {
      sink.skipped(
        1,
        'invalid-prediction',
        `prediction ${JSON.stringify(items[i])} is not a label or score of a ${opts.settings.problemType} model`,
        lineNo,
      );
      continue;
    }
    const g = groups?.[i];
    if (groups !== undefined && g === undefined) {
      sink.skipped(1, 'no-group', 'the sensitive attribute is empty', lineNo);
      continue;
    }
    sink.entry({
      id: items.length === 1 ? id : `${id}#${i}`,
      p,
      ...(s !== undefined ? { s } : {}),
      ...(g !== undefined ? { g } : {}),
      ...(Number.isFinite(time) ? { t: time } : {}),
    });
  }
}

/** A ledger as JSON Lines (one entry per line; the format the detector stores, encrypted, per window). */
export function serializeLedger(entries: readonly LedgerEntry[]): string {
  return entries.map((e) => JSON.stringify(e)).join('\n') + (entries.length > 0 ? '\n' : '');
}

/** Reads a ledger written by serializeLedger; throws naming the line of an entry that is not one. */
export function parseLedger(text: string, where: string): LedgerEntry[] {
  const out: LedgerEntry[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    if (line === '') continue;
    const e = JSON.parse(line) as Partial<LedgerEntry>;
    if (typeof e.id !== 'string' || typeof e.p !== 'number')
      throw new RangeError(`${where} line ${i + 1} is not a ledger entry ({"id":...,"p":...}): ${line.slice(0, 80)}`);
    out.push(e as LedgerEntry);
  }
  return out;
}
