/**
 * `mlops-secure-delivery/cdktf`: the Terraform-side constructs, on CDK Terrain (`cdktn`, the maintained continuation of CDKTF),
 * over the Terraform module the package ships. Needs `cdktn` (an optional peer dependency); the other entry points
 * never load it.
 *
 * @packageDocumentation
 * @module mlops-secure-delivery/cdktf
 */
export * from './mlops-model-environment';
