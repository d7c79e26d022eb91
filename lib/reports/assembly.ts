/**
 * The one way this project walks a cloud assembly. With a `pipeline` block the environments are CDK Stages, whose
 * stacks live in nested assemblies (`cdk.out/assembly-<stage>/`); `CloudAssembly.stacks` lists only the top level,
 * `stacksRecursively` descends. Every tool that reads `cdk.out` (the synth gate and its summary, the reports'
 * template locations, the synth benchmark, tests) goes through here, so none of them can miss a stage again.
 */
import { relative, sep } from 'node:path';
import { CloudAssembly, CloudFormationStackArtifact } from 'aws-cdk-lib/cx-api';

/** One synthesized stack, wherever it is nested. */
export interface AssemblyStack {
  /** The stack as the CDK CLI selects it, e.g. `staging/Platform` or `Pipeline`. */
  readonly displayName: string;
  /** The CloudFormation stack name, e.g. `mlops-staging-platform`. */
  readonly stackName: string;
  /** The environment group it belongs to: the first path segment of a nested stack, `''` for a top-level one. */
  readonly group: string;
  readonly account: string;
  readonly region: string;
  /** Template path relative to the root assembly directory, `/`-separated. */
  readonly templatePath: string;
  readonly artifact: CloudFormationStackArtifact;
}

/** Opens an assembly directory (or takes an already-open assembly). */
export function openAssembly(assembly: string | CloudAssembly): CloudAssembly {
  return typeof assembly === 'string' ? new CloudAssembly(assembly) : assembly;
}

/** Every stack of the assembly, nested stage assemblies included, in manifest order. */
export function assemblyStacks(assembly: string | CloudAssembly): AssemblyStack[] {
  const root = openAssembly(assembly);
  return root.stacksRecursively.map((artifact) => {
    const segments = artifact.hierarchicalId.split('/');
    return {
      displayName: artifact.hierarchicalId,
      stackName: artifact.stackName,
      group: segments.length > 1 ? segments[0]! : '',
      account: artifact.environment.account,
      region: artifact.environment.region,
      templatePath: relative(root.directory, artifact.templateFullPath).split(sep).join('/'),
      artifact,
    };
  });
}

/** Construct path (without a leading `/`) → where its resource is: from each stack's `aws:cdk:logicalId` metadata. */
export function logicalIdsByConstructPath(
  assembly: string | CloudAssembly,
): Map<string, { readonly stack: AssemblyStack; readonly logicalId: string }> {
  const out = new Map<string, { stack: AssemblyStack; logicalId: string }>();
  for (const stack of assemblyStacks(assembly)) {
    for (const entry of stack.artifact.findMetadataByType('aws:cdk:logicalId')) {
      if (typeof entry.data === 'string') out.set(entry.path.replace(/^\//, ''), { stack, logicalId: entry.data });
    }
  }
  return out;
}
