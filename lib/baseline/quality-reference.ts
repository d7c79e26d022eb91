/**
 * Reference values for model quality (`monitoring.quality.reference`) from a labelled validation set: the same
 * metrics the drift detector computes from ground truth at run time (core/quality/metrics.ts, scikit-learn's
 * definitions), on the model's predictions and the set's labels. Pure: records in, values out.
 */
import { ProblemType, QUALITY_DEFAULTS } from '../../core/contracts/quality';
import { RecordError } from '../../core/contracts/baseline-values';
import { binaryMetrics, confusion, regressionMetrics, rocAuc } from '../../core/quality/metrics';

export interface QualityReferenceOptions {
  readonly problemType: ProblemType;
  readonly labelColumn: string;
  readonly predictionColumn: string;
  /** Column of the positive-class score (binary only); without it there is no ROC AUC reference. */
  readonly scoreColumn?: string;
  readonly positiveLabel: string | number;
  readonly negativeLabel?: string | number;
}

/** What `monitoring.quality.reference` takes, and how many labelled records it stands on. */
export interface QualityReference {
  readonly labelled: number;
  readonly reference: Readonly<Record<string, number>>;
}

/** Fewest labelled records a reference is computed from (as `monitoring.quality.minLabelled` at its lowest). */
export const MIN_REFERENCE_RECORDS = 2;

/** Collects label, prediction and score per record, then computes the reference values. */
export class QualityReferenceBuilder {
  private readonly truth: number[] = [];
  private readonly predicted: number[] = [];
  private readonly scores: number[] = [];
  private readonly negativeLabel: string;
  private readonly positiveLabel: string;

  constructor(private readonly options: QualityReferenceOptions) {
    this.positiveLabel = String(options.positiveLabel);
    this.negativeLabel = String(options.negativeLabel ?? QUALITY_DEFAULTS.negativeLabel);
    if (this.positiveLabel === this.negativeLabel)
      throw new Error(`the positive and negative labels are both "${this.positiveLabel}"; they must differ`);
  }

  get count(): number {
    return this.truth.length;
  }

  /** Checks one record's label, prediction and score; throws RecordError (the record is skipped) when unusable. */
  add(record: Readonly<Record<string, unknown>>): void {
    const { labelColumn, predictionColumn, scoreColumn, problemType } = this.options;
    if (problemType === 'regression') {
      const y = this.number(record, labelColumn);
      const p = this.number(record, predictionColumn);
      this.truth.push(y);
      this.predicted.push(p);
      return;
    }
    const y = this.binary(record, labelColumn);
    const p = this.binary(record, predictionColumn);
    const s = scoreColumn === undefined ? undefined : this.number(record, scoreColumn);
    this.truth.push(y);
    this.predicted.push(p);
    if (s !== undefined) this.scores.push(s);
  }

  build(): QualityReference {
    if (this.count < MIN_REFERENCE_RECORDS)
      throw new RecordError(
        `only ${this.count} labelled record(s): a quality reference needs at least ${MIN_REFERENCE_RECORDS}`,
      );
    if (this.options.problemType === 'regression') {
      return { labelled: this.count, reference: { ...regressionMetrics(this.truth, this.predicted) } };
    }
    const reference: Record<string, number> = { ...binaryMetrics(confusion(this.truth, this.predicted)) };
    if (this.options.scoreColumn !== undefined) {
      const auc = rocAuc(this.truth, this.scores);
      if (auc !== null) reference.rocAuc = auc;
    }
    return { labelled: this.count, reference };
  }

  private binary(record: Readonly<Record<string, unknown>>, column: string): number {
    const raw = record[column];
    const value = raw === undefined || raw === null ? '' : String(raw).trim();
    if (value === this.positiveLabel) return 1;
    if (value === this.negativeLabel) return 0;
    throw new RecordError(
      `${column} is "${value}", neither the positive label "${this.positiveLabel}" nor the negative "${this.negativeLabel}"`,
    );
  }

  private number(record: Readonly<Record<string, unknown>>, column: string): number {
    const raw = record[column];
    const value = typeof raw === 'number' ? raw : typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : NaN;
    if (!Number.isFinite(value)) throw new RecordError(`${column} is "${String(raw ?? '')}", not a number`);
    return value;
  }
}
