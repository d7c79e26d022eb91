/**
 * The scheduled scan follows an endpoint config's capture destination across its collections: SageMaker is read per
 * region and buckets once for the account, so the bucket an endpoint captures to must be marked on the combined
 * resources, or an untagged capture bucket escapes the retention rule (MLOPS-CAPTURE-4). moto_server, real clients.
 */
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { memoryLogger } from '../../lambda/shared/logger';
import { makeHandler } from '../../lambda/compliance-checker/handler';
import { ComplianceReport } from '../../lambda/compliance-checker/report';
import { REGION } from '../support/fake-account';
import { useMoto } from '../support/aws-env';
import { captureScene, checkerClients, checkerSettings } from '../support/sagemaker-fixtures';

describe('compliance checker: capture retention on the bucket an endpoint captures to, tagged or not', () => {
  const moto = useMoto();

  test('the scheduled scan judges an untagged capture bucket by MLOPS-CAPTURE-4, and not an untagged other bucket', async () => {
    // GIVEN an endpoint config capturing to an untagged bucket without expiration, and another untagged bucket
    const c = checkerClients(moto.clientConfig(REGION));
    const { keyArn, topicArn } = await captureScene(c);
    // WHEN the scheduled scan runs
    await makeHandler({
      clients: c,
      settings: checkerSettings(keyArn, topicArn),
      logger: memoryLogger(),
      region: REGION,
    })({ source: 'aws.events', 'detail-type': 'Scheduled Event' }, { awsRequestId: 'capture-1' });
    const out = await c.s3.send(new GetObjectCommand({ Bucket: 'reports', Key: 'reports/latest.json' }));
    const report = JSON.parse((await out.Body?.transformToString()) ?? '') as ComplianceReport;
    // THEN the capture bucket fails retention (no expiration), and the reports bucket is not judged by it
    const retention = report.findings.filter((f) => f.ruleId === 'MLOPS-CAPTURE-4');
    expect(retention.map((f) => `${f.status} ${f.resourceName}`)).toEqual(['NON_COMPLIANT inference-data']);
  });
});
