/**
 * `mlops-secure-delivery/nag`: the MLOPS cdk-nag pack (the rule catalogue of `./policy`, judged on the synthesized templates),
 * the registration of every pack the app runs, and the helpers that acknowledge one finding at a time with a reason.
 *
 * ```ts
 * Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new MlopsChecks({ allowedRegions: ['eu-west-1'] }));
 * ```
 *
 * @packageDocumentation
 * @module mlops-secure-delivery/nag
 */
export * from './mlops-checks';
export * from './packs';
export * from './pack-names';
export * from './acknowledgements';
