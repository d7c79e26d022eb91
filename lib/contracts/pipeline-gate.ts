/**
 * The compliance gate's contract between the pipeline (lib/stacks, synth time) and the compliance checker
 * (lambda/compliance-checker, run time): the names the pipeline reaches the checker by in each target account, and
 * the UserParameters document of a gate action. Pure: no aws-cdk-lib.
 */

/** An image the gate judges: a repository of the environment's registry and the pinned tag or digest it ships. */
export interface GateImage {
  readonly repository: string;
  readonly tag?: string;
  readonly digest?: string;
}

/**
 * UserParameters of a CodePipeline Lambda invoke action of the gate (parsed by the checker's
 * `parsePipelineParameters`). `failOn: 'LOW'` fails the gate on any NON_COMPLIANT finding; the image rules apply the
 * policy's own `maxFindingSeverity` and `imageScanMaxAgeDays`.
 */
export interface GateParameters {
  readonly endpointNames?: readonly string[];
  readonly images?: readonly GateImage[];
  readonly failOn: 'LOW' | 'MEDIUM' | 'HIGH' | 'CRITICAL';
}

/** Physical names both sides agree on, so a pipeline in the tooling account can reach them by ARN. */
export const gateNames = {
  /** The pipeline's service role in the tooling account: the only principal the gate roles trust. */
  pipelineRole: (projectName: string) => `${projectName}-pipeline`,
  /** The role in each target account the gate actions run as. */
  gateRole: (projectName: string, environment: string) => `${projectName}-${environment}-pipeline-gate`,
  /** The compliance checker function of an environment. */
  checkerFunction: (projectName: string, environment: string) => `${projectName}-${environment}-compliance-checker`,
} as const;

const DIGEST = /^sha256:[a-f0-9]{64}$/;

/** The image gate's parameters: exactly the images an environment will run. */
export function imageGateParameters(images: readonly { repository: string; tag: string }[]): GateParameters {
  const seen = new Set<string>();
  const unique = images.filter((i) => !seen.has(`${i.repository}:${i.tag}`) && seen.add(`${i.repository}:${i.tag}`));
  return {
    images: unique.map((i) => (DIGEST.test(i.tag) ? { repository: i.repository, digest: i.tag } : { ...i })),
    failOn: 'LOW',
  };
}

/** The endpoint gate's parameters: the environment's endpoints, judged after its deployment. */
export function endpointGateParameters(endpointNames: readonly string[]): GateParameters {
  return { endpointNames: [...endpointNames], failOn: 'LOW' };
}
