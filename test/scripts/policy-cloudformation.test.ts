/**
 * The catalogue on CloudFormation templates this project did not write: the eleven public templates of the shared
 * corpus (AWS teams' templates; copied unedited to test/fixtures/corpus/cloudformation with their SOURCES.md and
 * licences, so CI on a clean clone has them), each verdict below judged by reading the template, plus the CLI's exit
 * codes and reports.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compliancePolicy, parseConfig } from '../../lib/config/loader';
import { parseTemplate } from '../../core/policy/parse-template';
import { judgeTemplates } from '../../scripts/policy-cloudformation';
import { defaultConfigDocument } from '../support/app';

const ROOT = join(__dirname, '..', '..');
const CORPUS = process.env.MLOPS_CFN_CORPUS ?? join(ROOT, 'test', 'fixtures', 'corpus', 'cloudformation');
const FIXTURE = join(ROOT, 'test', 'fixtures', 'templates', 'compliant-bucket.yaml');
const POLICY = compliancePolicy(parseConfig(defaultConfigDocument()));

function corpus() {
  if (!existsSync(CORPUS)) {
    throw new Error(
      `the public template corpus is missing at ${CORPUS}: restore test/fixtures/corpus/cloudformation (or set MLOPS_CFN_CORPUS)`,
    );
  }
  return readdirSync(CORPUS)
    .filter((f) => f.endsWith('.json'))
    .map((f) => ({ path: f, template: parseTemplate(readFileSync(join(CORPUS, f), 'utf8'), f) }));
}

/** `file/LogicalId RULE` -> description, for every open finding. */
function verdicts(region?: string): Map<string, string> {
  const { report } = judgeTemplates(corpus(), POLICY, region);
  const out = new Map<string, string>();
  for (const v of report.pluginReports[0]!.violations) {
    out.set(`${v.violatingConstructs[0]!.constructPath} ${v.ruleName}`, v.description);
  }
  return out;
}

describe('the catalogue on the public corpus (verdicts judged by reading each template)', () => {
  const open = verdicts('eu-west-1');
  const fails = (key: string, reason?: RegExp) => {
    expect(open.has(key)).toBe(true);
    if (reason) expect(open.get(key)).toMatch(reason);
  };
  const passes = (key: string) => expect(open.has(key)).toBe(false);

  test('a TLS deny whose bucket and resources are written by the same Fn::Sub belongs to that bucket', () => {
    // GIVEN cfn-templates-compliant-bucket: BucketName and the policy's Bucket are the same Fn::Sub over a parameter
    // THEN TLS-only and public access block hold; SSE-S3 is not a customer-managed key
    passes('cfn-templates-compliant-bucket.json/ObjectStorageBucket MLOPS-BUCKET-2');
    passes('cfn-templates-compliant-bucket.json/ObjectStorageBucket MLOPS-BUCKET-4');
    fails('cfn-templates-compliant-bucket.json/ObjectStorageBucket MLOPS-BUCKET-3', /AES256/);
  });

  test('a key behind a parameter is unknown, never compliant', () => {
    // GIVEN secure-mlops-env-s3 (KMSMasterKeyID: !Ref S3BucketKMSKeyId) and safe-deploy-model-prd (KmsKeyId param)
    fails('secure-mlops-env-s3.json/DataBucket MLOPS-BUCKET-3', /could not be proved customer-managed/);
    fails('safe-deploy-model-prd.json/EndpointConfig MLOPS-SM-1', /could not be proved customer-managed/);
    fails('safe-deploy-model-prd.json/EndpointConfig MLOPS-CAPTURE-2', /could not be proved customer-managed/);
    // AND its 100 % literal sampling breaks minimisation
    fails('safe-deploy-model-prd.json/EndpointConfig MLOPS-CAPTURE-3', /sampling percentage 100 exceeds/);
  });

  test('a VPC-only deny with a parameter in its condition is not a TLS deny (and not unknown)', () => {
    fails('secure-mlops-env-s3.json/DataBucket MLOPS-BUCKET-2', /no bucket policy statement denies/);
  });

  test('capture settings behind parameters are reported unknown, never not applicable', () => {
    // GIVEN scpt-deployment-patterns: EnableCapture and InitialSamplingPercentage are parameters
    fails('scpt-deployment-patterns.json/EndpointConfig MLOPS-CAPTURE-1', /unknown/);
    fails('scpt-deployment-patterns.json/EndpointConfig MLOPS-CAPTURE-3', /unknown/);
  });

  test('keys defined in the template are customer-managed; absent isolation is the API default (off)', () => {
    passes('aiops-model-endpoint-stack.json/EndpointConfig MLOPS-SM-1');
    fails('aiops-model-endpoint-stack.json/Model MLOPS-SM-2', /network isolation is disabled/);
    fails('aiops-model-endpoint-stack.json/EndpointConfig MLOPS-CAPTURE-1', /no DataCaptureConfig/);
  });

  test('a repository with no settings breaks every repository rule', () => {
    for (const rule of ['MLOPS-ECR-1', 'MLOPS-ECR-2', 'MLOPS-ECR-3', 'MLOPS-ECR-4']) {
      fails(`mlops-byo-build-pipeline.json/ElasticContainerRegistry ${rule}`);
    }
  });

  test('an identity policy granting logs and SageMaker actions on "*" is caught (MLOPS-IAM-1)', () => {
    fails('aiops-model-build-support-stack.json/SageMakerPolicyA8F97297 MLOPS-IAM-1', /logs:CreateLogGroup/);
  });

  test('a DataCaptureConfig behind Fn::If is unknown, never "capture off" (capture may be on, with no key)', () => {
    // GIVEN scpt-serverless-inf: DataCaptureConfig is Fn::If [IsProdEnv, {...}, AWS::NoValue]
    fails('scpt-serverless-inf.json/EndpointConfig MLOPS-CAPTURE-1', /unknown/);
    fails('scpt-serverless-inf.json/EndpointConfig MLOPS-CAPTURE-2', /could not be proved customer-managed/);
    fails('scpt-serverless-inf.json/EndpointConfig MLOPS-CAPTURE-3', /unknown/);
  });

  test('a resource whose whole Properties is an Fn::If has every property unknown, none at its default', () => {
    // GIVEN scpt-shadow-deployment: the EndpointConfig's Properties is Fn::If [with shadow, {...}, {...}]
    fails('scpt-shadow-deployment.json/EndpointConfig MLOPS-SM-1', /could not be proved customer-managed/);
    fails('scpt-shadow-deployment.json/EndpointConfig MLOPS-CAPTURE-1', /unknown/);
    fails('scpt-shadow-deployment.json/EndpointConfig MLOPS-CAPTURE-2', /could not be proved customer-managed/);
    fails('scpt-shadow-deployment.json/EndpointConfig MLOPS-CAPTURE-3', /unknown/);
  });

  test('a bucket that receives other buckets’ access logs is judged as a log target (AWS guidance)', () => {
    // GIVEN aiops-model-build-support-stack: ArtifactsBucket logs to LogsBucket, which logs nowhere (SSE-S3)
    passes('aiops-model-build-support-stack.json/LogsBucket9C4D8843 MLOPS-BUCKET-1');
    passes('aiops-model-build-support-stack.json/LogsBucket9C4D8843 MLOPS-BUCKET-3');
    passes('cfn-templates-compliant-bucket.json/ObjectStorageLogBucket MLOPS-BUCKET-1');
    // AND its other settings are still judged
    fails('aiops-model-build-support-stack.json/LogsBucket9C4D8843 MLOPS-BUCKET-4');
  });

  test('a CodeBuild project in privileged mode is caught (MLOPS-BUILD-1)', () => {
    fails('mlops-byo-build-pipeline.json/CodeBuildBYOImage MLOPS-BUILD-1', /privileged mode/);
  });

  test('a key policy granting decryption to accounts outside the config is caught (MLOPS-KMS-2)', () => {
    fails('aiops-model-build-support-stack.json/ArtifactsBucketKMSKeyF608D080 MLOPS-KMS-2', /123456789013/);
  });

  test('a bucket policy whose only Allow is to a service principal is not open (MLOPS-BUCKET-5)', () => {
    // GIVEN cfn-templates-compliant-bucket: log delivery, with conditions behind parameters
    passes('cfn-templates-compliant-bucket.json/ObjectStorageBucket MLOPS-BUCKET-5');
  });

  test('without --region, residency is unknown (AWS::Region is a parameter), never not applicable', () => {
    const agnostic = verdicts();
    expect(agnostic.get('scpt-serverless-inf.json/Model MLOPS-GDPR-1')).toMatch(/region .* is unknown/);
  });
});

describe('npm run policy:cloudformation', () => {
  const run = (...args: string[]) =>
    spawnSync(
      process.execPath,
      [join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'), 'scripts/policy-cloudformation.ts', ...args],
      {
        cwd: ROOT,
        encoding: 'utf8',
      },
    );

  test('exits 0 on a compliant YAML template with short-form intrinsics and writes the reports', () => {
    // GIVEN a compliant bucket template in YAML
    const out = mkdtempSync(join(tmpdir(), 'policy-cfn-'));
    // WHEN judged
    const r = run(FIXTURE, '--region', 'eu-west-1', '--out', out);
    // THEN pass, with the same four files the synth-time reports have
    expect(r.stdout).toMatch(/PASS: 0 open/);
    expect(r.status).toBe(0);
    for (const f of ['validation-report.json', 'security-report.sarif', 'security-report.md', 'security-report.html']) {
      expect(existsSync(join(out, f))).toBe(true);
    }
  });

  test('fails (exit 1) on a foreign template with open findings, naming rule and resource', () => {
    const out = mkdtempSync(join(tmpdir(), 'policy-cfn-'));
    const r = run(join(CORPUS, 'scpt-serverless-inf.json'), '--region', 'eu-west-1', '--out', out);
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/MLOPS-SM-2 .*scpt-serverless-inf\.json\/Model/);
    const sarif = JSON.parse(readFileSync(join(out, 'security-report.sarif'), 'utf8')) as {
      runs: { results: unknown[] }[];
    };
    expect(sarif.runs[0]!.results.length).toBeGreaterThan(0);
  });

  test('refuses (exit 2) a template over CloudFormation’s 1 MB limit before reading it', () => {
    // GIVEN a 50 MB template
    const dir = mkdtempSync(join(tmpdir(), 'policy-cfn-'));
    const big = join(dir, 'big.json');
    writeFileSync(
      big,
      `{"Resources":{"B":{"Type":"AWS::S3::Bucket","Properties":{"X":"${'x'.repeat(50 * 1024 * 1024)}"}}}}`,
    );
    // WHEN judged THEN refused with a message naming the limit
    const r = run(big, '--out', dir);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/52,428,8\d\d bytes is over CloudFormation's template size limit of 1,048,576 bytes/);
  });

  test('rejects a missing template and a bad argument with exit 2', () => {
    expect(run('does-not-exist.yaml').status).toBe(2);
    expect(run(FIXTURE, '--bogus', 'x').stderr).toMatch(/unknown option "--bogus" \(known options: --help, --config/);
  });

  test('counts only the pack that ran in its summary, and takes a cdk.json as --config', () => {
    // GIVEN the compliant template WHEN judged under the cdk.json's embedded config
    const out = mkdtempSync(join(tmpdir(), 'policy-cfn-'));
    const r = run(FIXTURE, '--region', 'eu-west-1', '--config', 'cdk.json', '--out', out);
    // THEN the summary names the one MLOPS pack, not every pack the synth registers
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/PASS: 0 open, 0 acknowledged findings across 1 packs/);
  });
});
