/**
 * Reading values the one way both the baseline builder (lib/baseline/builder.ts) and the drift detector do, so
 * baseline and capture agree: decimal numbers, category and prediction keys, the numeric bins and fairness groups.
 * Pure and on the detector's hot path: no allocation per value where it can be avoided.
 */
import { Distribution, MISSING, OTHER } from './baseline';

export class RecordError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RecordError';
  }
}

/**
 * Plain decimal notation only (`12`, `-0.5`, `.5`, `1e3`): JavaScript's Number() also reads `0x10`, `0b101`,
 * `0o7` and `Infinity`, which no training CSV or capture payload means as a number.
 */
const DECIMAL = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

/** 10^0 .. 10^15, all exact doubles. */
const POW10 = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15] as const;

/**
 * Fast path of decimalNumber for the common case, without a regex or a string-to-number conversion: a string of
 * at most 15 digits with at most one '.', at least one digit and an optional leading sign, nothing else (no
 * whitespace, no exponent). Every such string matches DECIMAL, and its value is exactly Number(s): the digits form
 * an integer m < 10^15 (exact in a double), 10^f is exact for f <= 15, and m / 10^f is one correctly rounded IEEE
 * division, as Number(s) is correctly rounded; the sign is applied by negation (so "-0" is -0, as Number("-0")).
 * Returns NaN for anything else, and the caller decides the slow way.
 */
function shortDecimal(s: string): number {
  return shortDecimalIn(s, 0, s.length);
}

/**
 * shortDecimal of `s.slice(start, end)`, read in place (no substring): NaN unless that slice is a short plain
 * decimal, in which case the value equals decimalNumber(slice) and numericValue(slice).
 */
export function shortDecimalIn(s: string, start: number, end: number): number {
  const len = end - start;
  if (len <= 0 || len > 17) return NaN;
  let i = start;
  let c = s.charCodeAt(start);
  const negative = c === 45; // '-'
  if (negative || c === 43) i++; // '+'
  let m = 0;
  let digits = 0;
  let frac = 0;
  let point = false;
  for (; i < end; i++) {
    c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      m = m * 10 + (c - 48);
      digits++;
      if (point) frac++;
    } else if (c === 46 && !point) point = true;
    else return NaN;
  }
  if (digits === 0 || digits > 15) return NaN;
  const x = frac === 0 ? m : m / (POW10[frac] as number);
  return negative ? -x : x;
}

/** The finite number a string spells in decimal notation, else undefined (so `"0x10"` and `"1e999"` are not numbers). */
export function decimalNumber(s: string): number | undefined {
  const fast = shortDecimal(s);
  if (fast === fast) return fast; // not NaN: a short plain decimal, read exactly as Number(s) reads it
  if (!DECIMAL.test(s)) return undefined;
  const n = Number(s);
  return Number.isFinite(n) ? n : undefined;
}

/** A numeric value: finite number, decimal string, or undefined for missing ('' / null / undefined). */
export function numericValue(v: unknown, field: string): number | undefined {
  if (v === null || v === undefined) return undefined;
  if (typeof v === 'number') {
    if (Number.isFinite(v)) return v;
    throw new RecordError(`${field}: ${v} is not a finite number`);
  }
  if (typeof v === 'string') {
    const s = v.trim();
    if (s === '') return undefined;
    const n = decimalNumber(s);
    if (n !== undefined) return n;
  }
  throw new RecordError(`${field}: ${JSON.stringify(v)} is not a decimal number`);
}

/**
 * The one normalisation of categorical values and predictions, so baseline and detector agree whatever the
 * serving container writes: strings are trimmed, a decimal number (JSON `1.0`, string `"1.0"`, CSV `1.0`) becomes
 * its shortest form (`"1"`), booleans are `"true"` / `"false"`, and null or an empty string is `__missing__`.
 * Consequence to know: `"007"` and `"7"` are the same category.
 */
export function valueKey(v: unknown, field: string): string {
  if (v === null || v === undefined) return MISSING;
  if (typeof v === 'string') {
    const s = v.trim();
    if (s === '') return MISSING;
    const n = decimalNumber(s);
    return n === undefined ? s : String(n);
  }
  if (typeof v === 'number') {
    if (Number.isFinite(v)) return String(v);
    throw new RecordError(`${field}: ${v} is not a finite number`);
  }
  if (typeof v === 'boolean') return String(v);
  throw new RecordError(`${field}: ${JSON.stringify(v)} is not a category (string, number or boolean)`);
}

/** A category key (see valueKey); missing becomes `__missing__`. */
export function categoryKey(v: unknown, field: string): string {
  return valueKey(v, field);
}

/** A prediction key (see valueKey): `1`, `"1"` and `"1.0"` are the same class; null or empty is `__missing__`. */
export function predictionKey(v: unknown): string {
  return valueKey(v, 'prediction');
}

/** Index of the bin (-Inf, e0], (e0, e1], ..., (e_last, +Inf) holding x: the number of edges strictly below x. */
export function binIndex(edges: ArrayLike<number>, x: number): number {
  let lo = 0;
  let hi = edges.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((edges[mid] as number) < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Human label of numeric bin i, used as a fairness group name when the sensitive attribute is numeric. */
export function binLabel(edges: readonly number[], i: number): string {
  const lo = i === 0 ? '-Infinity' : String(edges[i - 1]);
  const hi = i === edges.length ? '+Infinity' : String(edges[i]);
  return `(${lo}, ${hi}]`;
}

/** Fairness group of a value of the sensitive feature: its category (or `__other__`) or its numeric bin label. */
export function groupOf(dist: Distribution, value: unknown, field: string): string | undefined {
  if (dist.type === 'categorical') {
    const key = categoryKey(value, field);
    return dist.categories.includes(key) && key !== OTHER ? key : OTHER;
  }
  const x = numericValue(value, field);
  return x === undefined ? undefined : binLabel(dist.binEdges, binIndex(dist.binEdges, x));
}
