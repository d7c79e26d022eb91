/**
 * Plan-time adapter: the JSON of `terraform show -json <planfile>` -> resource facts.
 *
 * Pure: it reads the plan object it is given and nothing else. It describes what the plan will leave in place
 * (creates, updates, replacements and no-ops; never deletions) and nothing more. A value Terraform only learns at
 * apply time (`after_unknown`) is not shown: it becomes the weakest setting or an unknown key, never a compliant
 * guess. Where the plan's `configuration` section shows that an unknown value comes from a resource of the same
 * configuration (a key ARN from `aws_kms_key.x.arn`, a bucket id from `aws_s3_bucket.x.id`), the adapter follows
 * the reference, as the CloudFormation adapter follows a `Ref`.
 *
 * Terraform splits an S3 bucket into several resources (versioning, encryption, public access block, logging,
 * lifecycle, policy); they are joined to their bucket by its name when the plan knows it, else by reference.
 *
 * This module walks the plan; `terraform/` reads the plan and builds the facts of each resource kind.
 */
import { withCaptureDestinations } from './capture-destinations';
import { ResourceFacts } from './facts';
import { bucketFacts } from './terraform/buckets';
import { buildProjectFacts } from './terraform/build';
import { repositoryFacts } from './terraform/ecr';
import { eventRuleFacts } from './terraform/events';
import { identityPolicyFacts, keyFacts, roleFacts } from './terraform/identity';
import { PlanIndex } from './terraform/plan-index';
import { planAccount, planRegion } from './terraform/plan-scope';
import { FromPlanOptions, TerraformPlan } from './terraform/plan';
import { endpointConfigFacts, endpointFacts, modelFacts } from './terraform/sagemaker';

export type { FromPlanOptions, PlanResourceChange, TerraformPlan } from './terraform/plan';
export { KNOWN_AFTER_APPLY, parseTerraformPlan, TerraformPlanError } from './terraform/plan';
export { planAccount, planRegion } from './terraform/plan-scope';

/** Facts for every SageMaker model, endpoint config and endpoint, ECR repository and S3 bucket the plan keeps. */
export function factsFromPlan(plan: TerraformPlan, opts: FromPlanOptions = {}): ResourceFacts[] {
  const index = new PlanIndex(plan);
  const region = opts.region ?? planRegion(plan);
  const account = planAccount(plan);
  const out: ResourceFacts[] = [];
  for (const inst of index.instances) {
    switch (inst.rc.type) {
      case 'aws_sagemaker_model':
        out.push(modelFacts(inst, region));
        break;
      case 'aws_sagemaker_endpoint_configuration':
        out.push(endpointConfigFacts(inst, index, region));
        break;
      case 'aws_sagemaker_endpoint':
        out.push(endpointFacts(inst, region));
        break;
      case 'aws_ecr_repository':
        out.push(repositoryFacts(inst, index, region));
        break;
      case 'aws_s3_bucket':
        out.push(bucketFacts(inst, index, region));
        break;
      case 'aws_kms_key':
      case 'aws_kms_replica_key':
        out.push(keyFacts(inst, region));
        break;
      case 'aws_iam_role':
        out.push(roleFacts(inst, region));
        break;
      case 'aws_codebuild_project':
        out.push(buildProjectFacts(inst, region));
        break;
      case 'aws_iam_policy':
      case 'aws_iam_role_policy':
        // A document with a value known only after apply (an ARN of a resource being created) is not in the plan
        // at all: such a policy is judged by MLOPS-IAM-1 at synth (CDK) but cannot be at plan time.
        if (!inst.unknown(['policy'])) out.push(identityPolicyFacts(inst, region));
        break;
      default:
        break;
    }
  }
  const judged = withCaptureDestinations(out);
  // Event rules read the buckets' facts (purpose, capture destination), so they come after them.
  const bucketOf = new Map(
    index.ofType('aws_s3_bucket').flatMap((b) => {
      const f = judged.find((x) => x.id === b.address);
      return f?.kind === 'Bucket' ? [[b, f] as const] : [];
    }),
  );
  for (const rule of index.ofType('aws_cloudwatch_event_rule'))
    judged.push(eventRuleFacts(rule, index, bucketOf, region));
  return account === undefined ? judged : judged.map((f) => (f.account === undefined ? { ...f, account } : f));
}
