/**
 * The delivery pipeline's notifications: the encrypted topic (with the alarm e-mail where configured) that hears the
 * approval requests, and the pipeline's own failed/succeeded and approval-decision events published to it.
 */
import { Stack } from 'aws-cdk-lib';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import { MlopsConfig } from '../config/schema';
import { addEmailSubscription } from '../constructs/dead-letter-queue';

/** The notification topic, encrypted with the artifact key, and its e-mail subscription where configured. */
export function addNotificationTopic(stack: Stack, config: MlopsConfig, key: kms.Key): sns.Topic {
  const notificationTopicName = `${config.projectName}-pipeline-notifications`;
  const topic = new sns.Topic(stack, 'NotificationTopic', {
    topicName: notificationTopicName,
    displayName: `${config.projectName} delivery pipeline`,
    masterKey: key,
    enforceSSL: true,
  });
  if (config.alarmEmail) {
    // The alarm e-mail hears the approval requests (CodePipeline's e-mail carries the approval's text, which names
    // the commit and the image digests, and the review link to the execution whose Synth action holds the reports)
    // and the pipeline's own failed/succeeded notifications. No filter policy: CodePipeline formats its approval
    // message per protocol, and a body filter that did not match would drop approval requests silently.
    addEmailSubscription(stack, 'NotificationEmailDeadLetterQueue', {
      topic,
      topicName: notificationTopicName,
      email: config.alarmEmail,
      encryptionKey: key,
      usedBy: "the pipeline topic's e-mail subscription (approval requests)",
    });
  }
  return topic;
}

/** Publishes the built pipeline's state and approval-decision events to the topic, which the key lets it encrypt. */
export function notifyOnPipelineEvents(
  pipeline: codepipeline.Pipeline,
  topic: sns.Topic,
  key: kms.Key,
  region: string,
): void {
  const E = codepipeline.PipelineNotificationEvents;
  pipeline.notifyOn('Notifications', topic, {
    notificationRuleName: `${pipeline.node.id}-state`.slice(0, 64),
    events: [
      E.PIPELINE_EXECUTION_FAILED,
      E.PIPELINE_EXECUTION_SUCCEEDED,
      E.STAGE_EXECUTION_FAILED,
      E.STAGE_EXECUTION_SUCCEEDED,
      // Who approved or rejected, and when (the request itself is announced by the approval action, with the
      // commit, digests and the reports link).
      E.MANUAL_APPROVAL_SUCCEEDED,
      E.MANUAL_APPROVAL_FAILED,
    ],
  });
  // AWS CodeStar Notifications publishes to the KMS-encrypted topic only if the key lets it encrypt.
  key.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'AllowCodeStarNotificationsToPublishToEncryptedTopic',
      principals: [new iam.ServicePrincipal('codestar-notifications.amazonaws.com')],
      actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
      resources: ['*'], // in a key policy, "*" is this key
      conditions: { StringEquals: { 'kms:ViaService': `sns.${region}.amazonaws.com` } },
    }),
  );
}
