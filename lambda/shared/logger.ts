/**
 * Structured JSON logs, one object per line, through Powertools Logger: the standard keys (level, message, service,
 * timestamp, xray_trace_id), the Lambda context on every line of an invocation once `withContext` is called
 * (function_request_id, cold_start, function_name, ...), and errors with their name, message, location and stack.
 * This module keeps the narrow interface the handlers were written against, so they do not depend on Powertools.
 */
import { Console } from 'node:console';
import { Writable } from 'node:stream';
import { Logger as PowertoolsLogger } from '@aws-lambda-powertools/logger';
import type { ConstructorOptions } from '@aws-lambda-powertools/logger/types';

export type LogLevel = 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';

/** The part of the Lambda context a log line carries. */
export interface LambdaContextLike {
  readonly awsRequestId: string;
  readonly functionName?: string;
  readonly functionVersion?: string;
  readonly invokedFunctionArn?: string;
  readonly memoryLimitInMB?: string | number;
}

export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
  child(fields: Record<string, unknown>): Logger;
  /** A logger for one invocation: every line it (and its children) writes carries the request id. */
  withContext?(context: LambdaContextLike): Logger;
}

/** A Powertools logger that writes its lines to `sink` instead of stdout (tests, benchmarks). */
class SinkLogger extends PowertoolsLogger {
  constructor(
    options: ConstructorOptions,
    private readonly sink: (line: string) => void,
  ) {
    super(options);
    const stream = new Writable({
      write: (chunk: Buffer, _encoding, done) => {
        for (const line of chunk.toString().split('\n')) if (line !== '') sink(line);
        done();
      },
    });
    // Powertools writes through a private Console; pointing it at the sink is its only output seam.
    (this as unknown as { console: Console }).console = new Console({ stdout: stream, stderr: stream });
  }

  protected override createLogger(options?: ConstructorOptions): PowertoolsLogger {
    return new SinkLogger(options ?? {}, this.sink);
  }
}

function wrap(pt: PowertoolsLogger): Logger {
  return {
    debug: (m, f) => (f ? pt.debug(m, f) : pt.debug(m)),
    info: (m, f) => (f ? pt.info(m, f) : pt.info(m)),
    warn: (m, f) => (f ? pt.warn(m, f) : pt.warn(m)),
    error: (m, f) => (f ? pt.error(m, f) : pt.error(m)),
    child: (fields) => wrap(pt.createChild({ persistentKeys: fields })),
    withContext: (context) => {
      const child = pt.createChild();
      child.addContext({
        awsRequestId: context.awsRequestId,
        functionName: context.functionName ?? '',
        functionVersion: context.functionVersion ?? '',
        invokedFunctionArn: context.invokedFunctionArn ?? '',
        memoryLimitInMB: String(context.memoryLimitInMB ?? ''),
      } as Parameters<PowertoolsLogger['addContext']>[0]);
      return wrap(child);
    },
  };
}

export function createLogger(
  service: string,
  level: LogLevel = (process.env.LOG_LEVEL as LogLevel | undefined) ?? 'INFO',
  base: Record<string, unknown> = {},
  sink?: (line: string) => void,
): Logger {
  const options: ConstructorOptions = { serviceName: service, logLevel: level, persistentKeys: base };
  return wrap(sink === undefined ? new PowertoolsLogger(options) : new SinkLogger(options, sink));
}

/** A logger that keeps lines in memory, for tests. */
export function memoryLogger(): Logger & { readonly lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger('test', 'DEBUG', {}, (line) => lines.push(JSON.parse(line) as Record<string, unknown>));
  return Object.assign(logger, { lines });
}
