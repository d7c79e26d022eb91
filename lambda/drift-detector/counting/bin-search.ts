/**
 * Finds where a value falls among sorted edges (the PSI bins, the KS grid) in the accumulator's hot loop: a binary
 * search kept monomorphic over Float64Array, and for the KS grid a hint that narrows the search to the value's slice
 * of the grid's range first.
 */

/** A KS grid as typed arrays with the slices searchGrid narrows by; sized by the grid, never by the records. */
export interface GridHint {
  /** dist.ks.grid as a typed array (same values). */
  readonly grid: Float64Array;
  /** Where each of GRID_BUCKETS equal slices of [grid[0], grid[last]] starts in the grid (a hint, see searchGrid). */
  readonly gridBuckets: Int32Array;
  readonly gridLo: number;
  readonly gridScale: number;
}

/**
 * binIndex (core/contracts/baseline-values.ts) kept monomorphic over a Float64Array for the hot loop: the number of
 * edges strictly below x. A second copy on purpose: the generic ArrayLike version is slower in this loop.
 */
export function searchBins(edges: Float64Array, x: number): number {
  let lo = 0;
  let hi = edges.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((edges[mid] as number) < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Equal slices of a KS grid's range indexed by searchGrid: a fixed GRID_BUCKETS + 1 integers per numeric feature. */
const GRID_BUCKETS = 256;

/** The GridHint of a KS grid (its values as given). */
export function gridHint(grid: Float64Array): GridHint {
  const n = grid.length;
  const lo = n > 0 ? (grid[0] as number) : 0;
  const span = n > 0 ? (grid[n - 1] as number) - lo : 0;
  const scale = span > 0 && Number.isFinite(span) ? GRID_BUCKETS / span : 0;
  const gridBuckets = new Int32Array(GRID_BUCKETS + 1);
  for (let b = 0; b <= GRID_BUCKETS; b++)
    gridBuckets[b] = scale > 0 && b < GRID_BUCKETS ? searchBins(grid, lo + (b * span) / GRID_BUCKETS) : n;
  gridBuckets[0] = 0;
  return { grid, gridBuckets, gridLo: lo, gridScale: scale };
}

/**
 * searchBins(c.grid, x), narrowed first to x's slice of the grid's range. The slice's start and end are only a hint:
 * the narrow search is used only once checked to hold the answer (every grid point before the start is below x,
 * the point at the end is not), and the full search otherwise, so the result is always searchBins(c.grid, x).
 */
export function searchGrid(c: GridHint, x: number): number {
  const grid = c.grid;
  const n = grid.length;
  const t = (x - c.gridLo) * c.gridScale;
  if (t >= 0 && t < GRID_BUCKETS) {
    const b = Math.floor(t);
    let lo = c.gridBuckets[b] as number;
    let hi = c.gridBuckets[b + 1] as number;
    if (lo <= hi && (lo === 0 || (grid[lo - 1] as number) < x) && (hi === n || (grid[hi] as number) >= x)) {
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if ((grid[mid] as number) < x) lo = mid + 1;
        else hi = mid;
      }
      return lo;
    }
  }
  return searchBins(grid, x);
}
