/**
 * Synth-time adapter: a synthesized CloudFormation template (the JSON in `cdk.out/*.template.json`) -> resource facts.
 *
 * Pure: it reads the template object it is given and nothing else, so the nag pack, tests and CLI tools can share it.
 * Property values may be intrinsics (`Ref`, `Fn::GetAtt`, `Fn::Join`, `Fn::Sub`, `Fn::If`, ...). The adapter resolves
 * what a template alone can prove — a `Ref` to a KMS key defined in the same template, a literal, a join with pseudo
 * parameters — and otherwise records the value as unknown (`undefined`), so the rules report it as unknown. It
 * never guesses, neither compliant nor weakest. An absent property takes CloudFormation's documented default.
 *
 * This module walks the template; `cloudformation/` reads values and builds the facts of each resource kind.
 */
import { hidden, isObj, obj, Obj, str } from './adapter-readings';
import { withCaptureDestinations } from './capture-destinations';
import { bucketPolicies, bucketsByName, logTargets } from './cloudformation/bucket-joins';
import { bucketFacts } from './cloudformation/buckets';
import { buildProjectFacts } from './cloudformation/build';
import { registryScanFilters, repositoryFacts } from './cloudformation/ecr';
import { eventRuleFacts } from './cloudformation/events';
import { identityPolicyFacts, keyFacts, roleFacts } from './cloudformation/identity';
import { endpointConfigFacts, endpointFacts, modelFacts } from './cloudformation/sagemaker';
import { CfnResource, CfnTemplate, FromTemplateOptions, importKey } from './cloudformation/template';
import { HIDDEN_PROPERTIES, refTarget } from './cloudformation/values';
import { ResourceFacts } from './facts';

export type { CfnResource, CfnTemplate, FromTemplateOptions } from './cloudformation/template';
export { renderValue } from './cloudformation/values';

/**
 * What each export of a set of templates points at: export name -> the exporting template's resource, when the
 * output's value is a `Ref` or `Fn::GetAtt` of one.
 */
export function exportedResourceTypes(templates: readonly CfnTemplate[]): Record<string, CfnResource> {
  const out: Record<string, CfnResource> = {};
  for (const t of templates) {
    const outputs = isObj(t.Outputs) ? (t.Outputs as Obj) : {};
    const resources = isObj(t.Resources) ? (t.Resources as Readonly<Record<string, CfnResource>>) : {};
    for (const output of Object.values(outputs)) {
      if (!isObj(output)) continue;
      const name = str(obj(output.Export)?.Name);
      const target = refTarget(output.Value);
      if (name !== undefined && target !== undefined && resources[target]) out[name] = resources[target];
    }
  }
  return out;
}

/** Facts for every SageMaker model, endpoint config and endpoint, ECR repository and S3 bucket in the template. */
export function factsFromTemplate(template: CfnTemplate, opts: FromTemplateOptions = {}): ResourceFacts[] {
  if (template.Resources !== undefined && !isObj(template.Resources)) {
    throw new TypeError(
      `Resources must be an object of logical id -> resource, got ${Array.isArray(template.Resources) ? 'a list' : typeof template.Resources}`,
    );
  }
  const local = isObj(template.Resources) ? (template.Resources as Readonly<Record<string, CfnResource>>) : {};
  // Imported resources join the map under keys no logical id can have, so references resolve across stacks.
  const imported = Object.fromEntries(Object.entries(opts.imports ?? {}).map(([name, r]) => [importKey(name), r]));
  const resources: Readonly<Record<string, CfnResource>> = { ...imported, ...local };
  const byName = bucketsByName(resources);
  const policies = bucketPolicies(resources, byName);
  const targets = logTargets(resources, byName);
  const scanFilters = registryScanFilters(resources);
  const out: ResourceFacts[] = [];
  const eventRules: [string, Obj][] = [];
  for (const [id, resource] of Object.entries(local)) {
    if (!isObj(resource)) continue;
    // Properties behind a condition (`Fn::If` on the whole block): every property is unknown, none is absent.
    const props = hidden(resource.Properties) ? HIDDEN_PROPERTIES : (obj(resource.Properties) ?? {});
    switch (resource.Type) {
      case 'AWS::SageMaker::Model':
        out.push(modelFacts(id, props, resources, opts));
        break;
      case 'AWS::SageMaker::EndpointConfig':
        out.push(endpointConfigFacts(id, props, resources, opts));
        break;
      case 'AWS::SageMaker::Endpoint':
        out.push(endpointFacts(id, props, opts));
        break;
      case 'AWS::ECR::Repository':
        out.push(repositoryFacts(id, props, resources, scanFilters, opts));
        break;
      case 'AWS::S3::Bucket':
        out.push(bucketFacts(id, props, resources, policies(id), targets.has(id), opts));
        break;
      case 'AWS::KMS::Key':
        out.push(keyFacts(id, props, resources, opts));
        break;
      case 'AWS::IAM::ManagedPolicy':
      case 'AWS::IAM::Policy': {
        const facts = identityPolicyFacts(id, resource, resources, opts);
        if (facts) out.push(facts);
        break;
      }
      case 'AWS::IAM::Role': {
        out.push(roleFacts(id, props, resources, opts));
        const facts = identityPolicyFacts(id, resource, resources, opts);
        if (facts) out.push(facts);
        break;
      }
      case 'AWS::Events::Rule':
        // Judged once the buckets endpoints capture to are known (below).
        eventRules.push([id, props]);
        break;
      case 'AWS::CodeBuild::Project':
        out.push(buildProjectFacts(id, props, opts));
        break;
      default:
        break;
    }
  }
  const judged = withCaptureDestinations(out);
  // A bucket an endpoint config captures to holds captured data, tagged or not (as in the Terraform adapter).
  const captured = new Set(judged.flatMap((f) => (f.kind === 'Bucket' && f.captureDestination ? [f.id] : [])));
  for (const [id, props] of eventRules) judged.push(eventRuleFacts(id, props, resources, byName, captured, opts));
  return judged;
}

/**
 * The same facts keyed by logical id, for callers (the nag pack) that visit one resource at a time. A role has two
 * facts: its trust policy (Role) and its inline policies (IdentityPolicy).
 */
export function factsByLogicalId(template: CfnTemplate, opts: FromTemplateOptions = {}): Map<string, ResourceFacts[]> {
  const out = new Map<string, ResourceFacts[]>();
  for (const f of factsFromTemplate(template, opts)) {
    const same = out.get(f.id);
    if (same === undefined) out.set(f.id, [f]);
    else same.push(f);
  }
  return out;
}
