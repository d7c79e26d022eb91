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
    /**
     * Named resources that do not exist are reported but do not fail the gate. Only for the endpoint gate that runs
     * after an approval and before the deployment: on a first deployment there is no endpoint yet to re-judge.
     */
    allowMissing: z.boolean({ error: 'must be true or false' }).optional(),
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

/**
 * The image gate's parameters: exactly the images an environment will run. An image with a digest is judged by its
 * digest (what the model runs), never by its tag.
 */
export function imageGateParameters(
  images: readonly { repository: string; tag: string; digest?: string | undefined }[],
): GateParameters {
  const pinned = images.map((i) => {
    const digest = i.digest ?? (DIGEST.test(i.tag) ? i.tag : undefined);
    return digest !== undefined ? { repository: i.repository, digest } : { repository: i.repository, tag: i.tag };
  });
  const key = (i: GateImage) => `${i.repository}@${i.digest ?? i.tag}`;
  const seen = new Set<string>();
  return { images: pinned.filter((i) => !seen.has(key(i)) && seen.add(key(i))), failOn: 'LOW' };
}

/**
 * The endpoint gate's parameters: the environment's endpoints, judged after its deployment (or, with `allowMissing`,
 * re-judged after an approval and before the deployment, when a first deployment has none yet).
 */
export function endpointGateParameters(
  endpointNames: readonly string[],
  opts: { allowMissing?: boolean } = {},
): GateParameters {
  return { endpointNames: [...endpointNames], failOn: 'LOW', ...(opts.allowMissing ? { allowMissing: true } : {}) };
}

/**
 * The counts a gate's answer carries, in a fixed form at the start of its summary or failure message, so the
 * release record can keep them without parsing prose: `[gate findings=12 resources=3 failing=0 rules=]`.
 */
export interface GateCounts {
  /** Findings of every rule on the judged resources. */
  readonly findings: number;
  /** Resources judged. */
  readonly resources: number;
  /** NON_COMPLIANT findings at or above failOn. */
  readonly failing: number;
  /** Rules with failing findings, sorted. */
  readonly failingRules: readonly string[];
  /** Named resources that could not be read, and that do not exist. */
  readonly unreadable?: number;
  readonly missing?: number;
}

export function renderGateCounts(c: GateCounts): string {
  return `[gate findings=${c.findings} resources=${c.resources} failing=${c.failing} rules=${c.failingRules.join(',')} unreadable=${c.unreadable ?? 0} missing=${c.missing ?? 0}]`;
}

const COUNTS = /^\[gate findings=(\d+) resources=(\d+) failing=(\d+) rules=([^\s\]]*) unreadable=(\d+) missing=(\d+)\]/;

/** The counts at the start of a gate's answer; undefined for a message without them (an errored gate). */
export function parseGateCounts(message: string): GateCounts | undefined {
  const m = COUNTS.exec(message);
  if (!m) return undefined;
  return {
    findings: Number(m[1]),
    resources: Number(m[2]),
    failing: Number(m[3]),
    failingRules: m[4] === '' ? [] : m[4]!.split(','),
    unreadable: Number(m[5]),
    missing: Number(m[6]),
  };
}
