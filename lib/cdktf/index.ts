/**
 * `<package>/cdktf`: the Terraform-side constructs, on CDK Terrain (`cdktn`, the maintained continuation of CDKTF),
 * over the Terraform module the package ships. Needs `cdktn` (an optional peer dependency); the other entry points
 * never load it.
 *
 * @packageDocumentation
 */
export * from './mlops-model-environment';
