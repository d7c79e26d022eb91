/** The reference server on a free loopback port (no container runtime needed), with Node's own HTTP client. */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

interface Model {
  features: { name: string; type: string; weight?: number; weights?: Record<string, number> }[];
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

  test("scores CSV rows of the default config's four features with the logistic model", async () => {
    // GIVEN two rows of (amount, merchant_category, account_age_days, gender)
    const res = await post('100,grocery,365,F\n5000,online,2,M\n', 'text/csv');
    // THEN each row gets sigmoid(bias + 0.9 ln amount + category weight - age/900) and the label at 0.5
    const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));
    const model = loadModel(MODEL_DIR);
    const age = model.features[2]!.weight as number;
    expect(res.status).toBe(200);
    const predictions = res.body.predictions as { score: number; label: number }[];
    expect(predictions[0]!.score).toBeCloseTo(sigmoid(model.bias + 0.9 * Math.log(100) + age * 365), 12);
    expect(predictions[1]!.score).toBeCloseTo(sigmoid(model.bias + 0.9 * Math.log(5000) + 1.0 + age * 2), 12);
    expect(predictions.map((p) => p.label)).toEqual([0, 1]);
  });

  test('serves exactly the features the default config monitors, in its order', () => {
    // GIVEN cdk.json's default config (the golden path)
    const cdk = JSON.parse(readFileSync(join(__dirname, '..', '..', '..', 'cdk.json'), 'utf8'));
    const monitored = cdk.context['mlops:defaultConfig'].models[0].monitoring.features;
    // THEN the reference model takes the same four features, same types, same order
    expect(loadModel(MODEL_DIR).features.map((f) => ({ name: f.name, type: f.type }))).toEqual(monitored);
  });

  test('scores JSON instances and named features', async () => {
    const instances = await post(JSON.stringify({ instances: [[100, 'travel', 365, 'X']] }), 'application/json');
    const named = await post(
      JSON.stringify({ features: { amount: 100, merchant_category: 'travel', account_age_days: 365, gender: 'X' } }),
      'application/json; charset=utf-8',
    );
    expect(instances.status).toBe(200);
    expect(named.body).toEqual(instances.body);
  });

  test('rejects a row with the wrong number of features, naming them', async () => {
    const res = await post('1,2\n', 'text/csv');
    expect(res.status).toBe(400);
    expect(res.body.error).toMatch(
      /each row needs 4 features \(amount:numeric, merchant_category:categorical, account_age_days:numeric, gender:categorical\), got \["1","2"\]/,
    );
  });

  test('rejects a value its feature cannot take, naming the feature', async () => {
    expect((await post('abc,grocery,1,F\n', 'text/csv')).body.error).toMatch(
      /feature amount must be a positive number, got "abc"/,
    );
    expect((await post('-5,grocery,1,F\n', 'text/csv')).body.error).toMatch(/feature amount must be a positive number/);
    expect((await post('5,,1,F\n', 'text/csv')).body.error).toMatch(
      /feature merchant_category \(categorical\) is empty/,
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

  test('fails to load a model file without typed features, naming the field and the file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'model-'));
    writeFileSync(join(dir, 'model.json'), JSON.stringify({ features: [] }));
    expect(() => loadModel(dir)).toThrow(
      /model\.features must be a non-empty array of \{name, type, weight\|weights\}, got \[\]/,
    );
    writeFileSync(join(dir, 'model.json'), JSON.stringify({ features: [{ name: 'a', type: 'numeric' }] }));
    expect(() => loadModel(dir)).toThrow(/model\.features\[0\]\.weight must be a number, got undefined/);
    expect(() => loadModel(join(dir, 'missing'))).toThrow(/cannot read model .*model\.json/);
  });
});
