/** The optional `pipeline` block: defaults, and every bad value rejected with the field, the value and the fix. */
import { configFileArgument, parseConfig } from '../../lib/config/loader';
import { problemsOf } from '../support/config-problems';
import { defaultConfigDocument } from '../support/app';

type Doc = { pipeline: Record<string, unknown>; [k: string]: unknown };

function withPipeline(edit: (pipeline: Record<string, unknown>) => void): unknown {
  const doc = defaultConfigDocument() as Doc;
  edit(doc.pipeline);
  return doc;
}

const context = (value: unknown) => ({ node: { tryGetContext: (k: string) => (k === 'config' ? value : undefined) } });

describe('pipeline config', () => {
  test('the embedded default has a pipeline; branch and file paths get defaults', () => {
    // WHEN
    const doc = defaultConfigDocument() as Doc;
    const { pipeline } = parseConfig(doc);
    // THEN
    expect(pipeline).toMatchObject({ account: '999999999999', region: 'eu-west-1', branch: 'main' });
    expect(pipeline!.filePaths.include).toEqual(expect.arrayContaining(['lib/**', 'lambda/**', 'cdk.json']));
    expect(pipeline!.filePaths.exclude).toEqual(['**/*.md']);
  });

  test('the block is optional', () => {
    const doc = defaultConfigDocument() as Doc;
    delete (doc as Record<string, unknown>).pipeline;
    expect(parseConfig(doc).pipeline).toBeUndefined();
  });

  test('accepts the older CodeStar Connections ARN form', () => {
    const doc = withPipeline(
      (p) =>
        (p.connectionArn =
          'arn:aws:codestar-connections:eu-west-1:999999999999:connection/11111111-2222-3333-4444-555555555555'),
    );
    expect(parseConfig(doc).pipeline!.connectionArn).toMatch(/^arn:aws:codestar-connections:/);
  });

  test('rejects a tooling region outside the allowed regions (data residency)', () => {
    // GIVEN a pipeline (and its connection) in us-east-1
    const doc = withPipeline((p) => {
      p.region = 'us-east-1';
      p.connectionArn =
        'arn:aws:codeconnections:us-east-1:999999999999:connection/11111111-2222-3333-4444-555555555555';
    });
    // THEN
    expect(problemsOf(doc)).toEqual([
      {
        path: 'pipeline.region',
        received: 'us-east-1',
        message: expect.stringMatching(
          /outside compliance\.allowedRegions \[eu-west-1, eu-central-1\].*residency.*run the pipeline in an allowed region/,
        ),
      },
    ]);
  });

  test('rejects a connection of another account or region than the pipeline', () => {
    const arn = 'arn:aws:codeconnections:eu-central-1:123456789012:connection/11111111-2222-3333-4444-555555555555';
    expect(problemsOf(withPipeline((p) => (p.connectionArn = arn)))).toEqual([
      {
        path: 'pipeline.connectionArn',
        received: arn,
        message: expect.stringMatching(
          /must belong to the tooling account and region \(999999999999, eu-west-1\).*create the connection there/,
        ),
      },
    ]);
  });

  test('rejects malformed fields, all at once, each with its path, value and what is allowed', () => {
    // GIVEN five bad fields
    const doc = withPipeline((p) => {
      p.account = '12345';
      p.connectionArn = 'arn:aws:codecommit:eu-west-1:999999999999:repo';
      p.repository = 'just-a-name';
      p.branch = '-bad..branch';
      p.filePaths = { include: ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i'] };
    });
    // THEN
    const problems = problemsOf(doc);
    const byPath = Object.fromEntries(problems.map((p) => [p.path, p]));
    expect(Object.keys(byPath).sort()).toEqual([
      'pipeline.account',
      'pipeline.branch',
      'pipeline.connectionArn',
      'pipeline.filePaths.include',
      'pipeline.repository',
    ]);
    expect(byPath['pipeline.account']).toMatchObject({ received: '12345', message: /12-digit/ });
    expect(byPath['pipeline.connectionArn']).toMatchObject({
      received: 'arn:aws:codecommit:eu-west-1:999999999999:repo',
      message: /connection ARN such as arn:aws:codeconnections:.*Connections/,
    });
    expect(byPath['pipeline.repository']).toMatchObject({ received: 'just-a-name', message: /owner\/name/ });
    expect(byPath['pipeline.branch']).toMatchObject({ received: '-bad..branch', message: /git branch name/ });
    expect(byPath['pipeline.filePaths.include']!.message).toMatch(/at most 8/);
  });

  test('rejects unknown keys (e.g. a pull-request trigger, which the pipeline never has)', () => {
    const problems = problemsOf(withPipeline((p) => (p.pullRequests = true)));
    expect(problems).toEqual([
      expect.objectContaining({ path: 'pipeline.pullRequests', message: expect.stringMatching(/unknown field/) }),
    ]);
  });
});

describe('config file handed to the pipeline', () => {
  test('a path relative to the repository is passed on, normalized', () => {
    expect(configFileArgument(context('./config/prod.json'))).toBe('config/prod.json');
    expect(configFileArgument(context(undefined))).toBeUndefined();
  });

  test.each(['/etc/mlops.json', '../other-repo/config.json', 'config/../../x.json'])(
    'rejects %s: the pipeline synthesizes from a checkout of the repository',
    (file) => {
      expect(() => configFileArgument(context(file))).toThrow(
        /config: the pipeline synthesizes from a checkout of the repository: pass the config file as a path relative to the repository root.*\(received "/,
      );
    },
  );
});
