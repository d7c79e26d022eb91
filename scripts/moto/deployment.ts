/** What a deploy to moto returns: the stacks, their templates, what moto created and skipped; and its errors. */
import { Stack } from 'aws-cdk-lib';
import { MlopsConfig } from '../../lib/config/schema';
import { Template } from './template-variant';

/** moto_server's single account id. */
export const MOTO_ACCOUNT = '123456789012';

export interface DeployedResource {
  readonly logicalId: string;
  readonly type: string;
  readonly physicalId: string;
}

export interface MotoDeployment {
  readonly config: MlopsConfig;
  readonly environment: string;
  readonly region: string;
  readonly workdir: string;
  readonly platformStack: Stack;
  readonly modelStacks: readonly Stack[];
  /** Stack name -> template as synthesized (before the moto variant). */
  readonly templates: ReadonlyMap<string, Template>;
  /** Stack name -> resources moto reports as created. */
  readonly deployed: ReadonlyMap<string, readonly DeployedResource[]>;
  /** Stack name -> resource types present in the template that moto skipped (all in MOTO_UNSUPPORTED_TYPES). */
  readonly skippedTypes: ReadonlyMap<string, readonly string[]>;
  readonly variantNotes: readonly string[];
  readonly timings: Readonly<Record<string, number>>;
}

/** A deploy that failed, or that reported success without creating what it should: never a false success. */
export class MotoDeployError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MotoDeployError';
  }
}

/** The physical id of the one resource of `type` (and logical id prefix) moto created in `stack`. */
export function physicalId(
  deployment: Pick<MotoDeployment, 'deployed'>,
  stack: Stack,
  type: string,
  logicalIdPrefix = '',
): string {
  const hits = (deployment.deployed.get(stack.stackName) ?? []).filter(
    (r) => r.type === type && r.logicalId.startsWith(logicalIdPrefix),
  );
  if (hits.length !== 1)
    throw new Error(
      `expected one ${type} (${logicalIdPrefix || 'any id'}) in ${stack.stackName}, found ${hits.length}`,
    );
  const id = hits[0]!.physicalId;
  // moto reports SageMaker resources by ARN; the describe calls take the name.
  return type.startsWith('AWS::SageMaker::') && id.startsWith('arn:') ? id.slice(id.lastIndexOf('/') + 1) : id;
}
