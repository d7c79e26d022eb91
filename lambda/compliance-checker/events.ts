/**
 * The three ways in, told apart by the event's shape and each parsed with its zod schema (Powertools parser style).
 * Pure: every problem of a bad event is reported at once in one InputError, each naming the field, the value and what
 * is allowed.
 */
import * as z from 'zod';
import { jsonString } from '../../core/contracts/compliance-checker';
import { GateParametersSchema } from '../../core/contracts/pipeline-gate';
import { RuleSeverity } from '../../core/policy/rule';
import { InputError } from '../shared/errors';
import { describeProblems, problemsOf, show } from '../../core/contracts/problems';
import { Targets } from './collect';

const MESSAGE_TYPES = [
  'ConfigurationItemChangeNotification',
  'OversizedConfigurationItemChangeNotification',
  'ScheduledNotification',
] as const;
export type ConfigMessageType = (typeof MESSAGE_TYPES)[number];

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
  /** Named resources that do not exist are reported, not failed. @default false */
  readonly allowMissing?: boolean;
}

export interface PipelineInvocation {
  readonly kind: 'pipeline';
  readonly jobId: string;
  /** Undefined when UserParameters was malformed; `error` says why. */
  readonly params?: PipelineParameters;
  readonly error?: InputError;
}

export type Invocation = ConfigInvocation | ScheduledInvocation | PipelineInvocation;

/** Parses `input` with `schema`, or throws one InputError listing every problem under `prefix` (the field's name). */
function parse<S extends z.ZodType>(schema: S, input: unknown, what: string, prefix: string[] = []): z.output<S> {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  const problems = problemsOf(parsed.error.issues, input, { prefix });
  throw new InputError(describeProblems(what, problems), problems);
}

const timestamp = z
  .union([z.string(), z.number()], { error: 'must be an ISO-8601 timestamp' })
  .transform((v) => new Date(v))
  .refine((d) => !Number.isNaN(d.getTime()), { error: 'must be an ISO-8601 timestamp' });

const ConfigurationItemSchema = z.object(
  {
    resourceType: z.string({ error: 'must be a string (the resource type)' }),
    resourceId: z.string({ error: 'must be a string (the resource id)' }),
    resourceName: z.string().min(1).optional().catch(undefined),
    configurationItemStatus: z.string().optional().catch(undefined),
    configurationItemCaptureTime: timestamp.nullish(),
  },
  { error: 'must be an object' },
);

const InvokingEventSchema = z.discriminatedUnion(
  'messageType',
  [
    z.object({ messageType: z.literal('ScheduledNotification'), notificationCreationTime: timestamp.optional() }),
    z.object({
      messageType: z.literal('ConfigurationItemChangeNotification'),
      notificationCreationTime: timestamp.optional(),
      configurationItem: ConfigurationItemSchema,
    }),
    z.object({
      messageType: z.literal('OversizedConfigurationItemChangeNotification'),
      notificationCreationTime: timestamp.optional(),
      configurationItemSummary: ConfigurationItemSchema,
    }),
  ],
  { error: `must be one of ${MESSAGE_TYPES.join(', ')}` },
);

const RULE_ID_HINT = 'must name a catalogue rule (e.g. {"ruleId":"MLOPS-GDPR-1"})';

/** An AWS Config custom rule invocation. */
export const ConfigRuleEventSchema = z.object({
  invokingEvent: jsonString(
    z.looseObject({ messageType: z.unknown() }, { error: 'must be a JSON object' }).pipe(InvokingEventSchema),
    'the invoking event',
  ),
  ruleParameters: jsonString(
    z.object({ ruleId: z.string({ error: RULE_ID_HINT }).min(1, { error: RULE_ID_HINT }) }, { error: RULE_ID_HINT }),
    'the rule parameters',
  ).optional(),
  resultToken: z.string({ error: 'must be a non-empty string' }).min(1, { error: 'must be a non-empty string' }),
  configRuleName: z.string().optional().catch(undefined),
});

/** An EventBridge scheduled event (the rule's schedule). */
export const ScheduledEventSchema = z.object({
  source: z.literal('aws.events'),
  'detail-type': z.literal('Scheduled Event'),
  time: z.string().optional().catch(undefined),
});

/**
 * A CodePipeline Lambda invoke job. Only the job id must be well-formed: with it the job always gets a result, and a
 * malformed UserParameters fails the job with a message instead of leaving the action to time out.
 */
export const CodePipelineJobEventSchema = z.object({
  'CodePipeline.job': z.object(
    {
      id: z.string({ error: 'must be a string (the job id)' }).min(1, { error: 'must be a string (the job id)' }),
      data: z
        .object({
          actionConfiguration: z.object({ configuration: z.object({ UserParameters: z.unknown() }) }),
        })
        .optional()
        .catch(undefined),
    },
    { error: 'must be an object with the job id' },
  ),
});

function parseConfigEvent(event: unknown): ConfigInvocation {
  const e = parse(ConfigRuleEventSchema, event, 'Invalid AWS Config rule event');
  const invoking = e.invokingEvent;
  if (e.ruleParameters === undefined) {
    const problems = [{ path: 'ruleParameters.ruleId', received: undefined, message: RULE_ID_HINT }];
    throw new InputError(describeProblems('Invalid AWS Config rule event', problems), problems);
  }
  const notificationTime = invoking.notificationCreationTime ?? new Date();
  const ci =
    invoking.messageType === 'ConfigurationItemChangeNotification'
      ? invoking.configurationItem
      : invoking.messageType === 'OversizedConfigurationItemChangeNotification'
        ? invoking.configurationItemSummary
        : undefined;
  const item: ConfigItem | undefined = ci && {
    resourceType: ci.resourceType,
    resourceId: ci.resourceId,
    ...(ci.resourceName !== undefined ? { resourceName: ci.resourceName } : {}),
    status: ci.configurationItemStatus ?? 'OK',
    captureTime: ci.configurationItemCaptureTime ?? notificationTime,
  };
  return {
    kind: 'config',
    ruleId: e.ruleParameters.ruleId,
    configRuleName: e.configRuleName ?? '',
    resultToken: e.resultToken,
    messageType: invoking.messageType,
    ...(item ? { item } : {}),
    notificationTime,
  };
}

/** Parses a CodePipeline action's UserParameters, e.g. {"endpointNames":["fraud"],"images":[{"repository":"x","tag":"1.0.0"}]}. */
export function parsePipelineParameters(raw: unknown): PipelineParameters {
  const doc = raw === undefined || raw === '' ? '{}' : raw;
  const p = parse(jsonString(GateParametersSchema, 'the gate parameters'), doc, 'Invalid UserParameters', [
    'UserParameters',
  ]);
  return {
    failOn: p.failOn,
    ...(p.allowMissing ? { allowMissing: true } : {}),
    ...(p.endpointNames ? { endpoints: p.endpointNames } : {}),
    ...(p.endpointConfigNames ? { endpointConfigs: p.endpointConfigNames } : {}),
    ...(p.modelNames ? { models: p.modelNames } : {}),
    ...(p.repositories ? { repositories: p.repositories } : {}),
    ...(p.images ? { images: p.images } : {}),
  };
}

/** Tells the three entry points apart by their keys, then parses the one it is; anything else is an InputError. */
export function classifyEvent(event: unknown): Invocation {
  const isObject = typeof event === 'object' && event !== null && !Array.isArray(event);
  if (!isObject) throw new InputError(`event must be a JSON object, got ${show(event)}`);
  if ('CodePipeline.job' in event) {
    const job = parse(CodePipelineJobEventSchema, event, 'Invalid CodePipeline job event')['CodePipeline.job'];
    try {
      return {
        kind: 'pipeline',
        jobId: job.id,
        params: parsePipelineParameters(job.data?.actionConfiguration.configuration.UserParameters),
      };
    } catch (err) {
      if (err instanceof InputError) return { kind: 'pipeline', jobId: job.id, error: err };
      throw err;
    }
  }
  if ('invokingEvent' in event || 'resultToken' in event) return parseConfigEvent(event);
  const scheduled = ScheduledEventSchema.safeParse(event);
  if (scheduled.success) {
    return { kind: 'scheduled', ...(scheduled.data.time !== undefined ? { time: scheduled.data.time } : {}) };
  }
  throw new InputError(
    `unrecognised event: expected an AWS Config rule event (invokingEvent), an EventBridge scheduled event ` +
      `(source aws.events, detail-type "Scheduled Event") or a CodePipeline job (CodePipeline.job); got keys [${Object.keys(event).join(', ')}]`,
  );
}
