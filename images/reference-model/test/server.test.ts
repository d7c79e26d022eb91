/** The reference server on a free loopback port (no container runtime needed), with Node's own HTTP client. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

interface Model {
  features: string[];
  weights: number[];
  bias: number;
  threshold: number;
}
interface ServerModule {
  loadModel(dir?: string): Model;
  startServer(opts: { port?: number; host?: string; model?: Model }): Promise<Server>;
  MAX_BODY_BYTES: number;
}
// The server is plain JavaScript so the image runs exactly the file tested here, with no build step.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { loadModel, startServer, MAX_BODY_BYTES } = require('../server.js') as ServerModule;

const MODEL_DIR = join(__dirname, '..', 'model');
let server: Server;
let base: string;

async function call(path: string, init: RequestInit = {}) {
  const res = await fetch(`${base}${path}`, init);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}
const post = (body: string, type: string) =>
  call('/invocations', { method: 'POST', body, headers: { 'content-type': type } });

beforeAll(async () => {
  server = await startServer({ port: 0, host: '127.0.0.1', model: loadModel(MODEL_DIR) });
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise((done) => server.close(done)));

describe('reference model server', () => {
  test('answers /ping with 200 once the model is loaded', async () => {
    expect(await call('/ping')).toEqual({ status: 200, body: { status: 'healthy' } });
  });

  test('fails /ping with 503 while no model is loaded, so SageMaker does not route traffic', async () => {
    // GIVEN a server started without a model
    const empty = await startServer({ port: 0, host: '127.0.0.1' });
    const port = (empty.address() as AddressInfo).port;
    // WHEN / THEN
    const res = await fetch(`http://127.0.0.1:${port}/ping`);
    expect(res.status).toBe(503);
    await new Promise((done) => empty.close(done));
  });

  test('scores CSV rows with the logistic model', async () => {
    // GIVEN two rows of (amount, account_age_days, merchant_risk)
    const res = await post('100,365,0\n5000,2,1\n', 'text/csv');
    // THEN each row gets sigmoid(w·x + b) and the label at the 0.5 threshold
    const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));
    expect(res.status).toBe(200);
    const predictions = res.body.predictions as { score: number; label: number }[];
    expect(predictions[0]!.score).toBeCloseTo(sigmoid(0.0021 * 100 - 0.0043 * 365 - 1.2), 12);
    expect(predictions[1]!.score).toBeCloseTo(sigmoid(0.0021 * 5000 - 0.0043 * 2 + 1.7 - 1.2), 12);
    expect(predictions.map((p) => p.label)).toEqual([0, 1]);
  });

  test('scores JSON instances and named features', async () => {
    const instances = await post(JSON.stringify({ instances: [[100, 365, 0]] }), 'application/json');
    const named = await post(
      JSON.stringify({ features: { amount: 100, account_age_days: 365, merchant_risk: 0 } }),
      'application/json; charset=utf-8',
    );
    expect(instances.status).toBe(200);
    expect(named.body).toEqual(instances.body);
  });

  test('rejects a row with the wrong number of features, naming them', async () => {
    const res = await post('1,2\n', 'text/csv');
    expect(res.status).toBe(400);
    expect(res.body.error).toMatch(
      /each row needs 3 numeric features \(amount, account_age_days, merchant_risk\), got \[1,2\]/,
    );
  });

  test('rejects an unsupported content type with 415 and malformed JSON with 400', async () => {
    expect((await post('x', 'application/x-protobuf')).status).toBe(415);
    expect((await post('{', 'application/json')).body.error).toMatch(/not valid JSON/);
  });

  test('rejects a payload above the SageMaker limit with 413', async () => {
    const res = await post('1,2,3\n'.repeat(Math.ceil(MAX_BODY_BYTES / 6) + 10), 'text/csv');
    expect(res.status).toBe(413);
    expect(res.body.error).toMatch(/larger than 6291456/);
  });

  test('rejects other paths with 404 naming the two routes', async () => {
    const res = await call('/predict');
    expect(res.status).toBe(404);
    expect(res.body.error).toContain('GET /ping or POST /invocations');
  });

  test('fails to load a model file without weights, naming the field and the file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'model-'));
    writeFileSync(join(dir, 'model.json'), JSON.stringify({ features: ['a'], weights: [] }));
    expect(() => loadModel(dir)).toThrow(/model\.weights must be a non-empty array of numbers, got \[\]/);
    expect(() => loadModel(join(dir, 'missing'))).toThrow(/cannot read model .*model\.json/);
  });
});
