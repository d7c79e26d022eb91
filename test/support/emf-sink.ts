/**
 * Reads the detector's EMF lines back as the metric data CloudWatch extracts from them: the test-side twin of
 * lambda/drift-detector/metrics.ts, shared by the unit and integration tests.
 */
import { DRIFT_NAMESPACE } from '../../core/contracts/drift-metrics';
import { EmfDocument, MetricDatum } from '../../lambda/drift-detector/metrics';

/** The data one EMF document declares, as CloudWatch's extraction reads it; throws on a malformed document. */
export function dataOfEmf(doc: EmfDocument): MetricDatum[] {
  return doc._aws.CloudWatchMetrics.flatMap((directive) => {
    if (directive.Namespace !== DRIFT_NAMESPACE) throw new Error(`EMF namespace ${directive.Namespace}`);
    const names = directive.Dimensions[0] ?? [];
    const dimensions = names.map((Name) => ({ Name, Value: doc[Name] as string }));
    return directive.Metrics.map((m) => ({
      MetricName: m.Name,
      Value: doc[m.Name] as number,
      Unit: m.Unit as MetricDatum['Unit'],
      Timestamp: new Date(doc._aws.Timestamp),
      Dimensions: dimensions,
    }));
  });
}

/** A metric writer that keeps the lines, and the data they carry. */
export class EmfSink {
  readonly lines: string[] = [];
  readonly write = (line: string): void => {
    this.lines.push(line);
  };
  documents(): EmfDocument[] {
    return this.lines.map((l) => JSON.parse(l) as EmfDocument);
  }
  data(): MetricDatum[] {
    return this.documents().flatMap(dataOfEmf);
  }
  clear(): void {
    this.lines.length = 0;
  }
}
