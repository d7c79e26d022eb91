/**
 * The plan-time check as the pull-request workflow runs it, with the real terraform binary: the example module
 * planned (provider from the mirror; its only API call, STS for the account id, answered by moto_server through
 * AWS_ENDPOINT_URL, as in the workflow), `terraform show -json`, then `npm run policy:terraform` on that plan.
 *
 * The example passes as it is; a copy with insecure resources added in a file of its own fails with each rule and
 * resource named, and SARIF places every alert at that file and the resource block's line.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TERRAFORM_POLICY_SARIF } from '../../scripts/policy-terraform';
import { RunningMoto, startMoto } from '../support/moto-server';
import { OFFLINE_AWS_ENV, ROOT, requireTerraform, scratchCopy, terraform } from './terraform-cli';

const EXAMPLE = 'terraform/modules/mlops-model-environment/examples/basic';
const FOREIGN = '999988887777';

/** Resources a reviewer would reject, one per rule class of issue #23 that a plan can show. */
const INSECURE_TF = `
data "aws_caller_identity" "this" {}

resource "aws_kms_key" "shared" {
  description         = "shared with a partner"
  enable_key_rotation = false
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      { Sid = "Admin", Effect = "Allow", Principal = { AWS = "arn:aws:iam::\${data.aws_caller_identity.this.account_id}:root" }, Action = "kms:*", Resource = "*" },
      { Sid = "Partner", Effect = "Allow", Principal = { AWS = "arn:aws:iam::${FOREIGN}:root" }, Action = ["kms:Decrypt", "kms:CreateGrant"], Resource = "*" },
    ]
  })
}

resource "aws_iam_role" "anyone" {
  name = "assumable-by-anyone"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { AWS = "*" }
      Action    = "sts:AssumeRole"
      Condition = { StringLike = { "aws:PrincipalArn" = "*" } }
    }]
  })
}

resource "aws_cloudwatch_event_rule" "capture_feed" {
  name = "capture-feed"
  event_pattern = jsonencode({
    source = ["aws.s3"]
    detail = { bucket = { name = ["mlops-production-fraud-xgb-capture-\${data.aws_caller_identity.this.account_id}"] } }
  })
}

resource "aws_cloudwatch_event_target" "partner_bus" {
  rule = aws_cloudwatch_event_rule.capture_feed.name
  arn  = "arn:aws:events:eu-west-1:${FOREIGN}:event-bus/default"
}

resource "aws_codebuild_project" "builder" {
  name         = "builder"
  service_role = "arn:aws:iam::\${data.aws_caller_identity.this.account_id}:role/builder"
  artifacts {
    type = "NO_ARTIFACTS"
  }
  source {
    type     = "NO_SOURCE"
    buildspec = "version: 0.2"
  }
  environment {
    compute_type    = "BUILD_GENERAL1_SMALL"
    image           = "aws/codebuild/standard:7.0"
    type            = "LINUX_CONTAINER"
    privileged_mode = true
    environment_variable {
      name  = "DB_PASSWORD"
      value = "hunter2-but-longer"
    }
  }
}
`;

/** The 1-based line of `resource "<type>" "<name>"` in a file. */
const lineOf = (file: string, type: string, name: string) =>
  readFileSync(file, 'utf8')
    .split('\n')
    .findIndex((l) => l.startsWith(`resource "${type}" "${name}"`)) + 1;

interface SarifResult {
  ruleId: string;
  locations: {
    physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number } };
    logicalLocations: { fullyQualifiedName: string }[];
  }[];
}

describe('npm run policy:terraform on the example module planned with the real terraform binary', () => {
  let moto: RunningMoto;

  beforeAll(async () => {
    requireTerraform();
    moto = await startMoto();
  });
  afterAll(() => moto?.stop());

  /** Plans a scratch copy of the example (with `extra` as insecure.tf) and runs the check from the copy's root. */
  function planAndCheck(extra?: string) {
    const { dir, root } = scratchCopy(EXAMPLE);
    if (extra !== undefined) writeFileSync(join(root, 'insecure.tf'), extra);
    const env = { ...OFFLINE_AWS_ENV, AWS_ENDPOINT_URL: moto.endpoint };
    for (const args of [
      ['init', '-input=false', '-backend=false', '-no-color'],
      ['plan', '-input=false', '-no-color', '-out', 'plan.tfplan'],
    ]) {
      const r = terraform(root, args, 300_000, env);
      if (r.status !== 0) throw new Error(`terraform ${args[0]} failed:\n${r.stdout}\n${r.stderr}`);
    }
    const show = terraform(root, ['show', '-json', 'plan.tfplan'], 120_000, env);
    writeFileSync(join(root, 'plan.json'), show.stdout);
    // Run from the copy's top, as the workflow runs from the repository's: SARIF URIs are relative to it. The
    // config is cdk.json's default, its baseline file given absolute: it lies in the checkout, outside this copy,
    // so MLOPS_BASELINE_ROOT names the checkout as the allowed root (docs/configuration.md).
    const config = JSON.parse(readFileSync(join(ROOT, 'cdk.json'), 'utf8')).context['mlops:defaultConfig'] as {
      models: { monitoring?: { baselineFile?: string } }[];
    };
    for (const m of config.models)
      if (m.monitoring?.baselineFile !== undefined) m.monitoring.baselineFile = join(ROOT, m.monitoring.baselineFile);
    writeFileSync(join(dir, 'config.json'), JSON.stringify(config));
    const cli = spawnSync(
      join(ROOT, 'node_modules', '.bin', 'tsx'),
      [
        join(ROOT, 'scripts', 'policy-terraform.ts'),
        `${EXAMPLE}/plan.json`,
        '--out',
        'reports',
        '--config',
        'config.json',
      ],
      { cwd: dir, encoding: 'utf8', env: { ...process.env, MLOPS_BASELINE_ROOT: ROOT } },
    );
    if (!existsSync(join(dir, 'reports', TERRAFORM_POLICY_SARIF)))
      throw new Error(`policy:terraform wrote no SARIF (exit ${cli.status}):\n${cli.stdout}\n${cli.stderr}`);
    const sarif = JSON.parse(readFileSync(join(dir, 'reports', TERRAFORM_POLICY_SARIF), 'utf8')) as {
      runs: { results: SarifResult[] }[];
    };
    return { root, status: cli.status, stdout: cli.stdout, stderr: cli.stderr, results: sarif.runs[0]!.results };
  }

  test('passes the example as it is: exit 0, no alert', () => {
    // GIVEN the example module with its secure defaults WHEN planned and checked
    const r = planAndCheck();
    // THEN
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('PASS: 0 open');
    expect(r.results).toEqual([]);
  }, 240_000);

  test('fails insecure resources with each rule and resource named, each alert at its .tf file and line', () => {
    // GIVEN the example with insecure resources added WHEN planned and checked
    const r = planAndCheck(INSECURE_TF);
    // THEN the command fails, naming each rule on its resource
    expect(r.status).toBe(1);
    const file = join(r.root, 'insecure.tf');
    const expected: [string, string, string][] = [
      ['MLOPS-KMS-2', 'aws_kms_key', 'shared'],
      ['MLOPS-KMS-3', 'aws_kms_key', 'shared'],
      ['MLOPS-IAM-2', 'aws_iam_role', 'anyone'],
      ['MLOPS-EVENTS-1', 'aws_cloudwatch_event_rule', 'capture_feed'],
      ['MLOPS-BUILD-1', 'aws_codebuild_project', 'builder'],
      ['MLOPS-BUILD-2', 'aws_codebuild_project', 'builder'],
    ];
    for (const [, type, name] of expected) expect(r.stdout).toMatch(new RegExp(`FAIL ${type}\\.${name} `));
    // AND each alert sits at the resource block in insecure.tf, relative to where the command ran
    const alerts = r.results.map((x) => ({
      ruleId: x.ruleId,
      address: x.locations[0]!.logicalLocations[0]!.fullyQualifiedName,
      uri: x.locations[0]!.physicalLocation.artifactLocation.uri,
      line: x.locations[0]!.physicalLocation.region.startLine,
    }));
    expect(alerts).toEqual(
      expect.arrayContaining(
        expected.map(([ruleId, type, name]) => ({
          ruleId,
          address: `${type}.${name}`,
          uri: `${EXAMPLE}/insecure.tf`,
          line: lineOf(file, type, name),
        })),
      ),
    );
    // AND nothing of the module itself fails
    expect(alerts.filter((a) => a.address.startsWith('module.'))).toEqual([]);
    expect(r.stdout).toContain(`(account ${FOREIGN})`);
  }, 240_000);
});
