/**
 * scikit-learn as the reference for the quality metrics: one Python child per call computes, on exactly the inputs the
 * TypeScript code saw, what scikit-learn says. Needs Debian's python3-sklearn (`apt-get install -y python3-sklearn`,
 * used with /usr/bin/python3, or MLOPS_PYTHON); a missing one FAILS the test with that command, never skips it.
 */
import { spawnSync } from 'node:child_process';

export const SKLEARN_INSTALL_HINT =
  'scikit-learn was not found: install it with `apt-get update && apt-get install -y python3-sklearn` ' +
  '(used with /usr/bin/python3; or point MLOPS_PYTHON at a python3 that has scikit-learn). .ci/run installs it.';

export function pythonPath(env: NodeJS.ProcessEnv = process.env): string {
  return env.MLOPS_PYTHON ?? '/usr/bin/python3';
}

/** Throws SKLEARN_INSTALL_HINT unless `python` imports sklearn. */
export function requireSklearn(python = pythonPath()): void {
  const r = spawnSync(python, ['-c', 'import sklearn'], { stdio: 'ignore' });
  if (r.status !== 0) throw new Error(`${SKLEARN_INSTALL_HINT} (tried ${python})`);
}

/**
 * The reference values of one case: binary (labels/predictions 0 or 1, optional scores, optional groups) or
 * regression (numeric labels and predictions). FPR comes from confusion_matrix; group rates per group; the fairness
 * differences are max - min over the groups passed.
 */
const SCRIPT = String.raw`
import json, sys, warnings
import numpy as np
from sklearn import metrics as m
warnings.simplefilter('ignore')
out = []
for case in json.load(sys.stdin):
    y = np.array(case['truth']); p = np.array(case['predicted'])
    if case['kind'] == 'regression':
        out.append({'mae': float(m.mean_absolute_error(y, p)),
                    'rmse': float(m.mean_squared_error(y, p, squared=False)),
                    'r2': float(m.r2_score(y, p))})
        continue
    def rates(y, p):
        tn, fp, fn, tp = m.confusion_matrix(y, p, labels=[0, 1]).ravel()
        return {'accuracy': float(m.accuracy_score(y, p)),
                'precision': float(m.precision_score(y, p, zero_division='warn')),
                'recall': float(m.recall_score(y, p, zero_division='warn')),
                'f1': float(m.f1_score(y, p, zero_division='warn')),
                'falsePositiveRate': float(fp / (fp + tn)) if fp + tn else 0.0}
    r = rates(y, p)
    if case.get('scores') is not None:
        w = np.array(case['weights']) if case.get('weights') is not None else None
        r['rocAuc'] = float(m.roc_auc_score(y, np.array(case['scores']), sample_weight=w)) if len(set(y.tolist())) == 2 else None
    if case.get('groups') is not None:
        g = np.array(case['groups']); groups = {}
        for v in sorted(set(g.tolist())):
            sel = g == v
            gr = rates(y[sel], p[sel])
            groups[v] = {'count': int(sel.sum()), 'truePositiveRate': gr['recall'],
                         'falsePositiveRate': gr['falsePositiveRate'], 'precision': gr['precision'],
                         'accuracy': gr['accuracy']}
        r['groups'] = groups
    out.append(r)
json.dump(out, sys.stdout)
`;

export interface BinaryCase {
  readonly kind: 'binary';
  readonly truth: readonly number[];
  readonly predicted: readonly number[];
  readonly scores?: readonly number[];
  readonly groups?: readonly string[];
  /** Sample weights (ROC AUC only). */
  readonly weights?: readonly number[];
}
export interface RegressionCase {
  readonly kind: 'regression';
  readonly truth: readonly number[];
  readonly predicted: readonly number[];
}

/** scikit-learn's values for each case, in order (JSON: a plain object per case). */
export function sklearnReference(cases: readonly (BinaryCase | RegressionCase)[]): Record<string, any>[] {
  const python = pythonPath();
  requireSklearn(python);
  const r = spawnSync(python, ['-c', SCRIPT], {
    input: JSON.stringify(cases),
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
  if (r.status !== 0) throw new Error(`scikit-learn reference failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as Record<string, any>[];
}
