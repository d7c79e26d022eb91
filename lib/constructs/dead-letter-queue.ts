import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { acknowledge } from '../nag/acknowledgements';

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

  constructor(scope: Construct, id: string, props: DeadLetterQueueProps) {
    super(scope, id);
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
}
