import { createLogger, memoryLogger } from '../../../lambda/shared/logger';

const fakeContext = {
  awsRequestId: 'c0ffee00-0000-4000-8000-000000000001',
  functionName: 'checker',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:checker',
  memoryLimitInMB: '512',
};

describe('shared logger (Powertools Logger behind the handlers interface)', () => {
  test('every line of an invocation, children included, carries the request id; lines outside do not', () => {
    // GIVEN a logger, and the logger of one invocation built from a fake Lambda context
    const logger = memoryLogger();
    const invocation = logger.withContext!(fakeContext).child({ runId: 'r1' });
    // WHEN the invocation logs directly and through a child, and the base logger logs after it
    invocation.info('started');
    invocation.child({ entry: 'scheduled' }).warn('slow', { seconds: 3 });
    logger.info('between invocations');
    // THEN both invocation lines carry the request id, the function and the keys of their chain
    expect(logger.lines.slice(0, 2)).toEqual([
      expect.objectContaining({
        level: 'INFO',
        message: 'started',
        service: 'test',
        function_request_id: fakeContext.awsRequestId,
        function_name: 'checker',
        runId: 'r1',
      }),
      expect.objectContaining({
        level: 'WARN',
        message: 'slow',
        function_request_id: fakeContext.awsRequestId,
        runId: 'r1',
        entry: 'scheduled',
        seconds: 3,
      }),
    ]);
    // AND the line outside the invocation has no request id
    expect(logger.lines[2]).not.toHaveProperty('function_request_id');
  });

  test('an error keeps its name, message and stack, also nested in a field', () => {
    // GIVEN an error thrown somewhere below the handler
    const logger = memoryLogger();
    const err = new TypeError('socket hang up');
    // WHEN it is logged as a field
    logger.error('invocation failed', { error: err, context: { cause: err } });
    // THEN the line has the stack, not only the message
    const line = logger.lines[0] as { error: Record<string, string>; context: { cause: Record<string, string> } };
    expect(line.error).toMatchObject({ name: 'TypeError', message: 'socket hang up' });
    expect(line.error.stack).toContain('TypeError: socket hang up\n    at ');
    expect(line.context.cause.stack).toBe(line.error.stack);
  });

  test('drops lines below the level and writes one JSON object per line to the sink', () => {
    // GIVEN a WARN logger over a sink
    const out: string[] = [];
    const logger = createLogger('bench', 'WARN', { stage: 'test' }, (line) => out.push(line));
    // WHEN it logs at every level
    logger.debug('d');
    logger.info('i');
    logger.warn('w');
    logger.error('e');
    // THEN only WARN and ERROR are written, each a JSON object with the base keys
    expect(out.map((l) => JSON.parse(l) as Record<string, unknown>)).toEqual([
      expect.objectContaining({ level: 'WARN', message: 'w', service: 'bench', stage: 'test' }),
      expect.objectContaining({ level: 'ERROR', message: 'e', service: 'bench', stage: 'test' }),
    ]);
  });
});
