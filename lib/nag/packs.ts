import { IConstruct } from 'constructs';
import { Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, HIPAASecurityChecks, NIST80053R5Checks, PCIDSS321Checks, ServerlessChecks } from 'cdk-nag';
import { CompliancePolicy } from '../policy/context';
import { MlopsChecks } from './mlops-checks';

export interface PolicyPackOptions {
  /** The organisation's policy, for the MLOPS pack. */
  readonly policy: CompliancePolicy;
  /**
   * Longer explanations in findings.
   * @default true
   */
  readonly verbose?: boolean;
}

/**
 * Registers every policy pack on the app: cdk-nag's AwsSolutions, HIPAA Security, NIST 800-53 R5, PCI DSS 3.2.1
 * and Serverless, plus our MLOPS pack built from lib/policy. Any unacknowledged finding fails `cdk synth`.
 */
export function registerPolicyPacks(app: IConstruct, opts: PolicyPackOptions) {
  const verbose = opts.verbose ?? true;
  const packs = [
    new AwsSolutionsChecks(app, { verbose }),
    new HIPAASecurityChecks(app, { verbose }),
    new NIST80053R5Checks(app, { verbose }),
    new PCIDSS321Checks(app, { verbose }),
    new ServerlessChecks(app, { verbose }),
    new MlopsChecks(opts.policy, { verbose }),
  ];
  Validations.of(app).addPlugins(...packs);
  return packs;
}
