/**
 * Least privilege over what CDK Pipelines and aws-cdk-lib generate for the delivery pipeline: wildcard resources
 * rewritten to resource-level ARNs, the source connection granted in both of its ARN forms, and KMS use confined to
 * the pipeline's artifact keys.
 */
import { IResolveContext, Lazy, Stack } from 'aws-cdk-lib';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as iam from 'aws-cdk-lib/aws-iam';

/**
 * CDK Pipelines grants a few of its own actions on "*" (self-mutation reads stacks and lists the bootstrap bucket;
 * the asset project starts its builds; the pipeline role uses the artifact keys of other regions). Each has a resource-level form, so the written policies name the resources
 * instead (MLOPS-IAM-1): this account's stacks, the CDK bootstrap buckets, this account's build projects. The
 * rewrite runs when the template is rendered, after CDK Pipelines has added every statement.
 */
export function scopeGeneratedWildcards(stack: Stack): void {
  const { partition, account, region } = stack;
  const scopedResources: Record<string, string> = {
    'cloudformation:describestacks': `arn:${partition}:cloudformation:*:${account}:stack/*`,
    's3:listbucket': `arn:${partition}:s3:::cdk-*`,
    'codebuild:batchgetbuilds': `arn:${partition}:codebuild:${region}:${account}:project/*`,
    'codebuild:startbuild': `arn:${partition}:codebuild:${region}:${account}:project/*`,
    'codebuild:stopbuild': `arn:${partition}:codebuild:${region}:${account}:project/*`,
    // Artifact keys of the other regions live in this (tooling) account; OnlyPipelineArtifactKeys narrows further.
    ...Object.fromEntries(
      ['decrypt', 'describekey', 'encrypt', 'generatedatakey*', 'reencrypt*'].map((a) => [
        `kms:${a}`,
        `arn:${partition}:kms:*:${account}:key/*`,
      ]),
    ),
  };
  type Statement = { Action?: string | string[]; Resource?: unknown; [k: string]: unknown };
  for (const policy of stack.node.findAll().filter((c): c is iam.CfnPolicy => c instanceof iam.CfnPolicy)) {
    const original = policy.policyDocument as unknown;
    policy.policyDocument = Lazy.uncachedAny({
      produce: (ctx: IResolveContext) => {
        const doc = ctx.resolve(original) as { Statement?: Statement[] };
        const statement = (doc.Statement ?? []).map((st) => {
          const actions = typeof st.Action === 'string' ? [st.Action] : (st.Action ?? []);
          const scoped = actions.map((a) => scopedResources[a.toLowerCase()]);
          const listed = Array.isArray(st.Resource) ? (st.Resource as unknown[]) : [st.Resource];
          if (!listed.includes('*') || actions.length === 0 || scoped.some((r) => r === undefined)) return st;
          const resources = [...new Set([...(scoped as string[]), ...listed.filter((r) => r !== '*')])];
          return { ...st, Resource: resources.length === 1 ? resources[0] : resources };
        });
        return { ...doc, Statement: statement };
      },
    });
  }
}

/**
 * CDK grants only `codestar-connections:UseConnection`; a connection created as CodeConnections is authorized by
 * `codeconnections:UseConnection`. Both actions, on both ARN forms of the one configured connection.
 */
export function allowSourceConnection(
  stack: Stack,
  pipeline: codepipeline.Pipeline,
  sourceAction: codepipeline.IAction,
  connectionArn: string,
): void {
  // The pipeline creates the source action's role when it binds the action: under the stage, under the action.
  const stageName = pipeline.stages[0]!.stageName;
  const roles = (pipeline.node.tryFindChild(stageName)?.node.findAll() ?? []).filter(
    (c): c is iam.Role =>
      c instanceof iam.Role && c.node.path.includes(`/${sourceAction.actionProperties.actionName}/`),
  );
  if (roles.length !== 1) {
    throw new Error(
      `PipelineStack ${stack.node.path}: expected one role for the source action to grant the connection, found ${roles.length}`,
    );
  }
  const twin = connectionArn.includes(':codeconnections:')
    ? connectionArn.replace(':codeconnections:', ':codestar-connections:')
    : connectionArn.replace(':codestar-connections:', ':codeconnections:');
  roles[0]!.addToPrincipalPolicy(
    new iam.PolicyStatement({
      sid: 'UseSourceConnection',
      actions: ['codeconnections:UseConnection', 'codestar-connections:UseConnection'],
      resources: [connectionArn, twin],
    }),
  );
}

/**
 * For a key in another region, aws-cdk-lib grants the pipeline role KMS use on "*" (it cannot name a key ARN across
 * regions). The key policies name the role, so this is more than it needs: deny KMS use on every key that carries
 * none of the pipeline's artifact-key aliases.
 */
export function confineKeyUseToArtifactKeys(role: iam.Role, prefix: string): void {
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      sid: 'OnlyPipelineArtifactKeys',
      effect: iam.Effect.DENY,
      actions: ['kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:GenerateDataKey*', 'kms:ReEncrypt*'],
      resources: ['*'],
      conditions: { 'ForAllValues:StringNotLike': { 'kms:ResourceAliases': `alias/${prefix}/artifacts*` } },
    }),
  );
}
