/**
 * What an EventBridge event pattern matches among S3 events, read the same way by every adapter: whether it can
 * match S3 events at all, and which buckets it names (the raw values, which each adapter resolves to its buckets).
 *
 * Pure: no SDK, no aws-cdk-lib.
 */
type Obj = Readonly<Record<string, unknown>>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

export interface S3PatternMatch {
  /** As `EventRuleFacts.matchesS3`: false without a pattern (a schedule), undefined when the pattern is not shown. */
  readonly matchesS3: boolean | undefined;
  /**
   * The buckets the pattern filters on: the values of `detail.bucket.name` raw as the source gives them (an adapter
   * may resolve a reference among them), else the names in the S3 ARNs of `resources` (undefined for an entry that
   * is not a literal S3 ARN); `any` when the pattern does not filter on bucket or is not shown.
   */
  readonly buckets: 'any' | readonly unknown[];
}

/**
 * `pattern` is the property as the source gives it: a JSON string, an object, undefined when absent;
 * `shownInSource` is false when the source does not show it (a value known only after apply).
 */
export function s3PatternMatch(pattern: unknown, shownInSource = true): S3PatternMatch {
  if (pattern === undefined && shownInSource) return { matchesS3: false, buckets: 'any' };
  let doc: Obj | undefined;
  if (typeof pattern === 'string') {
    try {
      const parsed: unknown = JSON.parse(pattern);
      doc = isObj(parsed) ? parsed : undefined;
    } catch {
      doc = undefined;
    }
  } else doc = isObj(pattern) ? pattern : undefined;
  if (!shownInSource || doc === undefined) return { matchesS3: undefined, buckets: 'any' };
  const sources = doc.source;
  const matchesS3 =
    sources === undefined
      ? true
      : !Array.isArray(sources)
        ? undefined
        : sources.some((x) => typeof x !== 'string' || x === 'aws.s3');
  const detail = doc.detail;
  const bucket = isObj(detail) ? detail.bucket : undefined;
  const names = isObj(bucket) ? bucket.name : undefined;
  const arns = doc.resources;
  const list = (v: unknown): readonly unknown[] => (Array.isArray(v) ? v : [v]);
  if (names !== undefined) return { matchesS3, buckets: list(names) };
  if (arns !== undefined)
    return {
      matchesS3,
      buckets: list(arns).map((a) =>
        typeof a === 'string' && a.startsWith('arn:') ? a.replace(/^arn:[^:]+:s3:::/, '') : undefined,
      ),
    };
  return { matchesS3, buckets: 'any' };
}
