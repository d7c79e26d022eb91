/**
 * Facts of a template's SageMaker resources: models (with where their images come from), endpoint
 * configurations (with data capture) and endpoints (with their deployment).
 */
import { arr, deploymentOf, hidden, isObj, obj, Obj, str } from '../adapter-readings';
import { keyRef, referencesIn } from './references';
import { CfnResource, FromTemplateOptions } from './template';
import { base, flag, literalTag, num, renderedList, renderValue } from './values';
import {
  DataCaptureFacts,
  EndpointConfigFacts,
  EndpointFacts,
  ImageSourceFacts,
  ModelFacts,
  SELF_ACCOUNT,
  TAGS,
} from '../facts';
import { imagePin, imageSourceOf } from '../image-uri';

/**
 * Where an image comes from. A literal or `Fn::Sub` URI is read as text; a URI that CDK joins from a repository
 * (`Fn::Select [4, Fn::Split [":", <repository ARN>]]` before `.dkr.ecr.`, or `<repository>.RepositoryUri`) comes
 * from the account of that repository: one of this template's or app's (imports), so the stack's own account.
 */
function imageSource(v: unknown, resources: Readonly<Record<string, CfnResource>>): ImageSourceFacts {
  const uri = renderValue(v);
  const literal = imageSourceOf(uri);
  if (literal.registryAccount !== undefined) return literal;
  const isRepository = (x: unknown) => {
    const found = { refs: [] as string[], opaque: false };
    referencesIn(x, found);
    return !found.opaque && found.refs.length === 1 && resources[found.refs[0]]?.Type === 'AWS::ECR::Repository';
  };
  // Intrinsics are read raw here (obj() hides them): the shape itself is what CDK writes.
  const fn = (x: unknown, name: string) => (isObj(x) ? arr(x[name]) : undefined);
  const parts = fn(v, 'Fn::Join')?.[1];
  const first = arr(parts)?.[0];
  const select = fn(first, 'Fn::Select');
  const split = fn(select?.[1], 'Fn::Split');
  const second = arr(parts)?.[1];
  const fromRepositoryArn =
    num(select?.[0]) === 4 && split?.[0] === ':' && isRepository(split?.[1]) && str(second)?.startsWith('.dkr.ecr.');
  const getAtt = fn(first, 'Fn::GetAtt');
  const fromRepositoryUri = getAtt?.[1] === 'RepositoryUri' && isRepository(first);
  const subUri = /^\$\{([A-Za-z0-9]+)\.RepositoryUri\}/.exec(uri);
  const fromSub = subUri !== null && resources[subUri[1] ?? '']?.Type === 'AWS::ECR::Repository';
  return fromRepositoryArn || fromRepositoryUri || fromSub
    ? { uri, registryAccount: SELF_ACCOUNT, pin: imagePin(uri) }
    : literal;
}

export function modelFacts(
  id: string,
  props: Obj,
  resources: Readonly<Record<string, CfnResource>>,
  opts: FromTemplateOptions,
): ModelFacts {
  // A VpcConfig behind a condition may or may not be there: recorded as a VPC of unknown subnets is wrong either
  // way, so it is left out and requireVpc reports it missing (the only safe reading).
  const vpcConfig = obj(props.VpcConfig);
  const containers = [obj(props.PrimaryContainer), ...(arr(props.Containers) ?? []).map(obj)];
  const images = containers.flatMap((c) => (c?.Image !== undefined ? [renderValue(c.Image)] : []));
  // A container list behind an intrinsic shows no image: the image-source rule reports it unknown.
  const imageSources = containers.flatMap((c) => (c?.Image !== undefined ? [imageSource(c.Image, resources)] : []));
  return {
    ...base(id, props, 'ModelName', opts),
    kind: 'Model',
    networkIsolation: flag(props.EnableNetworkIsolation, false),
    ...(vpcConfig
      ? {
          vpc: {
            subnetIds: renderedList(vpcConfig.Subnets),
            securityGroupIds: renderedList(vpcConfig.SecurityGroupIds),
          },
        }
      : {}),
    ...(props.ExecutionRoleArn !== undefined ? { executionRoleArn: renderValue(props.ExecutionRoleArn) } : {}),
    images,
    imageSources,
  };
}

/** Unknown settings (parameters, conditions) stay unknown; the rules say so. */
function dataCaptureFacts(dc: Obj, resources: Readonly<Record<string, CfnResource>>): DataCaptureFacts {
  const options = arr(dc.CaptureOptions);
  const modes = (options ?? []).map((o) => str(obj(o)?.CaptureMode));
  // A mode behind an intrinsic could be either side.
  const modesKnown = options !== undefined && !modes.includes(undefined);
  const captures = (side: 'Input' | 'Output') =>
    modes.includes(side) || modes.includes('InputAndOutput') ? true : modesKnown ? false : undefined;
  const kmsKey = keyRef(dc.KmsKeyId, resources);
  return {
    // SageMaker captures when the block is present and EnableCapture is omitted.
    enabled: flag(dc.EnableCapture, true),
    samplingPercent: num(dc.InitialSamplingPercentage),
    captureInput: captures('Input'),
    captureOutput: captures('Output'),
    ...(kmsKey ? { kmsKey } : {}),
    ...(dc.DestinationS3Uri !== undefined ? { destinationS3Uri: renderValue(dc.DestinationS3Uri) } : {}),
  };
}

export function endpointConfigFacts(
  id: string,
  props: Obj,
  resources: Readonly<Record<string, CfnResource>>,
  opts: FromTemplateOptions,
): EndpointConfigFacts {
  const kmsKey = keyRef(props.KmsKeyId, resources);
  const dc = obj(props.DataCaptureConfig);
  // A DataCaptureConfig behind a condition may be there, on, with any key or none: every part of it is unknown.
  const hiddenCapture: DataCaptureFacts | undefined = hidden(props.DataCaptureConfig)
    ? {
        enabled: undefined,
        samplingPercent: undefined,
        captureInput: undefined,
        captureOutput: undefined,
        kmsKey: { id: renderValue(props.DataCaptureConfig), customerManaged: undefined },
      }
    : undefined;
  // Shadow variants receive copies of production traffic, so their models process the same data.
  const variants = [...(arr(props.ProductionVariants) ?? []), ...(arr(props.ShadowProductionVariants) ?? [])];
  return {
    ...base(id, props, 'EndpointConfigName', opts),
    kind: 'EndpointConfig',
    ...(kmsKey ? { kmsKey } : {}),
    ...(dc ? { dataCapture: dataCaptureFacts(dc, resources) } : hiddenCapture ? { dataCapture: hiddenCapture } : {}),
    modelNames: variants.flatMap((v) => {
      const m = obj(v)?.ModelName;
      return m !== undefined ? [renderValue(m)] : [];
    }),
  };
}

export function endpointFacts(id: string, props: Obj, opts: FromTemplateOptions): EndpointFacts {
  const environment = literalTag(props, TAGS.ENVIRONMENT);
  const deployment = deploymentOf(props.DeploymentConfig);
  return {
    ...base(id, props, 'EndpointName', opts),
    kind: 'Endpoint',
    ...(props.EndpointConfigName !== undefined ? { endpointConfigName: renderValue(props.EndpointConfigName) } : {}),
    ...(environment !== undefined ? { environment } : {}),
    ...(deployment !== undefined ? { deployment } : {}),
  };
}
