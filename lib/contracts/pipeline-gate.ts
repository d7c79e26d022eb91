/**
 * The compliance gate's contract between the pipeline (lib/stacks, synth time) and the compliance checker
 * (lambda/compliance-checker, run time): the names the pipeline reaches the checker by in each target account, and
 * the UserParameters document of a gate action. Pure: no aws-cdk-lib.
 */
import * as z from 'zod';

const DIGEST = /^sha256:[a-f0-9]{64}$/;
const SEVERITY_FLOORS = ['LOW', 'MEDIUM', 'HIGH', 'CRITICAL'] as const;
const names = (what: string) => {
  const error = `must be an array of non-empty strings (${what})`;
  return z.array(z.string({ error }).min(1, { error }), { error }).readonly();
};

/**
 * An image the gate judges: a repository of the environment's registry and the pinned tag or digest it ships. An
 * empty tag or a digest that is not `sha256:<64 hex>` counts as absent.
 */
export const GateImageSchema = z
  .object({
    repository: z.string({ error: 'must be a repository name' }).min(1, { error: 'must be a repository name' }),
    tag: z.string().min(1).optional().catch(undefined),
    digest: z.string().regex(DIGEST).optional().catch(undefined),
  })
  .transform(({ repository, tag, digest }) => ({
    repository,
    ...(tag !== undefined ? { tag } : {}),
    ...(digest !== undefined ? { digest } : {}),
  }))
  .refine((i) => i.tag !== undefined || i.digest !== undefined, { error: 'needs a tag or a sha256 digest' });

export type GateImage = z.output<typeof GateImageSchema>;

/**
 * UserParameters of a CodePipeline Lambda invoke action of the gate (read by the checker with this schema).
 * `failOn: 'LOW'` (the default) fails the gate on any NON_COMPLIANT finding; the image rules apply the policy's own
 * `maxFindingSeverity` and `imageScanMaxAgeDays`. It must name at least one thing to gate.
 */
export const GateParametersSchema = z
  .strictObject({
    endpointNames: names('endpoint names').optional(),
    endpointConfigNames: names('endpoint config names').optional(),
    modelNames: names('model names').optional(),
    repositories: names('repository names').optional(),
    images: z.array(GateImageSchema, { error: 'must be an array of images' }).readonly().optional(),
    failOn: z.enum(SEVERITY_FLOORS, { error: `must be one of ${SEVERITY_FLOORS.join(', ')}` }).default('LOW'),
  })
  .refine(
    (p) =>
      [p.endpointNames, p.endpointConfigNames, p.modelNames, p.repositories, p.images].some(
        (list) => (list?.length ?? 0) > 0,
      ),
    {
      error:
        'names nothing to gate: give endpointNames, endpointConfigNames, modelNames, repositories or images ' +
        '(e.g. {"endpointNames":["fraud-xgb"],"images":[{"repository":"fraud-xgb","tag":"1.0.0"}]})',
    },
  );

export type GateParameters = z.output<typeof GateParametersSchema>;

/** Physical names both sides agree on, so a pipeline in the tooling account can reach them by ARN. */
export const gateNames = {
  /** The pipeline's service role in the tooling account: the only principal the gate roles trust. */
  pipelineRole: (projectName: string) => `${projectName}-pipeline`,
  /** The role in each target account the gate actions run as. */
  gateRole: (projectName: string, environment: string) => `${projectName}-${environment}-pipeline-gate`,
  /** The compliance checker function of an environment. */
  checkerFunction: (projectName: string, environment: string) => `${projectName}-${environment}-compliance-checker`,
} as const;

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
