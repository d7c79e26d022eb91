/**
 * Reading a config document that may be invalid: the shape helpers and `validFields` (the fields that pass their own
 * schema), which the cross-field checks and the baseline checks use so one field's error never hides another's.
 */
import { z } from 'zod';

export type Obj = Record<string, unknown>;
export const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
export const asArray = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/** How a check reports a problem: the JSON path, the value received and the fix. */
export type AddProblem = (path: string, received: unknown, message: string) => void;

/**
 * The fields of `raw` that pass their own schema (defaults filled in): the cross-field rules run on these, so they
 * are reported in the same run as the schema errors of other fields, never hidden behind them.
 */
export function validFields<S extends z.ZodObject>(schema: S, raw: unknown): Partial<z.output<S>> {
  const obj = isObj(raw) ? raw : {};
  const out: Obj = {};
  for (const [k, field] of Object.entries(schema.shape)) {
    const r = (field as z.ZodType).safeParse(obj[k]);
    if (r.success && r.data !== undefined) out[k] = r.data;
  }
  return out as Partial<z.output<S>>;
}
