/**
 * What an e-mail subscription's encrypted dead-letter queue needs from its key, read from a template: the key
 * policy statements naming SNS, and the one statement addEmailSubscription() should have added.
 */
import { Template } from 'aws-cdk-lib/assertions';

/** The statements of a key's policy whose principal is the SNS service. */
export function snsKeyStatements(template: Template, keyLogicalId: string): unknown[] {
  const key = template.findResources('AWS::KMS::Key')[keyLogicalId];
  if (!key) throw new Error(`no AWS::KMS::Key ${keyLogicalId} in the template`);
  const statements = (key.Properties as { KeyPolicy: { Statement: { Principal?: unknown }[] } }).KeyPolicy.Statement;
  return statements.filter((st) => JSON.stringify(st.Principal ?? '').includes('sns.amazonaws.com'));
}

/** The statement that lets SNS put one topic's undeliverable messages into the queue `queueId`. */
export function snsDeadLetterStatement(queueId: string, topicArn: string) {
  return {
    Sid: `AllowSnsDeadLetters${queueId}`,
    Effect: 'Allow',
    Principal: { Service: 'sns.amazonaws.com' },
    Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
    Resource: '*',
    Condition: { ArnEquals: { 'aws:SourceArn': topicArn } },
  };
}
