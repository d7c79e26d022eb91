/**
 * What invokes the drift detector: EventBridge rules from new capture files, new ground-truth files and an hourly
 * labels clock, each with the same retries and dead-letter queue.
 */
import {
  Duration,
  aws_events as events,
  aws_events_targets as targets,
  aws_lambda as lambda,
  aws_s3 as s3,
  aws_sqs as sqs,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { groundTruthPrefix } from '../../../core/contracts/quality';

/** The detector and where it sends the events it could not handle. */
export interface DetectorTarget {
  readonly detector: lambda.IFunction;
  readonly deadLetterQueue: sqs.IQueue;
}

/** The detector as a rule target: retried twice, events older than six hours dropped, then the dead-letter queue. */
function detectorTarget(t: DetectorTarget): targets.LambdaFunction {
  return new targets.LambdaFunction(t.detector, {
    deadLetterQueue: t.deadLetterQueue,
    retryAttempts: 2,
    maxEventAge: Duration.hours(6),
  });
}

/** New capture files of this endpoint -> the detector, retried twice, then into its dead-letter queue. */
export function renderCaptureTrigger(
  scope: Construct,
  props: { readonly endpointName: string; readonly captureBucket: s3.IBucket; readonly capturePrefix: string },
  target: DetectorTarget,
): void {
  new events.Rule(scope, 'CaptureObjectCreated', {
    description: `New data-capture files of ${props.endpointName} -> drift detector`,
    eventPattern: {
      source: ['aws.s3'],
      detailType: ['Object Created'],
      detail: {
        bucket: { name: [props.captureBucket.bucketName] },
        object: { key: events.Match.prefix(props.capturePrefix) },
      },
    },
    targets: [detectorTarget(target)],
  });
}

/**
 * Ground-truth files of this model -> the detector (the join); and an hourly tick -> the detector (hours since
 * labels last arrived), with the same retries and dead-letter queue as the capture trigger.
 */
export function renderQualityTriggers(
  scope: Construct,
  props: { readonly endpointName: string; readonly captureBucket: s3.IBucket },
  target: DetectorTarget,
): void {
  new events.Rule(scope, 'GroundTruthObjectCreated', {
    description: `New ground-truth files of ${props.endpointName} -> drift detector (quality join)`,
    eventPattern: {
      source: ['aws.s3'],
      detailType: ['Object Created'],
      detail: {
        bucket: { name: [props.captureBucket.bucketName] },
        object: { key: events.Match.prefix(groundTruthPrefix(props.endpointName)) },
      },
    },
    targets: [detectorTarget(target)],
  });
  new events.Rule(scope, 'LabelsClock', {
    description: `Hourly: hours since labels of ${props.endpointName} last joined a window`,
    schedule: events.Schedule.rate(Duration.hours(1)),
    targets: [detectorTarget(target)],
  });
}
