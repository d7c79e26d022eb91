/**
 * The template moto gets: what moto 5.2.1's CloudFormation skips (MOTO_UNSUPPORTED_TYPES), and the variant of a
 * synthesized template that references none of it and works around moto's two KMS key bugs (see scripts/moto-deploy.ts).
 */
/**
 * Types moto 5.2.1's CloudFormation skips (warning, nothing created, stack still CREATE_COMPLETE). What each one
 * means for this proof: bucket/topic policies (TLS-only, service access) are not evaluated; alarms, and so the
 * endpoint's auto-rollback, are never created; auto scaling and the model card are not deployed; Config rules
 * (the compliance checker's) and Model Monitor schedules do not exist; neither do the registry's image replication
 * and its registry policy (test/integration/release-record.test.ts puts them through the ECR API). Each entry was checked against moto 5.2.1's
 * CloudFormation resource registry; only the types present in the templates are expected to be skipped.
 */
export const MOTO_UNSUPPORTED_TYPES = [
  'AWS::ApplicationAutoScaling::ScalableTarget',
  'AWS::ApplicationAutoScaling::ScalingPolicy',
  'AWS::CloudWatch::Alarm',
  'AWS::CloudWatch::CompositeAlarm',
  'AWS::Config::ConfigRule',
  'AWS::ECR::RegistryPolicy',
  'AWS::ECR::RegistryScanningConfiguration',
  'AWS::ECR::ReplicationConfiguration',
  'AWS::Lambda::EventInvokeConfig',
  'AWS::S3::BucketPolicy',
  'AWS::SNS::Subscription',
  'AWS::SNS::TopicPolicy',
  'AWS::SQS::QueuePolicy',
  'AWS::SageMaker::DataQualityJobDefinition',
  'AWS::SageMaker::ModelCard',
  'AWS::SageMaker::MonitoringSchedule',
] as const;

export type Template = { Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }> };

/**
 * The template moto gets: references to resources moto will skip become placeholder strings, and KMS key tags get
 * the field names moto's KMS tagger expects. Returns what was changed so the test can report it.
 */
export function motoVariant(template: Template): {
  template: Template;
  replacedReferences: string[];
  kmsKeysAdapted: string[];
} {
  const out = JSON.parse(JSON.stringify(template)) as Template;
  const skipped = new Set(
    Object.entries(out.Resources)
      .filter(([, r]) => (MOTO_UNSUPPORTED_TYPES as readonly string[]).includes(r.Type))
      .map(([id]) => id),
  );
  const replacedReferences: string[] = [];
  const placeholder = (id: string, attr?: string) => `moto-skipped-${id}${attr ? `-${attr}` : ''}`;
  const walk = (node: unknown, owner: string): unknown => {
    if (Array.isArray(node)) return node.map((n) => walk(n, owner));
    if (node === null || typeof node !== 'object') return node;
    const obj = node as Record<string, unknown>;
    if (typeof obj.Ref === 'string' && skipped.has(obj.Ref)) {
      replacedReferences.push(`${owner} -> Ref ${obj.Ref}`);
      return placeholder(obj.Ref);
    }
    const getAtt = obj['Fn::GetAtt'];
    if (Array.isArray(getAtt) && skipped.has(String(getAtt[0]))) {
      replacedReferences.push(`${owner} -> GetAtt ${getAtt[0]}.${getAtt[1]}`);
      return placeholder(String(getAtt[0]), String(getAtt[1]));
    }
    const sub = obj['Fn::Sub'];
    const subText = typeof sub === 'string' ? sub : Array.isArray(sub) ? sub[0] : undefined;
    if (typeof subText === 'string' && [...skipped].some((id) => subText.includes(`\${${id}`))) {
      throw new Error(`${owner}: Fn::Sub references a resource moto skips; extend motoVariant to handle it`);
    }
    return Object.fromEntries(Object.entries(obj).map(([k, v]) => [k, walk(v, owner)]));
  };
  for (const [id, resource] of Object.entries(out.Resources)) {
    if (skipped.has(id)) continue;
    out.Resources[id] = walk(resource, id) as Template['Resources'][string];
  }
  const kmsKeysAdapted: string[] = [];
  for (const [id, resource] of Object.entries(out.Resources)) {
    const props = resource.Properties;
    if (resource.Type !== 'AWS::KMS::Key' || !props) continue;
    if (Array.isArray(props.Tags)) {
      props.Tags = (props.Tags as { Key: string; Value: string }[]).map((t) => ({ TagKey: t.Key, TagValue: t.Value }));
    }
    // Same intrinsics, resolved by moto, then serialized: the policy text is what real KMS would hold.
    if (props.KeyPolicy && typeof props.KeyPolicy === 'object')
      props.KeyPolicy = { 'Fn::ToJsonString': props.KeyPolicy };
    kmsKeysAdapted.push(id);
  }
  return { template: out, replacedReferences, kmsKeysAdapted };
}
