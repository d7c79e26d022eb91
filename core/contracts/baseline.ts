/**
 * The drift baseline document: what the training data looked like, in the form the detector compares against.
 * Written by `npm run baseline` (lib/baseline/builder.ts), checked by the config loader at synth
 * (lib/config/baseline-file.ts) and parsed by the drift detector at run time, all with the one schema here. Pure:
 * zod only. How the summaries are built, and why the KS grid is exact or how far it can read low, is in the builder.
 */
import * as z from 'zod';
import { issueRule, pathString } from './problems';

/** The kind every baseline document carries. */
export const BASELINE_KIND = 'mlops.drift-baseline';
/** Document format version; bump on any incompatible change, the detector refuses other versions. */
export const BASELINE_SCHEMA_VERSION = 1;
/** The category unseen and dropped categories fall into. */
export const OTHER = '__other__';
/** The category of a null or empty value. */
export const MISSING = '__missing__';

export interface NumericDistribution {
  readonly type: 'numeric';
  /** Records with a usable value. */
  readonly count: number;
  /** Records where the value was empty or null (excluded from the distribution). */
  readonly missing: number;
  readonly min: number;
  readonly max: number;
  readonly mean: number;
  /** Population standard deviation. */
  readonly std: number;
  /** Interior bin edges, ascending; bin i is (binEdges[i-1], binEdges[i]] with -/+Infinity outside. */
  readonly binEdges: readonly number[];
  /** Training proportion per bin; binEdges.length + 1 entries summing to 1. */
  readonly binProportions: readonly number[];
  readonly ks: {
    /** True when the grid holds every distinct training value: the detector's KS is then exact. */
    readonly exact: boolean;
    readonly grid: readonly number[];
    /** F(g) = share of training values <= g. */
    readonly cdf: readonly number[];
    /** F(g-) = share of training values < g. */
    readonly left: readonly number[];
    /** Largest training share strictly between two grid points: the bound on the KS approximation (0 if exact). */
    readonly maxCellMass: number;
  };
}

export interface CategoricalDistribution {
  readonly type: 'categorical';
  readonly count: number;
  readonly missing: number;
  /** Kept categories by decreasing frequency, then `__other__` last. */
  readonly categories: readonly string[];
  /** Training proportion per entry of `categories` (the `__other__` share may be 0). */
  readonly proportions: readonly number[];
}

export type Distribution = NumericDistribution | CategoricalDistribution;

export interface FeatureBaseline {
  readonly name: string;
  readonly distribution: Distribution;
}

export interface GroupBaseline {
  readonly group: string;
  readonly count: number;
  readonly positives: number;
  readonly positiveRate: number;
}

export interface BaselineDocument {
  readonly kind: typeof BASELINE_KIND;
  readonly schemaVersion: number;
  readonly createdAt: string;
  readonly source: { readonly file: string; readonly sha256: string; readonly format: 'csv' | 'jsonl' };
  readonly recordCount: number;
  /** Records skipped because a value could not be read (see the CLI's stderr for the first few). */
  readonly skippedRecords: number;
  readonly options: { readonly psiBins: number; readonly ksGridPoints: number; readonly maxCategories: number };
  /** In payload order: a CSV capture row lists the features in this order. */
  readonly features: readonly FeatureBaseline[];
  readonly prediction?: { readonly column: string; readonly distribution: Distribution };
  readonly fairness?: {
    readonly sensitiveAttribute: string;
    /** The positive label, normalised as predictions are (see predictionKey). */
    readonly positiveLabel: string;
    readonly groups: readonly GroupBaseline[];
    readonly demographicParityDifference?: number;
    readonly disparateImpactRatio?: number;
  };
}

const numbers = z.array(z.number());

const NumericDistributionSchema = z
  .object({
    type: z.literal('numeric'),
    count: z.number(),
    missing: z.number(),
    min: z.number(),
    max: z.number(),
    mean: z.number(),
    std: z.number(),
    binEdges: numbers,
    binProportions: numbers,
    ks: z.object({ exact: z.boolean(), grid: numbers, cdf: numbers, left: numbers, maxCellMass: z.number() }),
  })
  .superRefine((d, ctx) => {
    if (d.binProportions.length !== d.binEdges.length + 1)
      ctx.addIssue({
        code: 'custom',
        path: ['binProportions'],
        message: `must have binEdges.length + 1 = ${d.binEdges.length + 1} entries, got ${d.binProportions.length}`,
      });
    if (d.ks.cdf.length !== d.ks.grid.length || d.ks.left.length !== d.ks.grid.length)
      ctx.addIssue({
        code: 'custom',
        path: ['ks'],
        message: `grid, cdf and left must have equal lengths, got ${d.ks.grid.length}, ${d.ks.cdf.length} and ${d.ks.left.length}`,
      });
  });

const CategoricalDistributionSchema = z
  .object({
    type: z.literal('categorical'),
    count: z.number(),
    missing: z.number(),
    categories: z.array(z.string()),
    proportions: numbers,
  })
  .superRefine((d, ctx) => {
    if (d.categories.length !== d.proportions.length || d.categories[d.categories.length - 1] !== OTHER)
      ctx.addIssue({
        code: 'custom',
        path: ['categories'],
        message: `and proportions must have equal lengths, ending with ${OTHER}, got ${d.categories.length} categories ending with ${JSON.stringify(d.categories[d.categories.length - 1])} and ${d.proportions.length} proportions`,
      });
  });

const DistributionSchema = z.discriminatedUnion('type', [NumericDistributionSchema, CategoricalDistributionSchema], {
  error: (i) =>
    `must be numeric or categorical, got ${JSON.stringify((i.input as { type?: unknown } | undefined)?.type)}`,
});

const FeatureBaselineSchema = z.object({ name: z.string(), distribution: DistributionSchema });

/** The baseline document, as the detector reads it; each message says what is allowed. */
export const BaselineDocumentSchema = z.object({
  kind: z.literal(BASELINE_KIND, { error: (i) => `is ${JSON.stringify(i.input)}, expected "${BASELINE_KIND}"` }),
  schemaVersion: z.literal(BASELINE_SCHEMA_VERSION, {
    error: (i) => `is ${JSON.stringify(i.input)}, this detector reads ${BASELINE_SCHEMA_VERSION}`,
  }),
  createdAt: z.string(),
  source: z.object({ file: z.string(), sha256: z.string(), format: z.enum(['csv', 'jsonl']) }),
  recordCount: z.number(),
  skippedRecords: z.number(),
  options: z.object({ psiBins: z.number(), ksGridPoints: z.number(), maxCategories: z.number() }),
  features: z.array(FeatureBaselineSchema).min(1, { error: 'is empty: the baseline lists no features' }),
  prediction: z.object({ column: z.string(), distribution: DistributionSchema }).optional(),
  fairness: z
    .object({
      sensitiveAttribute: z.string(),
      positiveLabel: z.string(),
      groups: z.array(
        z.object({ group: z.string(), count: z.number(), positives: z.number(), positiveRate: z.number() }),
      ),
      demographicParityDifference: z.number().optional(),
      disparateImpactRatio: z.number().optional(),
    })
    .optional(),
});

/** A path as the document's reader knows it: `feature "amount" distribution.binProportions`. */
function describePath(doc: unknown, path: readonly PropertyKey[]): string {
  if (path.length === 0) return 'the document';
  const [head, index, ...rest] = path;
  if (head === 'features' && typeof index === 'number') {
    const name = (doc as { features?: { name?: unknown }[] }).features?.[index]?.name;
    const feature = `feature ${typeof name === 'string' ? JSON.stringify(name) : `[${index}]`}`;
    return rest.length === 0 ? feature : `${feature} ${pathString(rest)}`;
  }
  return pathString(path);
}

/** What is wrong with a parsed JSON document as a baseline, one line per problem; empty when it is one. */
export function baselineProblems(doc: unknown): string[] {
  const parsed = BaselineDocumentSchema.safeParse(doc);
  if (parsed.success) return [];
  return parsed.error.issues.map((i) => `${describePath(doc, i.path)} ${issueRule(i, doc)}`);
}

/** Parses a JSON document as a baseline this code understands; the message names every problem and the fix. */
export function validateBaseline(doc: unknown, where: string): BaselineDocument {
  const problems = baselineProblems(doc);
  // The document itself, not zod's copy: unknown keys a newer builder adds stay visible to the report's provenance.
  if (problems.length === 0) return doc as BaselineDocument;
  throw new RangeError(`baseline ${where}: ${problems.join('; ')}; regenerate it with \`npm run baseline\``);
}
