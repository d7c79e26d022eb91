/**
 * Issue 20's acceptance, read from a cloud assembly the user's `npx cdk synth` wrote, through the one assembly walk
 * (lib/reports/assembly.ts): the pipeline deploys one digest per model to every environment, the image and endpoint
 * gates run again after every manual approval and before any deployment of its stage, and the release records go to
 * an Object Lock bucket in COMPLIANCE mode with the configured retention.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MlopsConfig } from '../../lib/config/schema';
import { AssemblyStack, assemblyStacks } from '../../lib/reports/assembly';

interface CfnResource {
  Type: string;
  Properties?: Record<string, unknown>;
}
interface CfnAction {
  Name: string;
  RunOrder: number;
  ActionTypeId: { Category: string; Provider: string };
  RoleArn?: unknown;
}

function resources(assembly: string, stack: AssemblyStack): CfnResource[] {
  const template = JSON.parse(readFileSync(join(assembly, stack.templatePath), 'utf8')) as {
    Resources: Record<string, CfnResource>;
  };
  return Object.values(template.Resources);
}

/** Asserts the acceptance of issue 20 on the assembly in `assembly`, synthesized from `config`. */
export function expectReleaseAcceptance(assembly: string, config: MlopsConfig): void {
  const stacks = assemblyStacks(assembly);
  const pipelineStack = stacks.find((s) => s.displayName === 'Pipeline');
  expect(pipelineStack).toBeDefined();
  const pipelineResources = resources(assembly, pipelineStack!);

  // One digest per model (configured as `digest`, or as a tag that is a digest), the same in every environment.
  for (const model of config.models) {
    const digest = model.image.digest ?? model.image.tag;
    expect(digest).toMatch(/^sha256:[a-f0-9]{64}$/);
    for (const environment of config.environments) {
      const stack = stacks.find((s) => s.displayName === `${environment.name}/Model-${model.name}`);
      expect(stack).toBeDefined();
      const images = resources(assembly, stack!)
        .filter((r) => r.Type === 'AWS::SageMaker::Model')
        .map((r) => JSON.stringify((r.Properties as { PrimaryContainer: { Image: unknown } }).PrimaryContainer.Image));
      expect(images).toHaveLength(1);
      expect([...images[0]!.matchAll(/@(sha256:[a-f0-9]{64})/g)].map((m) => m[1])).toEqual([digest]);
      expect(images[0]).not.toContain(`:${model.image.tag}"`);
    }
  }

  // Gates after every approval: the image and endpoint gates (in the environment's account) and the approval's
  // expiry check run after the approval and before the stage's first deployment; every configured approval exists.
  const [pipeline] = pipelineResources.filter((r) => r.Type === 'AWS::CodePipeline::Pipeline');
  const stages = (pipeline!.Properties as { Stages: { Name: string; Actions: CfnAction[] }[] }).Stages;
  for (const environment of config.environments) {
    const actions = stages.find((s) => s.Name === environment.name)!.Actions;
    const order = (name: string) => actions.find((a) => a.Name === name)?.RunOrder;
    const firstDeploy = Math.min(...actions.filter((a) => a.ActionTypeId.Category === 'Deploy').map((a) => a.RunOrder));
    expect(order('ImageGate')).toBeLessThan(firstDeploy);
    if (!environment.manualApproval) {
      expect(actions.filter((a) => a.ActionTypeId.Category === 'Approval')).toEqual([]);
      continue;
    }
    const approvals = actions.filter((a) => a.ActionTypeId.Category === 'Approval');
    expect(approvals.map((a) => a.Name)).toEqual(['Approve']);
    for (const after of ['ImageGateAfterApproval', 'EndpointGateBeforeDeploy', 'ApprovalCheck']) {
      expect(order(after)).toBeGreaterThan(approvals[0]!.RunOrder);
      expect(order(after)).toBeLessThan(firstDeploy);
    }
    for (const gate of ['ImageGateAfterApproval', 'EndpointGateBeforeDeploy']) {
      const action = actions.find((a) => a.Name === gate)!;
      expect(action.ActionTypeId).toEqual({ Category: 'Invoke', Provider: 'Lambda', Owner: 'AWS', Version: '1' });
      expect(JSON.stringify(action.RoleArn)).toContain(`:iam::${environment.account}:role/`);
    }
  }

  // The release-record bucket: Object Lock in COMPLIANCE mode, the configured retention, KMS-encrypted.
  const locked = pipelineResources.filter((r) => r.Type === 'AWS::S3::Bucket' && r.Properties?.ObjectLockEnabled);
  expect(locked).toHaveLength(1);
  expect(locked[0]!.Properties).toMatchObject({
    ObjectLockConfiguration: {
      ObjectLockEnabled: 'Enabled',
      Rule: { DefaultRetention: { Mode: 'COMPLIANCE', Days: config.pipeline!.release.recordRetentionDays } },
    },
    BucketEncryption: {
      ServerSideEncryptionConfiguration: [
        expect.objectContaining({
          ServerSideEncryptionByDefault: expect.objectContaining({ SSEAlgorithm: 'aws:kms' }),
        }),
      ],
    },
  });
}
