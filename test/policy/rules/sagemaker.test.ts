import {
  endpointConfigStorageEncrypted,
  modelInVpc,
  modelNetworkIsolation,
  productionGradualRollout,
} from '../../../core/policy/rules/sagemaker';
import { check, ctx, endpoint, endpointConfig, model } from '../../support/policy-facts';

describe('MLOPS-SM-1 endpoint config storage encrypted with a customer-managed key', () => {
  test('passes with a customer-managed key', () => {
    // GIVEN an endpoint config with a customer-managed key
    const facts = endpointConfig();
    // WHEN checked
    const result = check(endpointConfigStorageEncrypted, facts);
    // THEN it is compliant and names the key
    expect(result.status).toBe('COMPLIANT');
    expect(result.reason).toContain(facts.kmsKey!.id);
  });

  test('fails without a key', () => {
    // GIVEN no KmsKeyId
    const facts = endpointConfig({ kmsKey: undefined });
    // WHEN checked
    const result = check(endpointConfigStorageEncrypted, facts);
    // THEN it is non-compliant and says a customer-managed key is required
    expect(result.status).toBe('NON_COMPLIANT');
    expect(result.reason).toMatch(/names no KMS key.*customer-managed key is required/);
  });

  test('fails with an AWS-managed key', () => {
    // GIVEN the aws/sagemaker key
    const facts = endpointConfig({ kmsKey: { id: 'alias/aws/sagemaker', customerManaged: false } });
    // WHEN checked
    const result = check(endpointConfigStorageEncrypted, facts);
    // THEN it is non-compliant and names the key
    expect(result.status).toBe('NON_COMPLIANT');
    expect(result.reason).toContain('AWS-managed key alias/aws/sagemaker');
  });

  test('fails when the key cannot be proved customer-managed', () => {
    // GIVEN a key from a parameter
    const facts = endpointConfig({ kmsKey: { id: '${KeyParam}', customerManaged: undefined } });
    // WHEN checked
    const result = check(endpointConfigStorageEncrypted, facts);
    // THEN undefined is not taken as compliant
    expect(result.status).toBe('NON_COMPLIANT');
    expect(result.reason).toContain('${KeyParam}, which could not be proved customer-managed');
  });

  test('is not applicable to other kinds', () => {
    // GIVEN a model
    // WHEN checked
    const result = check(endpointConfigStorageEncrypted, model());
    // THEN the rule does not apply
    expect(result.status).toBe('NOT_APPLICABLE');
  });
});

describe('MLOPS-SM-2 model network isolation', () => {
  test('passes with network isolation', () => {
    // GIVEN isolation on
    // WHEN checked
    const result = check(modelNetworkIsolation, model());
    // THEN compliant
    expect(result).toEqual({ status: 'COMPLIANT', reason: 'network isolation is enabled' });
  });

  test('fails without network isolation', () => {
    // GIVEN isolation off
    const facts = model({ networkIsolation: false });
    // WHEN checked
    const result = check(modelNetworkIsolation, facts);
    // THEN non-compliant, naming what is seen and required
    expect(result.status).toBe('NON_COMPLIANT');
    expect(result.reason).toMatch(/disabled.*must be true/);
  });
});

describe('MLOPS-SM-3 model in VPC', () => {
  test('passes when the model has subnets and security groups', () => {
    // GIVEN a model in a VPC and a policy requiring one
    // WHEN checked
    const result = check(modelInVpc, model());
    // THEN compliant, naming the subnet
    expect(result.status).toBe('COMPLIANT');
    expect(result.reason).toContain('subnet-0123456789abcdef0');
  });

  test('fails without a VpcConfig when the policy requires a VPC', () => {
    // GIVEN a model outside any VPC
    const facts = model({ vpc: undefined });
    // WHEN checked with requireVpc
    const result = check(modelInVpc, facts, ctx({ requireVpc: true }));
    // THEN non-compliant
    expect(result.status).toBe('NON_COMPLIANT');
    expect(result.reason).toContain('no VpcConfig; requireVpc demands one');
  });

  test('fails with an empty security group list', () => {
    // GIVEN a VpcConfig with no security groups
    const facts = model({ vpc: { subnetIds: ['subnet-1'], securityGroupIds: [] } });
    // WHEN checked
    const result = check(modelInVpc, facts);
    // THEN non-compliant, naming the counts
    expect(result.status).toBe('NON_COMPLIANT');
    expect(result.reason).toContain('1 subnet(s) and 0 security group(s)');
  });

  test('is not applicable when the policy does not require a VPC', () => {
    // GIVEN requireVpc false and a model outside a VPC
    const facts = model({ vpc: undefined });
    // WHEN checked
    const result = check(modelInVpc, facts, ctx({ requireVpc: false }));
    // THEN not applicable, with the reason
    expect(result.status).toBe('NOT_APPLICABLE');
    expect(result.reason).toContain('requireVpc is false');
  });
});

describe('MLOPS-SM-4 production endpoints roll out gradually', () => {
  test('passes for a production CANARY rollout with rollback alarms', () => {
    // GIVEN a prod endpoint with CANARY and 2 alarms
    // WHEN checked
    const result = check(productionGradualRollout, endpoint());
    // THEN compliant
    expect(result.status).toBe('COMPLIANT');
    expect(result.reason).toContain('CANARY rollout with 2 rollback alarm(s) in prod');
  });

  test('passes for LINEAR', () => {
    // GIVEN a LINEAR rollout with one alarm
    const facts = endpoint({ deployment: { strategy: 'LINEAR', rollbackAlarmCount: 1 } });
    // WHEN checked
    const result = check(productionGradualRollout, facts);
    // THEN compliant
    expect(result.status).toBe('COMPLIANT');
  });

  test('fails for ALL_AT_ONCE in production', () => {
    // GIVEN an all-at-once rollout in prod
    const facts = endpoint({ deployment: { strategy: 'ALL_AT_ONCE', rollbackAlarmCount: 1 } });
    // WHEN checked
    const result = check(productionGradualRollout, facts);
    // THEN non-compliant, naming the strategy seen and required
    expect(result.status).toBe('NON_COMPLIANT');
    expect(result.reason).toContain('strategy is ALL_AT_ONCE, CANARY or LINEAR is required');
  });

  test('fails without rollback alarms', () => {
    // GIVEN a canary without alarms
    const facts = endpoint({ deployment: { strategy: 'CANARY', rollbackAlarmCount: 0 } });
    // WHEN checked
    const result = check(productionGradualRollout, facts);
    // THEN non-compliant, naming the count
    expect(result.status).toBe('NON_COMPLIANT');
    expect(result.reason).toContain('0 rollback alarms, at least 1 is required');
  });

  test('fails without a DeploymentConfig', () => {
    // GIVEN no deployment config
    const facts = endpoint({ deployment: undefined });
    // WHEN checked
    const result = check(productionGradualRollout, facts);
    // THEN non-compliant
    expect(result.status).toBe('NON_COMPLIANT');
    expect(result.reason).toContain('environment prod) has no blue/green DeploymentConfig');
  });

  test('fails when the environment is unknown and production exists', () => {
    // GIVEN an endpoint without an Environment tag
    const facts = endpoint({ environment: undefined, deployment: undefined });
    // WHEN checked
    const result = check(productionGradualRollout, facts);
    // THEN fail closed: it cannot be shown to be outside production
    expect(result.status).toBe('NON_COMPLIANT');
    expect(result.reason).toContain('no Environment tag');
    expect(result.reason).toContain('[prod]');
  });

  test('is not applicable outside production', () => {
    // GIVEN a staging endpoint deployed all at once
    const facts = endpoint({ environment: 'staging', deployment: undefined });
    // WHEN checked
    const result = check(productionGradualRollout, facts);
    // THEN not applicable, naming the environment
    expect(result.status).toBe('NOT_APPLICABLE');
    expect(result.reason).toContain('staging is not a production environment');
  });

  test('is not applicable for an untagged endpoint when no environment is production', () => {
    // GIVEN no production environments at all
    const facts = endpoint({ environment: undefined });
    // WHEN checked
    const result = check(productionGradualRollout, facts, ctx({ productionEnvironments: [] }));
    // THEN not applicable
    expect(result.status).toBe('NOT_APPLICABLE');
  });
});
