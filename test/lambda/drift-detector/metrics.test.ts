import { Readable } from 'node:stream';
import { DRIFT_METRICS, DRIFT_NAMESPACE } from '../../../core/contracts/drift-metrics';
import { accumulatorSink } from '../../../lambda/drift-detector/accumulator';
import { parseCaptureStream } from '../../../lambda/drift-detector/capture-parser';
import { newAccumulator } from '../../../lambda/drift-detector/detector-context';
import { MetricDatum, emfDocuments, metricData, publish } from '../../../lambda/drift-detector/metrics';
import { captureText } from '../../../scripts/make-example-data';
import { EmfSink } from '../../support/emf-sink';
import { FRAUD_BASELINE, FRAUD_DETECTOR_CONFIG } from '../../support/fraud-fixtures';

/** Documents group data by dimension set, so order is compared per metric and dimension values. */
const sorted = (data: MetricDatum[]) =>
  [...data].sort((a, b) =>
    JSON.stringify([a.MetricName, a.Dimensions]) < JSON.stringify([b.MetricName, b.Dimensions]) ? -1 : 1,
  );

const DIMS = { endpointName: 'fraud-xgb', variantName: 'AllTraffic' };
const AT = new Date('2026-01-01T10:06:00Z');

/** The data a drifted file of the example model publishes: what PutMetricData carried before EMF. */
async function driftedFileData(): Promise<MetricDatum[]> {
  const acc = newAccumulator(FRAUD_DETECTOR_CONFIG, FRAUD_BASELINE);
  const text = captureText(1000, 11, { drifted: true }) + 'not json\n';
  await parseCaptureStream(Readable.from([text]), FRAUD_DETECTOR_CONFIG.features, accumulatorSink(acc, {}));
  return metricData({ file: acc.result(), dims: DIMS, minSamples: 200, timestamp: AT });
}

describe('drift metrics as Embedded Metric Format', () => {
  it('carries the namespace, names, dimensions, units and values of every datum', async () => {
    // GIVEN every metric a drifted file publishes (per-feature, per-reason and per-variant data)
    const data = await driftedFileData();
    expect(new Set(data.map((d) => d.Dimensions.map((x) => x.Name).join('+')))).toEqual(
      new Set(['EndpointName+VariantName', 'EndpointName+VariantName+Feature', 'EndpointName+VariantName+Reason']),
    );
    // WHEN they are written as EMF lines and read back as CloudWatch extracts them
    const sink = new EmfSink();
    publish(sink.write, data);
    // THEN the same data come back, in the drift namespace (dataOfEmf refuses any other)
    expect(sorted(sink.data())).toEqual(sorted(data));
    expect(sink.data()).toHaveLength(data.length);
    expect(sink.lines.every((l) => !l.includes('\n'))).toBe(true);
  });

  it('writes one document per dimension set, as the EMF specification lays it out', () => {
    // GIVEN two statistics of one feature and one count of the variant
    const base = [
      { Name: 'EndpointName', Value: 'e' },
      { Name: 'VariantName', Value: 'v' },
    ];
    const feature = [...base, { Name: 'Feature', Value: 'amount' }];
    const data: MetricDatum[] = [
      { MetricName: DRIFT_METRICS.SAMPLE_COUNT, Value: 1000, Unit: 'Count', Timestamp: AT, Dimensions: base },
      { MetricName: DRIFT_METRICS.FEATURE_PSI, Value: 0.3, Unit: 'None', Timestamp: AT, Dimensions: feature },
      { MetricName: DRIFT_METRICS.FEATURE_KS, Value: 0.2, Unit: 'None', Timestamp: AT, Dimensions: feature },
    ];
    // WHEN laid out THEN the feature's statistics share a document and the count has its own
    expect(emfDocuments(data)).toEqual([
      {
        _aws: {
          Timestamp: AT.getTime(),
          CloudWatchMetrics: [
            {
              Namespace: DRIFT_NAMESPACE,
              Dimensions: [['EndpointName', 'VariantName']],
              Metrics: [{ Name: 'SampleCount', Unit: 'Count' }],
            },
          ],
        },
        EndpointName: 'e',
        VariantName: 'v',
        SampleCount: 1000,
      },
      {
        _aws: {
          Timestamp: AT.getTime(),
          CloudWatchMetrics: [
            {
              Namespace: DRIFT_NAMESPACE,
              Dimensions: [['EndpointName', 'VariantName', 'Feature']],
              Metrics: [
                { Name: 'FeaturePSI', Unit: 'None' },
                { Name: 'FeatureKS', Unit: 'None' },
              ],
            },
          ],
        },
        EndpointName: 'e',
        VariantName: 'v',
        Feature: 'amount',
        FeaturePSI: 0.3,
        FeatureKS: 0.2,
      },
    ]);
  });

  it('starts another document when a name repeats within one dimension set', () => {
    // GIVEN the same metric twice for one variant (a value per document is all EMF allows)
    const dims = [{ Name: 'EndpointName', Value: 'e' }];
    const datum = { MetricName: 'SampleCount', Unit: 'Count' as const, Timestamp: AT, Dimensions: dims };
    // WHEN laid out THEN each value keeps its own document
    expect(
      emfDocuments([
        { ...datum, Value: 1 },
        { ...datum, Value: 2 },
      ]).map((d) => d.SampleCount),
    ).toEqual([1, 2]);
  });
});
