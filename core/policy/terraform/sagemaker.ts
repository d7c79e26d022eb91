/**
 * Facts of a plan's SageMaker resources: models, endpoint configurations (with data capture) and endpoints
 * (with their deployment).
 */
import { rolloutStrategy, str } from '../adapter-readings';
import { DataCaptureFacts, EndpointConfigFacts, EndpointFacts, ModelFacts, TAGS } from '../facts';
import { imageSourceOf } from '../image-uri';
import { base, blockCount, keyRef, shown, stringList, tagsOf } from './attributes';
import { Instance, PlanIndex } from './plan-index';
import { arr, at, KNOWN_AFTER_APPLY, num, Path } from './plan';

export function modelFacts(inst: Instance, region: string | undefined): ModelFacts {
  const vpc = blockCount(inst, ['vpc_config']) > 0;
  const containers = [
    ...arr(inst.known(['primary_container'])).map((_, i) => ['primary_container', i] as Path),
    ...arr(inst.known(['container'])).map((_, i) => ['container', i] as Path),
  ];
  const role = shown(inst, ['execution_role_arn']);
  return {
    ...base(inst, 'name', region),
    kind: 'Model',
    // Unknown at plan time is not shown, so it is not isolation.
    networkIsolation: inst.known(['enable_network_isolation']) === true,
    ...(vpc
      ? {
          vpc: {
            subnetIds: stringList(inst, ['vpc_config', 0, 'subnets']),
            securityGroupIds: stringList(inst, ['vpc_config', 0, 'security_group_ids']),
          },
        }
      : {}),
    ...(role !== undefined ? { executionRoleArn: role } : {}),
    images: containers.flatMap((c) => {
      const image = shown(inst, [...c, 'image']);
      return image !== undefined ? [image] : [];
    }),
    // An image known only after apply (a repository being created) is unknown: the registry and tag of a local's
    // expression are not in the plan JSON.
    imageSources: containers.flatMap((c) => {
      if (inst.unknown([...c, 'image']))
        return [{ uri: shown(inst, [...c, 'image']) ?? KNOWN_AFTER_APPLY, registryAccount: undefined, pin: undefined }];
      const image = str(inst.known([...c, 'image']));
      return image !== undefined ? [imageSourceOf(image)] : [];
    }),
  };
}

/**
 * Unknown settings take their least compliant value, as in the CloudFormation adapter: an unknown enable_capture is
 * off, an unknown sampling percentage is 100, unknown capture options capture nothing.
 */
function dataCaptureFacts(inst: Instance, index: PlanIndex): DataCaptureFacts {
  const dc: Path = ['data_capture_config', 0];
  const modes = arr(inst.known([...dc, 'capture_options'])).map((o) => str(at(o, ['capture_mode'])));
  const enable = inst.known([...dc, 'enable_capture']);
  const kmsKey = keyRef(inst, [...dc, 'kms_key_id']);
  // A destination known only after apply that comes from a bucket of the plan names that bucket, as the
  // CloudFormation adapter renders a reference (`s3://${Bucket}`): the capture-destination rules follow it.
  const fromBucket = inst.unknown([...dc, 'destination_s3_uri'])
    ? index.referenced(inst, [...dc, 'destination_s3_uri'], ['aws_s3_bucket'])
    : undefined;
  const destination =
    fromBucket !== undefined ? `s3://\${${fromBucket.address}}` : shown(inst, [...dc, 'destination_s3_uri']);
  return {
    // SageMaker captures when the block is present and EnableCapture is omitted.
    enabled: inst.unknown([...dc, 'enable_capture'])
      ? false
      : enable === undefined || enable === null || enable === true,
    samplingPercent: num(inst.known([...dc, 'initial_sampling_percentage'])) ?? 100,
    captureInput: modes.includes('Input') || modes.includes('InputAndOutput'),
    captureOutput: modes.includes('Output') || modes.includes('InputAndOutput'),
    ...(kmsKey ? { kmsKey } : {}),
    ...(destination !== undefined ? { destinationS3Uri: destination } : {}),
  };
}

export function endpointConfigFacts(inst: Instance, index: PlanIndex, region: string | undefined): EndpointConfigFacts {
  const kmsKey = keyRef(inst, ['kms_key_arn']);
  const captureShown = inst.unknown(['data_capture_config']) || blockCount(inst, ['data_capture_config']) > 0;
  // Shadow variants receive copies of production traffic, so their models process the same data.
  const variants = ['production_variants', 'shadow_production_variants'].flatMap((block) =>
    arr(inst.known([block])).map((_, i) => shown(inst, [block, i, 'model_name']) ?? KNOWN_AFTER_APPLY),
  );
  return {
    ...base(inst, 'name', region),
    kind: 'EndpointConfig',
    ...(kmsKey ? { kmsKey } : {}),
    ...(captureShown ? { dataCapture: dataCaptureFacts(inst, index) } : {}),
    modelNames: variants,
  };
}

export function endpointFacts(inst: Instance, region: string | undefined): EndpointFacts {
  const dc: Path = ['deployment_config', 0];
  const blueGreen = blockCount(inst, [...dc, 'blue_green_update_policy']) > 0;
  const type = str(inst.known([...dc, 'blue_green_update_policy', 0, 'traffic_routing_configuration', 0, 'type']));
  const environment = tagsOf(inst)?.[TAGS.ENVIRONMENT];
  const configName = shown(inst, ['endpoint_config_name']);
  return {
    ...base(inst, 'name', region),
    kind: 'Endpoint',
    ...(configName !== undefined ? { endpointConfigName: configName } : {}),
    ...(environment !== undefined ? { environment } : {}),
    // A rolling_update_policy is not blue/green traffic shifting and is not recorded as a deployment.
    ...(blueGreen
      ? {
          deployment: {
            strategy: rolloutStrategy(type) ?? 'ALL_AT_ONCE',
            rollbackAlarmCount: blockCount(inst, [...dc, 'auto_rollback_configuration', 0, 'alarms']),
          },
        }
      : {}),
  };
}
