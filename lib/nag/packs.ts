import { IConstruct } from 'constructs';
import { Validations } from 'aws-cdk-lib';
import {
  AwsSolutionsChecks,
  HIPAASecurityChecks,
  NagPack,
  NIST80053R5Checks,
  PCIDSS321Checks,
  ServerlessChecks,
} from 'cdk-nag';
import { CompliancePolicy } from '../../core/policy/context';
import { MlopsChecks } from './mlops-checks';
import { PackName, POLICY_PACKS } from './pack-names';

export interface PolicyPackOptions {
  /** The organisation's policy, for the MLOPS pack. */
  readonly policy: CompliancePolicy;
  /**
   * Longer explanations in findings.
   * @default true
   */
  readonly verbose?: boolean;
}

/** How each pack is made; a Record, so a name added to POLICY_PACKS without a pack fails to compile. */
const PACK_FACTORIES: Record<PackName, (app: IConstruct, verbose: boolean, policy: CompliancePolicy) => NagPack> = {
  AwsSolutions: (app, verbose) => new AwsSolutionsChecks(app, { verbose }),
  'HIPAA.Security': (app, verbose) => new HIPAASecurityChecks(app, { verbose }),
  'NIST.800.53.R5': (app, verbose) => new NIST80053R5Checks(app, { verbose }),
  'PCI.DSS.321': (app, verbose) => new PCIDSS321Checks(app, { verbose }),
  Serverless: (app, verbose) => new ServerlessChecks(app, { verbose }),
  MLOPS: (_app, verbose, policy) => new MlopsChecks(policy, { verbose }),
};

/**
 * Registers every policy pack of POLICY_PACKS on the app: cdk-nag's AwsSolutions, HIPAA Security, NIST 800-53 R5,
 * PCI DSS 3.2.1 and Serverless, plus our MLOPS pack built from core/policy. Any unacknowledged finding fails
 * `cdk synth`.
 */
export function registerPolicyPacks(app: IConstruct, opts: PolicyPackOptions): NagPack[] {
  const verbose = opts.verbose ?? true;
  const packs = POLICY_PACKS.map((name) => PACK_FACTORIES[name](app, verbose, opts.policy));
  Validations.of(app).addPlugins(...packs);
  return packs;
}
