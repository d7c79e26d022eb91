/**
 * One synth in a fresh process, for `npm run bench:synth`. Prints one JSON line:
 * { loadMs, buildMs, synthMs, maxRssMb, templates }.
 * argv: <config.json> <outdir> <packs: on|off>
 */
import { App } from 'aws-cdk-lib';
import { buildApp } from '../../lib/app';
import { builtinCfnValidation } from '../../lib/app';
import { loadConfig } from '../../lib/config/loader';
import { assemblyStacks } from '../../lib/reports/assembly';
import { featureFlags } from '../../test/support/app';

const [configPath, outdir, packs] = process.argv.slice(2);
if (!configPath || !outdir || (packs !== 'on' && packs !== 'off')) {
  console.error('usage: synth-once.ts <config.json> <outdir> <on|off>');
  process.exit(2);
}
// performance.now() counts from process start, so this is the time spent loading modules.
const t1 = performance.now();
const app = new App({
  outdir,
  context: { ...featureFlags(), config: configPath },
  builtinCloudFormationValidation: builtinCfnValidation(),
});
buildApp(app, loadConfig(app), { policyPacks: packs === 'on' });
const t2 = performance.now();
let failed = false;
try {
  app.synth();
} catch {
  failed = true;
}
const t3 = performance.now();
// Every stack, nested stage assemblies included (a pipeline's environments are stages).
const templates = assemblyStacks(outdir).length;
console.log(
  JSON.stringify({
    loadMs: Math.round(t1),
    buildMs: Math.round(t2 - t1),
    synthMs: Math.round(t3 - t2),
    maxRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
    templates,
    failed,
  }),
);
