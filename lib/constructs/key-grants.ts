import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';

const granted = new WeakSet<kms.IKey>();

/**
 * Key-policy statements that let AWS services encrypt with a customer-managed key on the account's behalf:
 * CloudWatch Logs (encrypted log groups of this account and region), EventBridge (sending to encrypted dead-letter
 * queues) and CloudWatch alarms (publishing to an encrypted SNS topic). Added once per key, whoever asks first; a no-op
 * for imported keys, whose owner must grant the same. SNS writing to an encrypted dead-letter queue is granted per
 * topic, where the subscription is made (DeadLetterQueue.allowUndeliveredMessagesFrom).
 */
export function allowServiceKeyUse(key: kms.IKey): void {
  if (granted.has(key)) return;
  granted.add(key);
  const stack = Stack.of(key);
  key.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'AllowCloudWatchLogsEncryption',
      principals: [new iam.ServicePrincipal(`logs.${stack.region}.amazonaws.com`)],
      actions: ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
      resources: ['*'], // in a key policy, "*" is this key
      conditions: {
        ArnLike: {
          'kms:EncryptionContext:aws:logs:arn': `arn:${stack.partition}:logs:${stack.region}:${stack.account}:log-group:*`,
        },
      },
    }),
    true,
  );
  key.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'AllowEventBridgeDeadLetterQueue',
      principals: [new iam.ServicePrincipal('events.amazonaws.com')],
      actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
      resources: ['*'],
      conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
    }),
    true,
  );
  key.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'AllowCloudWatchAlarmsToPublishToEncryptedTopic',
      principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
      actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
      resources: ['*'],
      conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
    }),
    true,
  );
}
