import { Duration, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subs from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { acknowledge } from '../nag/acknowledgements';
import { validationError } from './validation-error';

export interface DeadLetterQueueProps {
  /** Customer-managed key for the queue (events can carry resource names and object keys). */
  readonly encryptionKey: kms.IKey;
  /** Where the "messages are waiting" alarm goes. */
  readonly alarmTopic: sns.ITopic;
  /** Says what lands here, in the alarm description. */
  readonly description: string;
  /**
   * How long a failed event is kept for inspection and replay.
   * @default Duration.days(14) (the SQS maximum)
   */
  readonly retentionPeriod?: Duration;
}

/**
 * The end of the line for events that failed every retry: an SQS queue (KMS, TLS only, retained) with an alarm as
 * soon as anything lands in it, so nothing is dropped silently.
 */
export class DeadLetterQueue extends Construct {
  public readonly queue: sqs.Queue;
  public readonly alarm: cloudwatch.Alarm;
  private readonly encryptionKey: kms.IKey;

  constructor(scope: Construct, id: string, props: DeadLetterQueueProps) {
    super(scope, id);
    this.encryptionKey = props.encryptionKey;
    this.queue = new sqs.Queue(this, 'Resource', {
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: props.encryptionKey,
      enforceSSL: true,
      retentionPeriod: props.retentionPeriod ?? Duration.days(14),
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.alarm = new cloudwatch.Alarm(this, 'MessagesWaiting', {
      alarmDescription: `Dead-letter queue has messages: ${props.description}. Inspect, fix, then redrive.`,
      metric: this.queue.metricApproximateNumberOfMessagesVisible({
        period: Duration.minutes(5),
        statistic: 'Maximum',
      }),
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    this.alarm.addAlarmAction(new cwActions.SnsAction(props.alarmTopic));
    const reason =
      'This queue is itself a dead-letter queue (of an EventBridge target or a Lambda function): a redrive target ' +
      'for it would only move failures further from view. Messages stay 14 days and an alarm fires on the first one.';
    acknowledge(this.queue, { pack: 'Serverless', id: 'Serverless-SQSRedrivePolicy', reason });
  }

  /** cdk-nag recognises only queues named in another queue's RedrivePolicy as DLQs; say why this one is one. */
  public acknowledgeNotReferencedAsDlq(usedBy: string): void {
    acknowledge(this.queue, {
      pack: 'AwsSolutions',
      id: 'AwsSolutions-SQS3',
      reason: `This queue is the dead-letter queue of ${usedBy}; cdk-nag only recognises dead-letter queues referenced by another queue's RedrivePolicy.`,
    });
  }

  /**
   * Lets SNS put the messages of one topic's subscription that it could not deliver into this queue. The queue
   * policy (sqs:SendMessage for that topic) comes with the subscription's redrive policy; the key is ours to open:
   * AWS documents that an encrypted SQS dead-letter queue needs a customer-managed key whose key policy lets the SNS
   * service principal use it (Amazon SNS developer guide, "Amazon SNS dead-letter queues"). Narrowed to that topic
   * by aws:SourceArn, whose ARN also names the account: the condition aws-cdk-lib's own SQS subscription puts on a
   * queue key for this same SNS-to-SQS delivery path. No aws:SourceAccount beside it: it would add no restriction,
   * and a key SNS did not send on this path would silently stop the queue again. A no-op for an imported key, whose
   * owner must add the same.
   */
  public allowUndeliveredMessagesFrom(topicArn: string): void {
    this.encryptionKey.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: `AllowSnsDeadLetters${this.node.id.replace(/[^A-Za-z0-9]/g, '')}`,
        principals: [new iam.ServicePrincipal('sns.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
        resources: ['*'], // in a key policy, "*" is this key
        conditions: { ArnEquals: { 'aws:SourceArn': topicArn } },
      }),
      true,
    );
  }
}

export interface EmailSubscriptionProps {
  /** The topic the address subscribes to. */
  readonly topic: sns.ITopic;
  /**
   * The topic's literal name (not a token): the key policy names the topic by ARN, and a reference to a topic the
   * same key encrypts would make the key and the topic depend on each other.
   */
  readonly topicName: string;
  /** The address; SNS sends it a confirmation request, and delivers nothing before it is confirmed. */
  readonly email: string;
  /** Encrypts the dead-letter queue of undeliverable messages. */
  readonly encryptionKey: kms.IKey;
  /** What the subscription is, for the queue's alarm and its acknowledgement ("the alert topic's e-mail ..."). */
  readonly usedBy: string;
}

/**
 * An e-mail subscription whose undeliverable messages are kept, not dropped: an encrypted dead-letter queue
 * (alarmed on, to the same topic) that SNS may write to, and the subscription's redrive policy pointing at it.
 */
export function addEmailSubscription(scope: Construct, id: string, props: EmailSubscriptionProps): DeadLetterQueue {
  if (Token.isUnresolved(props.topicName)) {
    throw validationError(
      scope,
      'topicName',
      props.topicName,
      "must be the topic's literal name (create the topic with an explicit topicName)",
    );
  }
  const undelivered = new DeadLetterQueue(scope, id, {
    encryptionKey: props.encryptionKey,
    alarmTopic: props.topic,
    description: `${props.usedBy}: messages SNS could not deliver to ${props.email}`,
  });
  undelivered.acknowledgeNotReferencedAsDlq(`${props.usedBy} (SNS redrive policy)`);
  undelivered.allowUndeliveredMessagesFrom(Stack.of(scope).formatArn({ service: 'sns', resource: props.topicName }));
  props.topic.addSubscription(new subs.EmailSubscription(props.email, { deadLetterQueue: undelivered.queue }));
  return undelivered;
}
