/**
 * GitHub Actions → AWS without stored keys: the account's GitHub OIDC provider and the roles the workflows assume.
 * One stack per AWS account (IAM allows one provider per URL per account), covering every environment in it.
 *
 * - `ImagePublisher`: assumable only by workflow runs of `github.repository` on pushes to `github.imageBranch`
 *   (`repo:<owner>/<name>:ref:refs/heads/<branch>`); pushes to and reads scan findings of the model repositories
 *   named in the config, in the environments' regions, nothing else.
 * - `Deployer-<environment>` (when `github.deployRoles`): assumable only by jobs that run in the GitHub environment
 *   of the same name (`repo:<owner>/<name>:environment:<env>`), so GitHub's environment protection rules
 *   (reviewers, branches) gate it; may only assume that environment's CDK bootstrap roles.
 * Pull-request workflows get no role: they synthesize and test offline.
 */
import { Arn, CfnOutput, Duration, Stack, StackProps, Tags } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { EnvironmentConfig, GithubConfig, MlopsConfig } from '../config/schema';
import { acknowledge } from '../nag/acknowledgements';

export const GITHUB_OIDC_URL = 'https://token.actions.githubusercontent.com';
const GITHUB_OIDC_HOST = 'token.actions.githubusercontent.com';
const STS_AUDIENCE = 'sts.amazonaws.com';

export interface GithubOidcStackProps extends StackProps {
  readonly config: MlopsConfig;
  readonly github: GithubConfig;
  /** The environments whose account this stack is deployed to (all in one account). */
  readonly environments: readonly EnvironmentConfig[];
}

export class GithubOidcStack extends Stack {
  public readonly provider: iam.OidcProviderNative;
  public readonly imagePublisher: iam.Role;
  public readonly deployers: Readonly<Record<string, iam.Role>>;

  constructor(scope: Construct, id: string, props: GithubOidcStackProps) {
    super(scope, id, props);
    const { config, github, environments } = props;
    const accounts = new Set(environments.map((e) => e.account));
    if (accounts.size !== 1) {
      throw new Error(
        `GithubOidcStack ${id} serves one AWS account, got environments in ${[...accounts].join(', ') || 'none'}; create one stack per account`,
      );
    }
    const account = environments[0]!.account;

    this.provider = new iam.OidcProviderNative(this, 'Provider', {
      url: GITHUB_OIDC_URL,
      clientIds: [STS_AUDIENCE],
    });

    this.imagePublisher = this.addGithubRole('ImagePublisher', {
      roleName: `${config.projectName}-github-image-publisher`,
      subject: `repo:${github.repository}:ref:refs/heads/${github.imageBranch}`,
      description: `GitHub ${github.repository} (${github.imageBranch}): push model images and read their scan findings`,
    });
    const repositoryArns = environments.flatMap((e) =>
      [...new Set(config.models.map((m) => m.image.repository))].map((name) =>
        Arn.format({
          partition: 'aws',
          service: 'ecr',
          region: e.region,
          account,
          resource: 'repository',
          resourceName: name,
        }),
      ),
    );
    const publishPolicy = new iam.ManagedPolicy(this, 'ImagePublisherPolicy', {
      roles: [this.imagePublisher],
      statements: [
        // ECR's registry login has no resource-level permission.
        new iam.PolicyStatement({ actions: ['ecr:GetAuthorizationToken'], resources: ['*'] }),
        new iam.PolicyStatement({
          actions: [
            'ecr:BatchCheckLayerAvailability',
            'ecr:InitiateLayerUpload',
            'ecr:UploadLayerPart',
            'ecr:CompleteLayerUpload',
            'ecr:PutImage',
            'ecr:BatchGetImage',
            'ecr:GetDownloadUrlForLayer',
            'ecr:DescribeImages',
            'ecr:DescribeImageScanFindings',
            // scripts/image-scan-gate.ts reads the repository ARN.
            'ecr:DescribeRepositories',
          ],
          resources: [...new Set(repositoryArns)],
        }),
      ],
    });
    acknowledge(publishPolicy, {
      pack: 'AwsSolutions',
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'Only ecr:GetAuthorizationToken, which IAM accepts on "*" only; pushes are limited to the model repositories.',
    });

    const deployers: Record<string, iam.Role> = {};
    if (github.deployRoles) {
      for (const e of environments) deployers[e.name] = this.addDeployer(config, github, e);
    }
    this.deployers = deployers;

    for (const [k, v] of Object.entries(config.tags)) Tags.of(this).add(k, v);
    Tags.of(this).add('Project', config.projectName);
  }

  /** A role only tokens from GitHub's issuer, for STS, with exactly this subject can assume. */
  private addGithubRole(id: string, opts: { roleName: string; subject: string; description: string }): iam.Role {
    const role = new iam.Role(this, id, {
      roleName: opts.roleName,
      description: opts.description,
      maxSessionDuration: Duration.hours(1),
      assumedBy: new iam.WebIdentityPrincipal(this.provider.oidcProviderArn, {
        StringEquals: {
          [`${GITHUB_OIDC_HOST}:aud`]: STS_AUDIENCE,
          [`${GITHUB_OIDC_HOST}:sub`]: opts.subject,
        },
      }),
    });
    new CfnOutput(this, `${id}Arn`, { value: role.roleArn, description: `${opts.description} (${opts.subject})` });
    return role;
  }

  private addDeployer(config: MlopsConfig, github: GithubConfig, e: EnvironmentConfig): iam.Role {
    const role = this.addGithubRole(`Deployer-${e.name}`, {
      roleName: `${config.projectName}-github-deploy-${e.name}`,
      subject: `repo:${github.repository}:environment:${e.name}`,
      description: `GitHub ${github.repository}, environment ${e.name}: cdk deploy through the bootstrap roles`,
    });
    const bootstrapRoles = `arn:aws:iam::${e.account}:role/cdk-${github.bootstrapQualifier}-*-role-${e.account}-${e.region}`;
    const policy = new iam.ManagedPolicy(this, `Deployer-${e.name}-Policy`, {
      roles: [role],
      statements: [new iam.PolicyStatement({ actions: ['sts:AssumeRole'], resources: [bootstrapRoles] })],
    });
    acknowledge(policy, {
      pack: 'AwsSolutions',
      id: `AwsSolutions-IAM5[Resource::${bootstrapRoles}]`,
      reason: `Assumes only the CDK bootstrap roles (deploy, file/image publishing, lookup) of ${e.name}: the wildcard stands for the role kind; they hold the deploy rights.`,
    });
    return role;
  }
}

/** One GithubOidcStack per AWS account of the config's environments, in the first environment's region. */
export function addGithubOidcStacks(scope: Construct, config: MlopsConfig): GithubOidcStack[] {
  const github = config.github;
  if (!github) return [];
  const byAccount = new Map<string, EnvironmentConfig[]>();
  for (const e of config.environments) byAccount.set(e.account, [...(byAccount.get(e.account) ?? []), e]);
  return [...byAccount.entries()].map(
    ([account, environments]) =>
      new GithubOidcStack(scope, `GithubOidc-${account}`, {
        env: { account, region: environments[0]!.region },
        stackName: `${config.projectName}-github-oidc`,
        description: `${config.projectName}: GitHub Actions OIDC provider and roles for ${github.repository}`,
        config,
        github,
        environments,
      }),
  );
}
