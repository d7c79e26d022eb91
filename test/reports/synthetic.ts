/** A large synthetic validation report: `models` model stacks in two environments, open and acknowledged findings. */
export function syntheticValidationReport(models: number, openPerStack = 3) {
  const envs = ['staging', 'production'];
  const stacks = envs.flatMap((e) => Array.from({ length: models }, (_, i) => `${e}/Model-model-${i}`));
  const construct = (stack: string, n: number) => ({
    constructPath: `${stack}/Endpoint/Part${n}/Resource`,
    stackTraces: [`new ModelEndpoint (/repo/lib/constructs/model-endpoint.ts:${100 + n}:7)`],
  });
  const packs = ['AwsSolutions', 'HIPAA.Security', 'NIST.800.53.R5', 'PCI.DSS.321', 'Serverless'];
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
