/**
 * SageMaker hosting rules (area SM): how the model runs and how new versions reach traffic.
 */
import { compliant, defineRule, nonCompliant, notApplicable, unknownValue } from '../rule';
import { judgeCustomerManagedKey } from './kms-key';

export const endpointConfigStorageEncrypted = defineRule({
  id: 'MLOPS-SM-1',
  title: 'Endpoint config encrypts the hosting instances’ storage with a customer-managed KMS key',
  severity: 'HIGH',
  rationale:
    'The ML storage volumes of the hosting instances hold the model artefacts and may hold request payloads; a ' +
    'customer-managed key keeps key policy, rotation and revocation under the organisation’s control.',
  remediation:
    'Set KmsKeyId on the endpoint config to a customer-managed KMS key (ModelEndpoint does this by default). For ' +
    'instance types with NVMe instance storage, SageMaker refuses a KmsKeyId and encrypts the storage in hardware: ' +
    'acknowledge the finding with that reason.',
  references: {
    gdpr: ['Art. 32(1)(a)', 'Art. 5(1)(f)'],
    nist80053: ['SC-28', 'SC-28(1)', 'SC-12'],
    awsConfigRule: 'SAGEMAKER_ENDPOINT_CONFIGURATION_KMS_KEY_CONFIGURED',
  },
  appliesTo: ['EndpointConfig'],
  check(facts) {
    return judgeCustomerManagedKey(facts.kmsKey, 'the endpoint config storage');
  },
});

export const modelNetworkIsolation = defineRule({
  id: 'MLOPS-SM-2',
  title: 'Model containers run with network isolation',
  severity: 'HIGH',
  rationale:
    'A container without network isolation can make outbound calls, so a compromised or malicious model image could ' +
    'exfiltrate inference data or pull code at run time.',
  remediation:
    'Set EnableNetworkIsolation to true on the model; ship everything the container needs in the image or model data.',
  references: {
    gdpr: ['Art. 32(1)(b)', 'Art. 5(1)(f)'],
    nist80053: ['SC-7', 'AC-4'],
    awsConfigRule: 'SAGEMAKER_MODEL_ISOLATION_ENABLED',
  },
  appliesTo: ['Model'],
  check(facts) {
    if (facts.networkIsolation === undefined) return unknownValue('EnableNetworkIsolation', 'it must be true');
    return facts.networkIsolation
      ? compliant('network isolation is enabled')
      : nonCompliant('network isolation is disabled (EnableNetworkIsolation is not true); it must be true');
  },
});

export const modelInVpc = defineRule({
  id: 'MLOPS-SM-3',
  title: 'Models run in a VPC when the policy requires it',
  severity: 'MEDIUM',
  rationale:
    'Running model containers in the organisation’s VPC keeps their traffic (model data download, CloudWatch) on ' +
    'private paths that security groups, VPC endpoints and flow logs govern.',
  remediation:
    'Give the environment vpc.subnetIds and vpc.securityGroupIds in the config so the model gets a VpcConfig.',
  references: { nist80053: ['SC-7', 'AC-4'], awsConfigRule: 'SAGEMAKER_MODEL_IN_VPC' },
  appliesTo: ['Model'],
  check(facts, { policy }) {
    if (!policy.requireVpc) return notApplicable('the policy does not require a VPC (requireVpc is false)');
    const vpc = facts.vpc;
    if (vpc === undefined) return nonCompliant('the model has no VpcConfig; requireVpc demands one');
    if (vpc.subnetIds.length === 0 || vpc.securityGroupIds.length === 0) {
      return nonCompliant(
        `the model's VpcConfig has ${vpc.subnetIds.length} subnet(s) and ${vpc.securityGroupIds.length} security ` +
          'group(s); at least one of each is required',
      );
    }
    return compliant(`the model runs in subnets [${vpc.subnetIds.join(', ')}]`);
  },
});

export const productionGradualRollout = defineRule({
  id: 'MLOPS-SM-4',
  title: 'Production endpoints roll out gradually (CANARY or LINEAR) with rollback alarms',
  severity: 'MEDIUM',
  rationale:
    'Shifting traffic all at once exposes every production request to a bad model version; a canary or linear ' +
    'shift watched by alarms limits the blast radius and rolls back without a human.',
  remediation:
    'Give the endpoint a DeploymentConfig with BlueGreenUpdatePolicy TrafficRoutingConfiguration Type CANARY or ' +
    'LINEAR and AutoRollbackConfiguration alarms (set models[].rollout.strategy; ModelEndpoint wires the alarms).',
  references: { nist80053: ['CM-3', 'CM-4', 'SI-2'] },
  appliesTo: ['Endpoint'],
  check(facts, { policy }) {
    const prod = policy.productionEnvironments;
    // Fail closed: an untagged endpoint cannot be shown to be outside production.
    if (facts.environment === undefined) {
      if (prod.length === 0) return notApplicable('the policy names no production environments');
      return nonCompliant(
        `the endpoint has no Environment tag, so it cannot be shown to be outside the production environments ` +
          `[${prod.join(', ')}]; tag it`,
      );
    }
    if (!prod.includes(facts.environment)) {
      return notApplicable(`environment ${facts.environment} is not a production environment [${prod.join(', ')}]`);
    }
    const d = facts.deployment;
    if (d === undefined) {
      return nonCompliant(
        `production endpoint (environment ${facts.environment}) has no blue/green DeploymentConfig; CANARY or LINEAR ` +
          'traffic shifting with at least 1 rollback alarm is required',
      );
    }
    const problems: string[] = [];
    if (d.strategy === undefined) problems.push('the traffic routing type is unknown, CANARY or LINEAR is required');
    else if (d.strategy === 'ROLLING')
      problems.push(
        'a RollingUpdatePolicy replaces capacity in batches with no canary traffic, CANARY or LINEAR is required',
      );
    else if (d.strategy !== 'CANARY' && d.strategy !== 'LINEAR')
      problems.push(`strategy is ${d.strategy}, CANARY or LINEAR is required`);
    if (d.rollbackAlarmCount === undefined)
      problems.push('the rollback alarm list is unknown, at least 1 alarm is required');
    else if (d.rollbackAlarmCount < 1) problems.push(`${d.rollbackAlarmCount} rollback alarms, at least 1 is required`);
    return problems.length > 0
      ? nonCompliant(`production endpoint (environment ${facts.environment}): ${problems.join('; ')}`)
      : compliant(
          `${d.strategy ?? '?'} rollout with ${d.rollbackAlarmCount ?? 0} rollback alarm(s) in ${facts.environment}`,
        );
  },
});
