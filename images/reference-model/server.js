'use strict';
/**
 * Reference SageMaker inference server: the HTTP contract SageMaker real-time endpoints expect on port 8080,
 * with nothing but Node's standard library (no dependencies to patch, nothing to install in the image).
 *
 *   GET  /ping         200 when the model is loaded (SageMaker's health check), 503 otherwise
 *   POST /invocations  text/csv (one row of features per line, in model order) or application/json
 *                      ({"instances": [[...], ...]} or {"features": {"name": value, ...}}) -> application/json
 *                      {"predictions": [{"score": 0.73, "label": 1}, ...]}
 *
 * The model is a logistic regression read from /opt/ml/model/model.json (SageMaker unpacks ModelDataUrl there),
 * over the default config's features in payload order:
 *   {"features": [{"name": "amount", "type": "numeric", "weight": 0.9, "transform": "log"},
 *                 {"name": "merchant_category", "type": "categorical", "weights": {"online": 1.0, ...}},
 *                 {"name": "gender", "type": "categorical", "weights": {}}, ...],
 *    "bias": -3.82, "threshold": 0.5}
 * A numeric feature adds weight * x (or weight * ln x with "transform": "log", x > 0); a categorical one adds the
 * weight of its value (0 for a value without one). A feature with no weight (gender here) is still required in each
 * row: it is monitored for fairness, not used to score. Replace `predict` with your framework; keep the contract.
 * SageMaker starts the container as `<entrypoint> serve`.
 */
const http = require('node:http');
const fs = require('node:fs');
const path = require('node:path');

/** SageMaker real-time endpoints accept payloads up to 6 MB. */
const MAX_BODY_BYTES = 6 * 1024 * 1024;
const MODEL_DIR = '/opt/ml/model';

class RequestError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

/** Reads and checks `<dir>/model.json`; throws naming the field, the value received and the fix. */
function loadModel(dir = process.env.MODEL_DIR || MODEL_DIR) {
  const file = path.join(dir, 'model.json');
  let model;
  try {
    model = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new Error(`cannot read model ${file}: ${e.message}; package model.json into ModelDataUrl (model.tar.gz)`);
  }
  const { features, bias = 0, threshold = 0.5 } = model;
  if (!Array.isArray(features) || features.length === 0) {
    throw new Error(
      `model.features must be a non-empty array of {name, type, weight|weights}, got ${JSON.stringify(features)} (${file})`,
    );
  }
  features.forEach((f, i) => {
    const at = `model.features[${i}]`;
    if (!f || typeof f.name !== 'string' || f.name === '') throw new Error(`${at}.name must be a string (${file})`);
    if (f.type === 'numeric') {
      if (!Number.isFinite(f.weight))
        throw new Error(`${at}.weight must be a number, got ${JSON.stringify(f.weight)} (${file})`);
      if (f.transform !== undefined && f.transform !== 'log')
        throw new Error(`${at}.transform must be "log" or absent, got ${JSON.stringify(f.transform)} (${file})`);
    } else if (f.type === 'categorical') {
      const w = f.weights;
      if (!w || typeof w !== 'object' || Array.isArray(w) || !Object.values(w).every(Number.isFinite))
        throw new Error(`${at}.weights must be an object of numbers by category, got ${JSON.stringify(w)} (${file})`);
    } else {
      throw new Error(`${at}.type must be "numeric" or "categorical", got ${JSON.stringify(f.type)} (${file})`);
    }
  });
  if (!Number.isFinite(bias) || !Number.isFinite(threshold)) {
    throw new Error(`model.bias and model.threshold must be numbers, got ${bias} and ${threshold} (${file})`);
  }
  return { features, bias, threshold };
}

function describeFeatures(model) {
  return model.features.map((f) => `${f.name}:${f.type}`).join(', ');
}

/** One row (values in feature order, as text or numbers) -> {score, label}; a 400 names the feature at fault. */
function predict(model, row) {
  if (!Array.isArray(row) || row.length !== model.features.length) {
    throw new RequestError(
      400,
      `each row needs ${model.features.length} features (${describeFeatures(model)}), got ${JSON.stringify(row)}`,
    );
  }
  let z = model.bias;
  model.features.forEach((f, i) => {
    const raw = row[i];
    if (f.type === 'numeric') {
      const x = typeof raw === 'number' ? raw : typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : NaN;
      if (!Number.isFinite(x) || (f.transform === 'log' && x <= 0)) {
        throw new RequestError(
          400,
          `feature ${f.name} must be a ${f.transform === 'log' ? 'positive ' : ''}number, got ${JSON.stringify(raw)}`,
        );
      }
      z += f.weight * (f.transform === 'log' ? Math.log(x) : x);
    } else {
      if (raw === undefined || raw === null || String(raw).trim() === '') {
        throw new RequestError(400, `feature ${f.name} (categorical) is empty`);
      }
      z += f.weights[String(raw).trim()] ?? 0;
    }
  });
  const score = 1 / (1 + Math.exp(-z));
  return { score, label: score >= model.threshold ? 1 : 0 };
}

/** Rows of features from a request body, by content type. */
function parseRows(model, contentType, body) {
  const type = (contentType || '').split(';')[0].trim().toLowerCase();
  if (type === 'text/csv') {
    return body
      .split(/\r?\n/)
      .filter((line) => line.trim() !== '')
      .map((line) => line.split(','));
  }
  if (type === 'application/json') {
    let doc;
    try {
      doc = JSON.parse(body);
    } catch (e) {
      throw new RequestError(400, `body is not valid JSON: ${e.message}`);
    }
    if (doc && Array.isArray(doc.instances)) return doc.instances;
    if (doc && doc.features && typeof doc.features === 'object') {
      return [model.features.map((f) => doc.features[f.name])];
    }
    throw new RequestError(400, 'JSON body needs "instances": [[...]] or "features": {"name": value}');
  }
  throw new RequestError(
    415,
    `content type ${JSON.stringify(type)} is not supported; send text/csv or application/json`,
  );
}

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let size = 0;
    // Past the limit, keep draining (so the client reads the 413) but stop buffering.
    req.on('data', (chunk) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    req.on('end', () =>
      size > MAX_BODY_BYTES
        ? reject(new RequestError(413, `payload is ${size} bytes, larger than ${MAX_BODY_BYTES}`))
        : resolve(Buffer.concat(chunks).toString('utf8')),
    );
    req.on('error', reject);
  });
}

function send(res, status, doc) {
  const body = JSON.stringify(doc);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

/** The request handler; `getModel()` returns the loaded model or undefined while none is. */
function createHandler(getModel) {
  return async (req, res) => {
    const url = (req.url || '').split('?')[0];
    try {
      if (url === '/ping' && req.method === 'GET') {
        return getModel() ? send(res, 200, { status: 'healthy' }) : send(res, 503, { status: 'model not loaded' });
      }
      if (url === '/invocations' && req.method === 'POST') {
        const model = getModel();
        if (!model) throw new RequestError(503, 'model not loaded');
        const rows = parseRows(model, req.headers['content-type'], await readBody(req));
        return send(res, 200, { predictions: rows.map((row) => predict(model, row)) });
      }
      throw new RequestError(404, `${req.method} ${url} not found; use GET /ping or POST /invocations`);
    } catch (e) {
      const status = e instanceof RequestError ? e.status : 500;
      if (status === 500) console.error(JSON.stringify({ level: 'error', message: e.message }));
      if (!res.headersSent) send(res, status, { error: e instanceof RequestError ? e.message : 'internal error' });
    }
  };
}

/** Starts the server; resolves once it listens. `port` 0 picks a free port (tests). */
function startServer({ port = Number(process.env.SAGEMAKER_BIND_TO_PORT || 8080), host = '0.0.0.0', model } = {}) {
  const server = http.createServer(createHandler(() => model));
  server.keepAliveTimeout = 65000; // longer than the SageMaker front end's idle timeout
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve(server));
  });
}

async function main(argv) {
  const command = argv[0] || 'serve';
  if (command !== 'serve') {
    console.error(`this image only serves; SageMaker passed ${JSON.stringify(command)} (training is not supported)`);
    return 2;
  }
  const model = loadModel();
  const server = await startServer({ model });
  console.log(
    JSON.stringify({
      level: 'info',
      message: `listening on ${server.address().port}`,
      features: model.features.map((f) => f.name),
    }),
  );
  process.on('SIGTERM', () => server.close(() => process.exit(0)));
  return undefined;
}

module.exports = { loadModel, predict, createHandler, startServer, MAX_BODY_BYTES };

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => code !== undefined && (process.exitCode = code),
    (e) => {
      console.error(JSON.stringify({ level: 'error', message: e.message }));
      process.exitCode = 1;
    },
  );
}
