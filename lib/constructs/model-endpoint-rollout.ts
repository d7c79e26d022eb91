/**
 * How a new model or config reaches traffic: the endpoint's blue/green deployment config (canary, linear or all at
 * once, rolled back by alarms) and which variant properties a deployment keeps from the running endpoint.
 */
import * as sagemaker from 'aws-cdk-lib/aws-sagemaker';
import { RolloutOptions } from './model-endpoint-props';

/** The blue/green update policy with `rollout`'s traffic shifting, rolled back when any of `rollbackAlarmNames` fires. */
export function renderDeploymentConfig(
  rollout: Required<RolloutOptions>,
  rollbackAlarmNames: readonly string[],
): sagemaker.CfnEndpoint.DeploymentConfigProperty {
  return {
    blueGreenUpdatePolicy: {
      trafficRoutingConfiguration: trafficRouting(rollout),
      terminationWaitInSeconds: rollout.terminationWaitSeconds,
      maximumExecutionTimeoutInSeconds: rollout.maximumExecutionTimeoutSeconds,
    },
    autoRollbackConfiguration: { alarms: rollbackAlarmNames.map((alarmName) => ({ alarmName })) },
  };
}

/**
 * Which variant properties a deployment keeps from the running endpoint. With auto scaling, Application Auto Scaling
 * owns the instance count: a deployment that took the config's initial count would shrink a scaled-out fleet to it
 * and leave the scalable target out of step with the variant. So the count and weight are retained, and only the
 * data capture settings come from the new config (a sampling change must take effect). Without auto scaling the
 * config is the truth: nothing is retained, so a changed instanceCount deploys.
 */
export function renderVariantRetention(
  autoScaling: boolean,
): Pick<sagemaker.CfnEndpointProps, 'retainAllVariantProperties' | 'excludeRetainedVariantProperties'> {
  if (!autoScaling) return { retainAllVariantProperties: false };
  return {
    retainAllVariantProperties: true,
    excludeRetainedVariantProperties: [{ variantPropertyType: 'DataCaptureConfig' }],
  };
}

function trafficRouting(r: Required<RolloutOptions>): sagemaker.CfnEndpoint.TrafficRoutingConfigProperty {
  switch (r.strategy) {
    case 'CANARY':
      return {
        type: 'CANARY',
        waitIntervalInSeconds: r.waitSeconds,
        canarySize: { type: 'CAPACITY_PERCENT', value: r.stepPercent },
      };
    case 'LINEAR':
      return {
        type: 'LINEAR',
        waitIntervalInSeconds: r.waitSeconds,
        linearStepSize: { type: 'CAPACITY_PERCENT', value: r.stepPercent },
      };
    case 'ALL_AT_ONCE':
      return { type: 'ALL_AT_ONCE', waitIntervalInSeconds: r.waitSeconds };
  }
}
