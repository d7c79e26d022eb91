/** Reads back what the drift detector published to moto's CloudWatch: the largest datapoint of one metric. */
import { CloudWatchClient, Datapoint, GetMetricStatisticsCommand } from '@aws-sdk/client-cloudwatch';

export async function publishedDriftMetric(
  cw: CloudWatchClient,
  endpointName: string,
  metric: string,
  variant: string,
  feature?: string,
): Promise<number | undefined> {
  const now = Date.now();
  const res = await cw.send(
    new GetMetricStatisticsCommand({
      Namespace: 'MLOps/Drift',
      MetricName: metric,
      Dimensions: [
        { Name: 'EndpointName', Value: endpointName },
        { Name: 'VariantName', Value: variant },
        ...(feature ? [{ Name: 'Feature', Value: feature }] : []),
      ],
      StartTime: new Date(now - 3_600_000),
      EndTime: new Date(now + 3_600_000),
      Period: 7200,
      Statistics: ['Maximum'],
    }),
  );
  const points: Datapoint[] = res.Datapoints ?? [];
  return points.length === 0 ? undefined : Math.max(...points.map((p) => p.Maximum as number));
}
