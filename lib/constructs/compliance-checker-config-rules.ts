/**
 * The compliance checker's AWS Config custom rules: one per run-time catalogue rule that covers SageMaker or ECR
 * resources, each invoking the checker on configuration changes and periodically.
 */
import * as config from 'aws-cdk-lib/aws-config';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Stack } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { rulesFor } from '../../core/policy/catalogue';
import { CONFIG_RESOURCE_TYPES, configKindsOf } from '../../core/policy/from-aws';
import { Rule } from '../../core/policy/rule';

/** Run-time catalogue rules that AWS Config can report: those covering SageMaker or ECR resource kinds. */
export function configRuleCandidates(): Rule[] {
  return rulesFor('run').filter((r) => configKindsOf(r.appliesTo).length > 0);
}

/**
 * Lets AWS Config invoke `handler` and creates one Config rule per candidate in `scope` (the checker), keyed by rule id.
 */
export function addConfigRules(
  scope: Construct,
  handler: lambda.IFunction,
  frequency: config.MaximumExecutionFrequency,
): Record<string, config.CfnConfigRule> {
  const rules: Record<string, config.CfnConfigRule> = {};
  const permission = new lambda.CfnPermission(scope, 'ConfigInvokePermission', {
    action: 'lambda:InvokeFunction',
    functionName: handler.functionArn,
    principal: 'config.amazonaws.com',
    sourceAccount: Stack.of(scope).account,
  });
  for (const rule of configRuleCandidates()) {
    const cfn = new config.CfnConfigRule(scope, `ConfigRule${rule.id}`, {
      description: `${rule.id}: ${rule.title}`.slice(0, 256),
      inputParameters: { ruleId: rule.id },
      maximumExecutionFrequency: frequency,
      scope: { complianceResourceTypes: configKindsOf(rule.appliesTo).map((k) => CONFIG_RESOURCE_TYPES[k]) },
      source: {
        owner: 'CUSTOM_LAMBDA',
        sourceIdentifier: handler.functionArn,
        sourceDetails: [
          { eventSource: 'aws.config', messageType: 'ConfigurationItemChangeNotification' },
          { eventSource: 'aws.config', messageType: 'OversizedConfigurationItemChangeNotification' },
          { eventSource: 'aws.config', messageType: 'ScheduledNotification', maximumExecutionFrequency: frequency },
        ],
      },
    });
    cfn.node.addDependency(permission);
    rules[rule.id] = cfn;
  }
  return rules;
}
