/**
 * The drift baseline document's identity: written by `npm run baseline`, checked by the config loader at synth and
 * parsed by the drift detector at run time. One definition, imported by lib/ and lambda/ (pure).
 */
export const BASELINE_KIND = 'mlops.drift-baseline';
