import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { deadAcknowledgements } from '../../lib/reports/audit';
import { ValidationReport } from '../../lib/reports/validation-report';
import { buildTestApp, defaultConfigDocument } from '../support/app';

function configWith(github: Record<string, unknown>, sameAccount = false) {
  const doc = defaultConfigDocument() as { environments: { account: string; region: string }[]; github?: unknown };
  doc.github = github;
  if (sameAccount) {
    // One account, two regions: one account and region twice is a config error (both would build one registry).
    doc.environments[1]!.account = doc.environments[0]!.account;
    doc.environments[1]!.region = doc.environments[0]!.region === 'eu-central-1' ? 'eu-west-1' : 'eu-central-1';
  }
  return doc;
}
const trust = (sub: string) => ({
  AssumeRolePolicyDocument: {
    Statement: [
      {
        Action: 'sts:AssumeRoleWithWebIdentity',
        Effect: 'Allow',
        Principal: { Federated: { Ref: Match.stringLikeRegexp('^Provider') } },
        Condition: {
          StringEquals: {
            'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com',
            'token.actions.githubusercontent.com:sub': sub,
          },
        },
      },
    ],
  },
});

describe('GithubOidcStack', () => {
  test('is not created without a github block', () => {
    const { githubOidc } = buildTestApp(defaultConfigDocument(), { policyPacks: false });
    expect(githubOidc).toEqual([]);
  });

  test('creates the native OIDC provider and an image role trusted only for pushes to the branch of this repository', () => {
    // GIVEN a config naming the repository
    const { githubOidc } = buildTestApp(configWith({ repository: 'acme/mlops' }), { policyPacks: false });
    // THEN one stack per account, each with the provider and the image publisher
    expect(githubOidc.map((s) => s.account)).toEqual(['111111111111', '222222222222']);
    const t = Template.fromStack(githubOidc[0]!);
    t.hasResourceProperties('AWS::IAM::OIDCProvider', {
      Url: 'https://token.actions.githubusercontent.com',
      ClientIdList: ['sts.amazonaws.com'],
    });
    t.hasResourceProperties('AWS::IAM::Role', {
      RoleName: 'mlops-github-image-publisher',
      MaxSessionDuration: 3600,
      ...trust('repo:acme/mlops:ref:refs/heads/main'),
    });
    // AND it may push only to the config's model repositories
    t.hasResourceProperties('AWS::IAM::ManagedPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: Match.arrayWith([
              'ecr:DescribeImageScanFindings',
              'ecr:DescribeImages',
              'ecr:DescribeRepositories',
              'ecr:PutImage',
            ]),
            Resource: 'arn:aws:ecr:eu-west-1:111111111111:repository/fraud-xgb',
          }),
        ]),
      },
    });
    // AND no deploy role unless asked
    t.resourceCountIs('AWS::IAM::Role', 1);
  });

  test('adds deploy roles trusted only for jobs in the GitHub environment of the same name', () => {
    const { githubOidc } = buildTestApp(configWith({ repository: 'acme/mlops', deployRoles: true }), {
      policyPacks: false,
    });
    const staging = Template.fromStack(githubOidc[0]!);
    staging.hasResourceProperties('AWS::IAM::Role', {
      RoleName: 'mlops-github-deploy-staging',
      ...trust('repo:acme/mlops:environment:staging'),
    });
    staging.hasResourceProperties('AWS::IAM::ManagedPolicy', {
      PolicyDocument: {
        Statement: [
          {
            Action: 'sts:AssumeRole',
            Effect: 'Allow',
            Resource: 'arn:aws:iam::111111111111:role/cdk-hnb659fds-*-role-111111111111-eu-west-1',
          },
        ],
      },
    });
    expect(
      Template.fromStack(githubOidc[1]!).findResources('AWS::IAM::Role', {
        Properties: { RoleName: 'mlops-github-deploy-staging' },
      }),
    ).toEqual({});
  });

  test('makes one provider per account when environments share an account', () => {
    const { githubOidc } = buildTestApp(configWith({ repository: 'acme/mlops', deployRoles: true }, true), {
      policyPacks: false,
    });
    expect(githubOidc).toHaveLength(1);
    const t = Template.fromStack(githubOidc[0]!);
    t.resourceCountIs('AWS::IAM::OIDCProvider', 1);
    t.resourceCountIs('AWS::IAM::Role', 3);
  });

  test('rejects a repository that is not owner/name, naming the field', () => {
    expect(() => buildTestApp(configWith({ repository: 'mlops' }), { policyPacks: false })).toThrow(
      /github\.repository: must be owner\/name of a GitHub repository/,
    );
  });

  test('passes every policy pack with no unacknowledged finding and no dead acknowledgement', () => {
    // GIVEN the app with the OIDC stacks and deploy roles, synthesized with all six packs
    const { app } = buildTestApp(configWith({ repository: 'acme/mlops', deployRoles: true }));
    let error: unknown;
    try {
      (app as App).synth();
    } catch (e) {
      error = e;
    }
    const report = JSON.parse(readFileSync(join(app.outdir, 'validation-report.json'), 'utf8')) as ValidationReport;
    const open = report.pluginReports.flatMap((p) =>
      p.violations.flatMap((v) => v.violatingConstructs.map((c) => `${v.ruleName} @ ${c.constructPath}`)),
    );
    // THEN
    expect(open).toEqual([]);
    expect(error).toBeUndefined();
    expect(deadAcknowledgements(app, report)).toEqual([]);
    const oidcAcks = report.pluginReports
      .flatMap((p) => p.suppressedViolations ?? [])
      .filter((s) => s.violatingConstructs.some((c) => c.constructPath.startsWith('GithubOidc-')));
    expect(oidcAcks.map((s) => s.ruleName).sort()).toEqual(
      expect.arrayContaining([
        'AwsSolutions-IAM5[Resource::*]',
        'AwsSolutions-IAM5[Resource::arn:aws:iam::111111111111:role/cdk-hnb659fds-*-role-111111111111-eu-west-1]',
      ]),
    );
  });
});
