/**
 * The IAM roles the judged resources use (a model's execution role): each role read once per collection, however
 * many models share it, and each customer-managed policy once, however many roles it is attached to.
 * - GetRole: the trust policy (MLOPS-IAM-2);
 * - ListRolePolicies + GetRolePolicy: the inline policies, one facts entry per role (MLOPS-IAM-1);
 * - ListAttachedRolePolicies + GetPolicy + GetPolicyVersion: customer-managed policies (MLOPS-IAM-1). AWS-managed
 *   policies are not read (see `isAwsManagedPolicy`).
 * A read that fails is a recorded error, and the facts it would have shown are unknown (judged non-compliant).
 */
import type { AttachedPolicy, IAMClient, Role } from '@aws-sdk/client-iam';
import type { ResourceFacts } from '../../../core/policy/facts';
import {
  inlinePoliciesFacts,
  isAwsManagedPolicy,
  managedPolicyFacts,
  roleFacts,
  roleNameOfArn,
} from '../../../core/policy/from-aws';
import { awsErrorName, isNotFound } from '../../shared/errors';
import { sdk } from '../sdk';
import { allPages, Scan } from './scan';

interface Attachment {
  readonly policy: AttachedPolicy & { readonly PolicyArn: string };
  readonly roles: Set<string>;
  readonly usedBy: Set<string>;
}

export class IamReader {
  private readonly read = new Set<string>();
  private readonly documents = new Map<string, Promise<string | undefined>>();
  private readonly attachments = new Map<string, Attachment>();

  constructor(
    private readonly scan: Scan,
    private readonly iam: IAMClient,
  ) {}

  private get pager() {
    return { client: this.iam, pageSize: this.scan.pageSize };
  }

  /** The execution roles of the models among `resources`, each read once; `usedBy` names the models. */
  async rolesOf(resources: readonly ResourceFacts[]): Promise<void> {
    const users = new Map<string, Set<string>>();
    for (const r of resources) {
      if (r.kind !== 'Model' || r.executionRoleArn === undefined || this.read.has(r.executionRoleArn)) continue;
      const set = users.get(r.executionRoleArn) ?? new Set<string>();
      set.add(r.name ?? r.id);
      users.set(r.executionRoleArn, set);
    }
    await this.scan.each([...users.entries()], ([arn, usedBy]) => this.role(arn, [...usedBy].sort()));
    // A managed policy is judged once, naming every role (and model) it reaches.
    await this.scan.each([...this.attachments.values()], async (a) => {
      const document = await this.document(a.policy.PolicyArn);
      this.scan.add(managedPolicyFacts(a.policy, document, [...a.roles].sort(), [...a.usedBy].sort()));
    });
  }

  private async role(arn: string, usedBy: readonly string[]): Promise<void> {
    this.read.add(arn);
    const name = roleNameOfArn(arn);
    if (name === undefined) {
      this.scan.recordError('Role', arn, 'iam:GetRole', new TypeError(`not an IAM role ARN: ${arn}`));
      this.scan.add(roleFacts(arn, undefined, usedBy));
      return;
    }
    // GetRole first: a deleted role (a model outliving it) is not found, not three failed reads.
    const role = await this.getRole(arn, name);
    if (role === null) return;
    const [inline, attached] = await Promise.all([this.inlineDocuments(arn, name), this.attachedPolicies(arn, name)]);
    this.scan.add(roleFacts(arn, role, usedBy));
    // An unreadable attachment list hides policies: the role's identity policies are then unknown as a whole.
    const policies = inlinePoliciesFacts(arn, attached === undefined ? undefined : inline, usedBy);
    if (policies !== undefined) this.scan.add(policies);
    for (const p of attached ?? []) {
      const a = this.attachments.get(p.PolicyArn) ?? { policy: p, roles: new Set<string>(), usedBy: new Set<string>() };
      a.roles.add(name);
      usedBy.forEach((u) => a.usedBy.add(u));
      this.attachments.set(p.PolicyArn, a);
    }
  }

  /** The role (null when it no longer exists), or undefined when it could not be read. */
  private async getRole(arn: string, name: string): Promise<Role | null | undefined> {
    try {
      return (await this.iam.send(new (sdk.iam().GetRoleCommand)({ RoleName: name }))).Role;
    } catch (err) {
      if (isNotFound(err) || ['NoSuchEntity', 'NoSuchEntityException'].includes(awsErrorName(err) ?? '')) {
        this.scan.notFoundEntry('Role', arn);
        return null;
      }
      this.scan.recordError('Role', arn, 'iam:GetRole', err);
      return undefined;
    }
  }

  /** Each inline policy's document (undefined for one that could not be read); undefined when the listing failed. */
  private async inlineDocuments(arn: string, name: string): Promise<(string | undefined)[] | undefined> {
    let names: string[];
    try {
      names = await allPages(sdk.iam().paginateListRolePolicies(this.pager, { RoleName: name }), (p) => p.PolicyNames);
    } catch (err) {
      this.scan.recordError('IdentityPolicy', arn, 'iam:ListRolePolicies', err);
      return undefined;
    }
    return this.scan.each(names, async (policyName) => {
      try {
        const out = await this.iam.send(
          new (sdk.iam().GetRolePolicyCommand)({ RoleName: name, PolicyName: policyName }),
        );
        return out.PolicyDocument;
      } catch (err) {
        this.scan.recordError('IdentityPolicy', arn, 'iam:GetRolePolicy', err);
        return undefined;
      }
    });
  }

  /** Customer-managed policies attached to the role; undefined when the listing failed. */
  private async attachedPolicies(arn: string, name: string) {
    try {
      const all = await allPages(
        sdk.iam().paginateListAttachedRolePolicies(this.pager, { RoleName: name }),
        (p) => p.AttachedPolicies,
      );
      return all.filter(
        (p): p is AttachedPolicy & { PolicyArn: string } =>
          p.PolicyArn !== undefined && !isAwsManagedPolicy(p.PolicyArn),
      );
    } catch (err) {
      this.scan.recordError('IdentityPolicy', arn, 'iam:ListAttachedRolePolicies', err);
      return undefined;
    }
  }

  /** The default version's document of a managed policy, read once; undefined when it could not be read. */
  private document(policyArn: string): Promise<string | undefined> {
    let pending = this.documents.get(policyArn);
    if (pending === undefined) {
      pending = (async () => {
        let operation = 'iam:GetPolicy';
        try {
          const policy = await this.iam.send(new (sdk.iam().GetPolicyCommand)({ PolicyArn: policyArn }));
          operation = 'iam:GetPolicyVersion';
          const version = await this.iam.send(
            new (sdk.iam().GetPolicyVersionCommand)({
              PolicyArn: policyArn,
              VersionId: policy.Policy?.DefaultVersionId,
            }),
          );
          return version.PolicyVersion?.Document;
        } catch (err) {
          this.scan.recordError('IdentityPolicy', policyArn, operation, err);
          return undefined;
        }
      })();
      this.documents.set(policyArn, pending);
    }
    return pending;
  }
}
