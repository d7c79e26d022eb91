/**
 * The package's main entry point (`import { ModelEndpoint } from 'mlops-secure-delivery'`): the constructs, the
 * stacks and the app builder this repository's own app (bin/mlops.ts) is made of.
 *
 * The constructs take everything as props and never read context or files; only `loadConfig` reads the config
 * document, and only when called. The policy packs are in `./nag`, the pure rule catalogue in `./policy`, the
 * Terraform-side constructs (CDK Terrain) in `./cdktf`.
 *
 * @packageDocumentation
 * @module mlops-secure-delivery
 */

// Constructs: usable alone, in any stack.
export * from './constructs/model-endpoint';
export * from './constructs/drift-monitor';
export * from './constructs/compliance-checker';
export * from './constructs/model-repository';
export * from './constructs/secure-bucket';
export * from './constructs/dead-letter-queue';
export { ConstructValidationError } from './constructs/validation-error';

// The drift monitor's baseline document, built from training records (what `npm run baseline` does with files).
export * from './baseline/builder';
export type { BaselineDocument } from '../core/contracts/baseline';
export type { FeatureSpec } from '../core/contracts/drift-detector';

// Stacks: one environment (platform + one stack per model), the delivery pipeline, GitHub OIDC.
export * from './stacks/platform-stack';
export * from './stacks/model-endpoint-stack';
export * from './stacks/mlops-environment';
export * from './stacks/pipeline-stack';
export * from './stacks/github-oidc-stack';

// The app: config schema and loader, the builder, the synth gate.
export * from './config/schema';
export * from './config/loader';
export * from './app';
export * from './reports/gate';
