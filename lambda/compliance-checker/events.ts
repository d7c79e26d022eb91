/**
 * The three ways in, told apart by the event's shape. Pure: parsing and validation only, every problem an InputError
 * whose message names the field, the value and what is expected.
 */
import { RuleSeverity } from '../../lib/policy/rule';
import { InputError } from '../shared/errors';
import { ImageTarget, Targets } from './collect';

export type ConfigMessageType =
  'ConfigurationItemChangeNotification' | 'OversizedConfigurationItemChangeNotification' | 'ScheduledNotification';

/** The part of a configuration item (or its oversized summary) the checker reads. */
export interface ConfigItem {
  readonly resourceType: string;
  readonly resourceId: string;
  readonly resourceName?: string;
  readonly status: string;
  readonly captureTime: Date;
}

export interface ConfigInvocation {
  readonly kind: 'config';
  readonly ruleId: string;
  readonly configRuleName: string;
  readonly resultToken: string;
  readonly messageType: ConfigMessageType;
  /** Present for change notifications. */
  readonly item?: ConfigItem;
  readonly notificationTime: Date;
}

export interface ScheduledInvocation {
  readonly kind: 'scheduled';
  readonly time?: string;
}

export interface PipelineParameters extends Targets {
  /** Lowest rule severity whose NON_COMPLIANT findings fail the gate. @default 'LOW' (any finding fails) */
  readonly failOn: RuleSeverity;
}

export interface PipelineInvocation {
  readonly kind: 'pipeline';
  readonly jobId: string;
  /** Undefined when UserParameters was malformed; `error` says why. */
  readonly params?: PipelineParameters;
  readonly error?: InputError;
}

export type Invocation = ConfigInvocation | ScheduledInvocation | PipelineInvocation;

const RULE_SEVERITIES: readonly RuleSeverity[] = ['LOW', 'MEDIUM', 'HIGH', 'CRITICAL'];

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function show(v: unknown): string {
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 200 ? `${s.slice(0, 197)}...` : s;
}

function parseJson(text: unknown, field: string): unknown {
  if (typeof text !== 'string') throw new InputError(`${field} must be a JSON string, got ${show(text)}`);
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new InputError(`${field} is not valid JSON (${(err as Error).message}): ${show(text)}`);
  }
}

function date(v: unknown, field: string): Date {
  const d = typeof v === 'string' || typeof v === 'number' ? new Date(v) : undefined;
  if (!d || Number.isNaN(d.getTime())) throw new InputError(`${field} must be an ISO-8601 timestamp, got ${show(v)}`);
  return d;
}

function parseConfigEvent(event: Record<string, unknown>): ConfigInvocation {
  const invoking = parseJson(event.invokingEvent, 'invokingEvent');
  if (!isObject(invoking)) throw new InputError(`invokingEvent must be a JSON object, got ${show(invoking)}`);
  const messageType = invoking.messageType;
  if (
    messageType !== 'ConfigurationItemChangeNotification' &&
    messageType !== 'OversizedConfigurationItemChangeNotification' &&
    messageType !== 'ScheduledNotification'
  ) {
    throw new InputError(
      `invokingEvent.messageType must be ConfigurationItemChangeNotification, OversizedConfigurationItemChangeNotification or ScheduledNotification, got ${show(messageType)}`,
    );
  }
  const params = event.ruleParameters === undefined ? {} : parseJson(event.ruleParameters, 'ruleParameters');
  const ruleId = isObject(params) ? params.ruleId : undefined;
  if (typeof ruleId !== 'string' || ruleId === '') {
    throw new InputError(
      `ruleParameters.ruleId must name a catalogue rule (e.g. {"ruleId":"MLOPS-GDPR-1"}), got ${show(event.ruleParameters)}`,
    );
  }
  if (typeof event.resultToken !== 'string' || event.resultToken === '') {
    throw new InputError(`resultToken must be a non-empty string, got ${show(event.resultToken)}`);
  }
  const configRuleName = typeof event.configRuleName === 'string' ? event.configRuleName : '';
  const notificationTime =
    invoking.notificationCreationTime === undefined
      ? new Date()
      : date(invoking.notificationCreationTime, 'invokingEvent.notificationCreationTime');
  let item: ConfigItem | undefined;
  if (messageType !== 'ScheduledNotification') {
    const field =
      messageType === 'ConfigurationItemChangeNotification' ? 'configurationItem' : 'configurationItemSummary';
    const ci = invoking[field];
    if (!isObject(ci))
      throw new InputError(`invokingEvent.${field} must be an object for ${messageType}, got ${show(ci)}`);
    if (typeof ci.resourceType !== 'string' || typeof ci.resourceId !== 'string') {
      throw new InputError(
        `invokingEvent.${field} must carry resourceType and resourceId strings, got ${show({ resourceType: ci.resourceType, resourceId: ci.resourceId })}`,
      );
    }
    item = {
      resourceType: ci.resourceType,
      resourceId: ci.resourceId,
      ...(typeof ci.resourceName === 'string' && ci.resourceName !== '' ? { resourceName: ci.resourceName } : {}),
      status: typeof ci.configurationItemStatus === 'string' ? ci.configurationItemStatus : 'OK',
      captureTime:
        ci.configurationItemCaptureTime === undefined || ci.configurationItemCaptureTime === null
          ? notificationTime
          : date(ci.configurationItemCaptureTime, `invokingEvent.${field}.configurationItemCaptureTime`),
    };
  }
  return {
    kind: 'config',
    ruleId,
    configRuleName,
    resultToken: event.resultToken,
    messageType,
    ...(item ? { item } : {}),
    notificationTime,
  };
}

function stringList(v: unknown, field: string): string[] | undefined {
  if (v === undefined) return undefined;
  if (!Array.isArray(v) || !v.every((s) => typeof s === 'string' && s !== '')) {
    throw new InputError(`UserParameters.${field} must be an array of non-empty strings, got ${show(v)}`);
  }
  return v as string[];
}

/** Parses a CodePipeline action's UserParameters, e.g. {"endpointNames":["fraud"],"images":[{"repository":"x","tag":"1.0.0"}]}. */
export function parsePipelineParameters(raw: unknown): PipelineParameters {
  const doc = raw === undefined || raw === '' ? {} : parseJson(raw, 'UserParameters');
  if (!isObject(doc)) throw new InputError(`UserParameters must be a JSON object, got ${show(doc)}`);
  const known = new Set(['endpointNames', 'endpointConfigNames', 'modelNames', 'repositories', 'images', 'failOn']);
  const unknown = Object.keys(doc).filter((k) => !known.has(k));
  if (unknown.length > 0) {
    throw new InputError(`UserParameters has unknown key(s) ${unknown.join(', ')}; allowed: ${[...known].join(', ')}`);
  }
  const failOn = doc.failOn ?? 'LOW';
  if (!RULE_SEVERITIES.includes(failOn as RuleSeverity)) {
    throw new InputError(`UserParameters.failOn must be one of ${RULE_SEVERITIES.join(', ')}, got ${show(doc.failOn)}`);
  }
  let images: ImageTarget[] | undefined;
  if (doc.images !== undefined) {
    if (!Array.isArray(doc.images))
      throw new InputError(`UserParameters.images must be an array, got ${show(doc.images)}`);
    images = doc.images.map((i: unknown, n) => {
      if (!isObject(i) || typeof i.repository !== 'string' || i.repository === '') {
        throw new InputError(`UserParameters.images[${n}].repository must be a repository name, got ${show(i)}`);
      }
      const tag = typeof i.tag === 'string' && i.tag !== '' ? i.tag : undefined;
      const digest = typeof i.digest === 'string' && /^sha256:[a-f0-9]{64}$/.test(i.digest) ? i.digest : undefined;
      if (!tag && !digest)
        throw new InputError(`UserParameters.images[${n}] needs a tag or a sha256 digest, got ${show(i)}`);
      return { repository: i.repository, ...(tag ? { tag } : {}), ...(digest ? { digest } : {}) };
    });
  }
  const params: PipelineParameters = {
    failOn: failOn as RuleSeverity,
    ...optional('endpoints', stringList(doc.endpointNames, 'endpointNames')),
    ...optional('endpointConfigs', stringList(doc.endpointConfigNames, 'endpointConfigNames')),
    ...optional('models', stringList(doc.modelNames, 'modelNames')),
    ...optional('repositories', stringList(doc.repositories, 'repositories')),
    ...optional('images', images),
  };
  const count = ['endpoints', 'endpointConfigs', 'models', 'repositories', 'images']
    .map((k) => (params[k as keyof Targets] as unknown[] | undefined)?.length ?? 0)
    .reduce((a, b) => a + b, 0);
  if (count === 0) {
    throw new InputError(
      'UserParameters names nothing to gate: give endpointNames, endpointConfigNames, modelNames, repositories or images ' +
        '(e.g. {"endpointNames":["fraud-xgb"],"images":[{"repository":"fraud-xgb","tag":"1.0.0"}]})',
    );
  }
  return params;
}

function optional<K extends string, V>(key: K, value: V | undefined): Partial<Record<K, V>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, V>);
}

/** Tells the three entry points apart; anything else is an InputError. */
export function classifyEvent(event: unknown): Invocation {
  if (!isObject(event)) throw new InputError(`event must be a JSON object, got ${show(event)}`);
  const job = event['CodePipeline.job'];
  if (job !== undefined) {
    if (!isObject(job) || typeof job.id !== 'string' || job.id === '') {
      throw new InputError(`CodePipeline.job.id must be a string, got ${show(isObject(job) ? job.id : job)}`);
    }
    const data = isObject(job.data) ? job.data : {};
    const action = isObject(data.actionConfiguration) ? data.actionConfiguration : {};
    const conf = isObject(action.configuration) ? action.configuration : {};
    try {
      return { kind: 'pipeline', jobId: job.id, params: parsePipelineParameters(conf.UserParameters) };
    } catch (err) {
      if (err instanceof InputError) return { kind: 'pipeline', jobId: job.id, error: err };
      throw err;
    }
  }
  if ('invokingEvent' in event || 'resultToken' in event) return parseConfigEvent(event);
  if (event.source === 'aws.events' && event['detail-type'] === 'Scheduled Event') {
    return { kind: 'scheduled', ...(typeof event.time === 'string' ? { time: event.time } : {}) };
  }
  throw new InputError(
    `unrecognised event: expected an AWS Config rule event (invokingEvent), an EventBridge scheduled event ` +
      `(source aws.events, detail-type "Scheduled Event") or a CodePipeline job (CodePipeline.job); got keys [${Object.keys(event).join(', ')}]`,
  );
}
