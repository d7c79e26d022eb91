/**
 * The approval notification on moto_server (issue 20, point 3), for the large config, which has an alarm e-mail:
 * the pipeline's notification topic and its e-mail subscription made exactly as the PipelineStack synthesizes them
 * (topic name, KMS key, protocol, address, redrive policy), read back through the SNS API; and the message CodePipeline
 * publishes to that topic when the production approval waits (its documented JSON, with the approval's text and
 * review link from the template and CodePipeline's variables filled in) reaching a subscriber of the topic, naming the
 * commit, the image digests and the link to the execution whose Synth action holds the reports.
 *
 * What moto cannot show: it delivers no e-mail (an HTTP subscriber of the same topic, served by this test, stands in
 * for the mailbox), never moves an undeliverable message to the dead-letter queue, and evaluates no key policy (the
 * statement that lets SNS use the queue's key is proven on the template, test/stacks/release-integrity.test.ts).
 * CodePipeline itself does not run on moto, so the approval message is published as CodePipeline documents it.
 */
import { createServer, IncomingMessage, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { CreateKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import {
  CreateTopicCommand,
  GetSubscriptionAttributesCommand,
  GetTopicAttributesCommand,
  PublishCommand,
  SNSClient,
  SubscribeCommand,
} from '@aws-sdk/client-sns';
import { Template } from 'aws-cdk-lib/assertions';
import { buildTestApp, largeConfigDocument } from '../support/app';
import { MOTO_ACCOUNT, useMoto } from '../support/aws-env';

const COMMIT = 'c0ffee'.repeat(6) + 'abcd';
const EXECUTION = '5a6b7c8d-0000-4000-8000-0123456789ab';

/** The large config's pipeline template: the topic, the e-mail subscription and production's approval action. */
function synthesized() {
  const built = buildTestApp(largeConfigDocument(), { policyPacks: false });
  const t = Template.fromStack(built.pipeline!);
  const [subscription] = Object.values(t.findResources('AWS::SNS::Subscription'));
  const props = subscription!.Properties as {
    Protocol: string;
    Endpoint: string;
    TopicArn: { Ref: string };
    RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [string, string] } };
  };
  const topic = t.findResources('AWS::SNS::Topic')[props.TopicArn.Ref]!.Properties as { TopicName: string };
  const [pipeline] = Object.values(t.findResources('AWS::CodePipeline::Pipeline'));
  const stages = (pipeline!.Properties as { Stages: { Name: string; Actions: Record<string, unknown>[] }[] }).Stages;
  const approve = stages.find((s) => s.Name === 'production')!.Actions.find((a) => a.Name === 'Approve')! as {
    Configuration: { CustomData: string; ExternalEntityLink: string; NotificationArn: { Ref: string } };
  };
  return { config: built.config, subscription: props, topic, approve: approve.Configuration };
}

/** A local HTTP subscriber endpoint: collects the JSON bodies moto POSTs to it. */
function httpSubscriber(): Promise<{ server: Server; url: string; bodies: unknown[] }> {
  const bodies: unknown[] = [];
  const read = (req: IncomingMessage) =>
    new Promise<string>((resolve) => {
      let data = '';
      req.on('data', (c: Buffer) => (data += c.toString('utf8')));
      req.on('end', () => resolve(data));
    });
  const server = createServer((req, res) => {
    void read(req).then((body) => {
      bodies.push(JSON.parse(body));
      res.writeHead(200).end();
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({ server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, bodies }),
    ),
  );
}

describe('approval notification on moto_server', () => {
  const moto = useMoto();
  const app = synthesized();
  const region = app.config.pipeline!.region;
  const sns = () => new SNSClient(moto.clientConfig(region));
  let subscriber: Awaited<ReturnType<typeof httpSubscriber>>;
  afterAll(() => subscriber?.server.close());

  test('the alarm e-mail subscribes to the topic the approval notifies; the approval names commit, digests, link', async () => {
    // GIVEN the synthesized approval notifies the topic the e-mail subscribes to
    expect(app.approve.NotificationArn).toEqual(app.subscription.TopicArn);
    expect(app.subscription).toMatchObject({ Protocol: 'email', Endpoint: app.config.alarmEmail });
    // AND that topic, encrypted, and its e-mail subscription with the synthesized redrive policy, on the emulator
    const keyArn = (await new KMSClient(moto.clientConfig(region)).send(new CreateKeyCommand({}))).KeyMetadata!.Arn!;
    const { TopicArn } = await sns().send(
      new CreateTopicCommand({ Name: app.topic.TopicName, Attributes: { KmsMasterKeyId: keyArn } }),
    );
    const deadLetterQueueArn = `arn:aws:sqs:${region}:${MOTO_ACCOUNT}:${app.subscription.RedrivePolicy.deadLetterTargetArn['Fn::GetAtt'][0]}`;
    const { SubscriptionArn } = await sns().send(
      new SubscribeCommand({
        TopicArn,
        Protocol: app.subscription.Protocol,
        Endpoint: app.subscription.Endpoint,
        Attributes: { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: deadLetterQueueArn }) },
        ReturnSubscriptionArn: true,
      }),
    );
    subscriber = await httpSubscriber();
    await sns().send(new SubscribeCommand({ TopicArn, Protocol: 'http', Endpoint: subscriber.url }));

    // THEN SNS keeps the topic's key and the e-mail subscription as synthesized
    const topic = await sns().send(new GetTopicAttributesCommand({ TopicArn }));
    expect(topic.Attributes?.KmsMasterKeyId).toBe(keyArn);
    const attributes = (await sns().send(new GetSubscriptionAttributesCommand({ SubscriptionArn }))).Attributes!;
    expect(attributes).toMatchObject({ Protocol: 'email', Endpoint: 'ml-oncall@example.com', TopicArn });
    expect(JSON.parse(attributes.RedrivePolicy!)).toEqual({ deadLetterTargetArn: deadLetterQueueArn });

    // WHEN the production approval waits: CodePipeline fills in its variables and publishes its approval JSON
    const filled = (text: string) =>
      text.replace(/#\{[^}]+\.CommitId\}/g, COMMIT).replace('#{codepipeline.PipelineExecutionId}', EXECUTION);
    const pipelineName = `${app.config.projectName}-delivery`;
    const message = {
      region,
      consoleLink: `https://console.aws.amazon.com/codepipeline/home?region=${region}#/view/${pipelineName}`,
      approval: {
        pipelineName,
        stageName: 'production',
        actionName: 'Approve',
        token: '1a2b3c4d-0000-4000-8000-000000000000',
        expires: '2026-12-07T08:00Z',
        externalEntityLink: filled(app.approve.ExternalEntityLink),
        approvalReviewLink: `https://console.aws.amazon.com/codepipeline/home?region=${region}#/view/${pipelineName}/production/Approve/approve/1a2b3c4d`,
        customData: filled(app.approve.CustomData),
      },
    };
    await sns().send(new PublishCommand({ TopicArn, Message: JSON.stringify(message) }));

    // THEN a subscriber of that topic reads the commit, every model's digest (as far as 500 characters go; the first
    // always fits) and the review link to this execution
    await waitFor(() => subscriber.bodies.length > 0);
    const body = subscriber.bodies[0] as { Type: string; TopicArn: string; Message: string };
    expect(body).toMatchObject({ Type: 'Notification', TopicArn });
    const received = JSON.parse(body.Message) as typeof message;
    expect(received.approval.customData).toMatch(new RegExp(`^Commit ${COMMIT}: deploy to production`));
    const first = app.config.models[0]!.image;
    expect(received.approval.customData).toContain(`${first.repository}@${first.digest}`);
    expect(received.approval.externalEntityLink).toBe(
      `https://${region}.console.aws.amazon.com/codesuite/codepipeline/pipelines/${pipelineName}/executions/${EXECUTION}/timeline?region=${region}`,
    );
    expect(received.approval.customData).toContain('"reports" artifact of this execution (review link)');
  });
});

async function waitFor(done: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`no SNS delivery to the test subscriber within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
