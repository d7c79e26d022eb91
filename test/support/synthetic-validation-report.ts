import { POLICY_PACKS } from '../../lib/nag/pack-names';
/** A large synthetic validation report: `models` model stacks in two environments, open and acknowledged findings. */
export function syntheticValidationReport(models: number, openPerStack = 3) {
  const envs = ['staging', 'production'];
  const stacks = envs.flatMap((e) => Array.from({ length: models }, (_, i) => `${e}/Model-model-${i}`));
  const construct = (stack: string, n: number) => ({
    constructPath: `${stack}/Endpoint/Part${n}/Resource`,
    stackTraces: [`new ModelEndpoint (/repo/lib/constructs/model-endpoint.ts:${100 + n}:7)`],
  });
  // MLOPS findings are looked up in the rule catalogue; synthetic rule names would not be found there.
  const packs = POLICY_PACKS.filter((p) => p !== 'MLOPS');
  return {
    version: '55.0.0',
    pluginReports: packs.map((pack) => ({
      pluginName: pack,
      conclusion: 'failure',
      violations: Array.from({ length: openPerStack }, (_, n) => ({
        ruleName: `${pack}-Open${n}`,
        description: `Open finding ${n} of ${pack}: `.padEnd(240, 'x'),
        severity: 'error',
        violatingConstructs: stacks.map((s) => construct(s, n)),
      })),
      suppressedViolations: Array.from({ length: 8 }, (_, n) => ({
        ruleName: `${pack}-Ack${n}`,
        description: `Acknowledged finding ${n}`,
        severity: 'error',
        violatingConstructs: stacks.map((s) => construct(s, n)),
        acknowledgedId: `${pack}::${pack}-Ack${n}`,
        reason: `Accepted for reason ${n}: `.padEnd(200, 'y'),
        acknowledgedAt: `${stacks[0]}/Endpoint`,
        acknowledgedStackTrace: `at acknowledge (/repo/lib/nag/acknowledgements.ts:38:25)\n    at ack (/repo/lib/constructs/model-endpoint.ts:${400 + n}:5)`,
      })),
    })),
  };
}
