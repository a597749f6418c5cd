// The simulated upstream against Klaviyo's own documents: every kind of answer it gives
// (collection pages, sparse fieldsets, values reports and metric aggregates, error documents
// for bad parameters and bodies, 401, 429 and injected server errors) is validated with the documents' schemas (klaviyo-schemas.mjs).
//
//   node --test tests/contract/klaviyo-upstream.test.mjs   (LIVEDATA_MOCK_SERVER names the binary)
//
// Skipped, naming the folder, when the documents are absent; failed instead under CI=true.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import { spawnListening } from '../support/mock_server.mjs';
import { DOCUMENTS, ERRATA, describeErrors, documentsPresent, loadKlaviyoSchemas, requireDocuments } from './klaviyo-schemas.mjs';

const API_KEY = 'pk_contract_sweep_5f0c1d2e3a4b';
const ADMIN_TOKEN = 'klaviyo-sweep-token';
const REVISION = '2026-07-15';

async function startUpstream(rateLimits) {
  const dir = mkdtempSync(join(tmpdir(), 'livedata-klaviyo-'));
  const keyFile = join(dir, 'api-key');
  writeFileSync(keyFile, `${API_KEY}\n`);
  const upstream = await spawnListening(['--upstream-only', '--port', '0', '--upstream-api-key-file', keyFile,
    '--upstream-rate-limits', rateLimits, '--admin-token', ADMIN_TOKEN, '--changes-per-minute', '0', '--campaigns', '230',
    '--log-level', 'warn'], 'the upstream');
  return {
    url: upstream.url,
    async stop() {
      await upstream.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function get(server, path, { key = API_KEY, revision = REVISION } = {}) {
  const headers = { Accept: 'application/vnd.api+json' };
  if (key !== null) headers.Authorization = `Klaviyo-API-Key ${key}`;
  if (revision !== null) headers.revision = revision;
  return fetch(server.url + path, { headers });
}

// Fetches, checks the content type and validates the body with `validate`; returns the body.
async function validated(response, validate, what) {
  assert.equal(response.headers.get('content-type'), 'application/vnd.api+json', what);
  const body = await response.json();
  assert.ok(validate(body), `${what}: ${describeErrors(validate)}`);
  return body;
}

const COLLECTIONS = [
  { file: 'get_campaigns.json', path: '/api/campaigns', base: "filter=equals(messages.channel,'email')", max: 100,
    type: 'campaign', update: "and(equals(messages.channel,'email'),greater-or-equal(updated_at,2026-10-01T00:00:00Z))",
    sparse: ['name', 'status', 'updated_at'] },
  { file: 'get_flows.json', path: '/api/flows', base: '', max: 50, type: 'flow',
    update: 'greater-or-equal(updated,2026-10-01T00:00:00Z)', sparse: ['name', 'updated'] },
  { file: 'get_forms.json', path: '/api/forms', base: '', max: 100, type: 'form',
    update: 'greater-than(updated_at,2026-10-01T00:00:00Z)', sparse: ['name', 'status', 'updated_at'] },
  { file: 'get_segments.json', path: '/api/segments', base: 'additional-fields[segment]=profile_count', max: 10, type: 'segment',
    update: 'greater-than(updated,2026-10-01T00:00:00Z)', sparse: ['name', 'is_active', 'updated'] },
  { file: 'get_metrics.json', path: '/api/metrics', base: '', max: 0, type: 'metric' },
];

const query = (...parts) => {
  const joined = parts.filter(Boolean).map((p) => p.replace(/\[/g, '%5B').replace(/\]/g, '%5D')).join('&');
  return joined ? `?${joined}` : '';
};

describe("Klaviyo's documents, as loaded", () => {
  test('each erratum is still needed: without it a well-formed campaign page is refused', async (t) => {
    if (!requireDocuments(t)) return;
    assert.equal(ERRATA.length, 1);
    const page = {
      data: [{
        type: 'campaign', id: 'c1', links: { self: 'https://a.klaviyo.com/api/campaigns/c1/' },
        attributes: { name: 'n', status: 'Sent', archived: false, audiences: { included: ['Y6nRLr'] },
          send_options: { use_smart_sending: true }, send_strategy: { method: 'immediate' },
          created_at: '2026-11-01T00:00:00+00:00', updated_at: '2026-11-01T00:00:00+00:00' },
      }],
      links: { self: 'https://a.klaviyo.com/api/campaigns/' },
    };
    const asPublished = loadKlaviyoSchemas({ errata: false }).response('get_campaigns.json', 200);
    assert.equal(asPublished(page), false);
    assert.match(describeErrors(asPublished), /send_options/);
    const corrected = loadKlaviyoSchemas().response('get_campaigns.json', 200);
    assert.ok(corrected(page), describeErrors(corrected));
  });

  test('the validators refuse what breaks the documented shapes', async (t) => {
    if (!requireDocuments(t)) return;
    const schemas = loadKlaviyoSchemas();
    const forms = schemas.response('get_forms.json', 200);
    const form = { type: 'form', id: 'f', links: { self: 'https://a.klaviyo.com/api/forms/f/' },
      attributes: { name: 'n', status: 'live', ab_test: false, created_at: '2026-11-01T00:00:00+00:00',
        updated_at: '2026-11-01T00:00:00+00:00' } };
    assert.ok(forms({ data: [form], links: { self: 'https://x.test/' } }), describeErrors(forms));
    assert.equal(forms({ links: { self: 'https://x.test/' } }), false, 'data is required');
    assert.equal(forms({ data: [{ ...form, type: 'flow' }], links: { self: 'https://x.test/' } }), false, 'type');
    assert.equal(forms({ data: [form], links: { self: 'https://x.test/', next: null } }), false, 'next is not nullable');
    assert.equal(forms({ data: [{ ...form, attributes: { ...form.attributes, status: 'paused' } }] }), false, 'status enum');
    const error = schemas.response('get_forms.json', 400);
    assert.ok(error({ errors: [{ id: 'e', code: 'invalid', title: 't', detail: 'd' }] }), describeErrors(error));
    assert.equal(error({ errors: [{ id: 'e', title: 't', detail: 'd' }] }), false, 'code is required');
    const body = schemas.requestBody('query_campaign_values.json');
    const request = { data: { type: 'campaign-values-report',
      attributes: { statistics: ['opens'], timeframe: { key: 'last_30_days' }, conversion_metric_id: 'RESQ6t' } } };
    assert.ok(body(request), describeErrors(body));
    const withoutMetric = structuredClone(request);
    delete withoutMetric.data.attributes.conversion_metric_id;
    assert.equal(body(withoutMetric), false, 'conversion_metric_id is required');
  });
});

describe('the simulated upstream, validated against the documents', { skip: !documentsPresent() && process.env.CI !== 'true' && `Klaviyo OpenAPI documents not found in ${DOCUMENTS}` }, () => {
  let server;
  let schemas;
  before(async () => {
    if (!documentsPresent()) throw new Error(`Klaviyo OpenAPI documents not found in ${DOCUMENTS}`);
    schemas = loadKlaviyoSchemas();
    server = await startUpstream('off');
  });
  after(() => server?.stop());

  for (const c of COLLECTIONS) {
    test(`${c.path}: every page of a walk at the largest page size, an update filter, a sparse fieldset`, async () => {
      const validate = schemas.response(c.file, 200);
      let next = server.url + c.path + query(c.base, c.max ? `page[size]=${c.max}` : '');
      let pages = 0;
      let resources = 0;
      while (next) {
        assert.ok(next.startsWith(server.url + c.path), next);
        const body = await validated(await get(server, next.slice(server.url.length)), validate, `${c.path} page ${pages + 1}`);
        assert.ok(body.data.every((r) => r.type === c.type));
        if (c.max) assert.ok(body.data.length <= c.max);
        assert.notEqual(body.links.next, null);
        next = body.links.next;
        pages += 1;
        resources += body.data.length;
      }
      assert.ok(resources > 0);
      if (c.path === '/api/campaigns') assert.ok(pages >= 3, `${pages} pages`);
      if (c.update) {
        const filtered = await validated(await get(server, c.path + query(`filter=${encodeURIComponent(c.update)}`)), validate, 'update filter');
        assert.ok(Array.isArray(filtered.data));
      }
      if (c.sparse) {
        const fields = `fields[${c.type}]=${c.sparse.join(',')}`;
        const sparse = await validated(await get(server, c.path + query(c.base, fields)), schemas.response(c.file, 200, { sparse: c.sparse }),
          'sparse fieldset');
        for (const resource of sparse.data) {
          assert.deepEqual(Object.keys(resource.attributes).filter((k) => k !== 'profile_count').sort(), [...c.sparse].sort());
        }
      }
    });
  }

  test('each report: the request as documented, its answer validated, and a bad body\'s 400', async () => {
    const metrics = (await (await get(server, '/api/metrics')).json()).data;
    const placedOrder = metrics.find((m) => m.attributes.name === 'Placed Order').id;
    const received = metrics.find((m) => m.attributes.name === 'Received Email').id;
    const reports = [
      ['query_campaign_values.json', '/api/campaign-values-reports', { type: 'campaign-values-report', attributes: {
        statistics: ['recipients', 'opens_unique', 'clicks_unique', 'conversion_value', 'open_rate', 'click_rate', 'delivered'],
        timeframe: { key: 'last_365_days' }, conversion_metric_id: placedOrder, filter: 'equals(send_channel,"email")' } }],
      ['query_flow_values.json', '/api/flow-values-reports', { type: 'flow-values-report', attributes: {
        statistics: ['recipients', 'conversion_value', 'conversion_uniques'], timeframe: { key: 'last_365_days' },
        conversion_metric_id: placedOrder } }],
      ['query_form_values.json', '/api/form-values-reports', { type: 'form-values-report', attributes: {
        statistics: ['viewed_form', 'submits', 'submit_rate'], timeframe: { key: 'last_365_days' } } }],
      ['query_segment_values.json', '/api/segment-values-reports', { type: 'segment-values-report', attributes: {
        statistics: ['total_members', 'net_members_changed'], timeframe: { start: '2026-10-01T00:00:00+00:00', end: '2026-11-01T00:00:00+00:00' } } }],
      ['query_metric_aggregates.json', '/api/metric-aggregates', { type: 'metric-aggregate', attributes: {
        metric_id: received, measurements: ['count'], interval: 'day', timezone: 'UTC',
        filter: ['greater-or-equal(datetime,2026-10-01T00:00:00)', 'less-than(datetime,2026-11-01T00:00:00)'] } }],
    ];
    for (const [file, path, data] of reports) {
      const requestBody = schemas.requestBody(file);
      assert.ok(requestBody({ data }), `${file} request: ${describeErrors(requestBody)}`);
      const post = (body) => fetch(server.url + path, { method: 'POST', body: JSON.stringify(body), headers: {
        Authorization: `Klaviyo-API-Key ${API_KEY}`, revision: REVISION, 'Content-Type': 'application/vnd.api+json',
        Accept: 'application/vnd.api+json' } });
      const response = await post({ data });
      assert.equal(response.status, 200, path);
      const body = await validated(response, schemas.response(file, 200), path);
      const rows = file === 'query_metric_aggregates.json' ? body.data.attributes.dates : body.data.attributes.results;
      assert.ok(rows.length > 0, `${path} answered no rows`);
      const bad = await post({ data: { ...data, attributes: { ...data.attributes, timeframe: { key: 'forever' },
        filter: file === 'query_metric_aggregates.json' ? [] : data.attributes.filter } } });
      assert.equal(bad.status, 400, `${path} bad body`);
      const error = await validated(bad, schemas.response(file, 400), `${path} bad body`);
      assert.ok(error.errors[0].source.pointer.startsWith('/data/attributes/'));
    }
  });

  test('parameters Klaviyo refuses get its error document, naming the parameter', async () => {
    const cases = [
      ['get_campaigns.json', '/api/campaigns', '', 'filter'],
      ['get_campaigns.json', '/api/campaigns', query(`filter=${encodeURIComponent("equals(messages.channel,'email'")}`), 'filter'],
      ['get_flows.json', '/api/flows', query('page[size]=51'), 'page[size]'],
      ['get_segments.json', '/api/segments', query(`filter=${encodeURIComponent('greater-or-equal(updated,2026-01-01T00:00:00Z)')}`), 'filter'],
      ['get_forms.json', '/api/forms', query('sort=name'), 'sort'],
      ['get_forms.json', '/api/forms', query('page[cursor]=bm90LWEtY3Vyc29y'), 'page[cursor]'],
      ['get_metrics.json', '/api/metrics', query('colour=red'), 'colour'],
    ];
    for (const [file, path, search, parameter] of cases) {
      const response = await get(server, path + search);
      assert.equal(response.status, 400, path + search);
      const body = await validated(response, schemas.response(file, 400), path + search);
      assert.equal(body.errors[0].source.parameter, parameter);
    }
    const noRevision = await get(server, '/api/flows', { revision: null });
    assert.equal(noRevision.status, 400);
    assert.equal((await validated(noRevision, schemas.response('get_flows.json', 400), 'no revision')).errors[0].source.parameter, 'revision');
  });

  test('a missing or wrong key gets 401 with Klaviyo\'s error document', async () => {
    for (const key of [null, 'pk_wrong']) {
      const response = await get(server, '/api/forms', { key });
      assert.equal(response.status, 401);
      const body = await validated(response, schemas.response('get_forms.json', 401), `key ${key}`);
      assert.equal(body.errors[0].code, 'not_authenticated');
    }
  });

  test('injected server errors and throttling answer with the documents\' shapes', async () => {
    const admin = (method, body) => fetch(`${server.url}/admin/faults`, { method,
      headers: { Authorization: `Bearer ${ADMIN_TOKEN}`, 'Content-Type': 'application/json' }, body });
    assert.equal((await admin('PUT', JSON.stringify({ errorRate: 1, errorStatuses: [503] }))).status, 200);
    const failed = await get(server, '/api/flows');
    assert.equal(failed.status, 503);
    await validated(failed, schemas.response('get_flows.json', 503), 'injected 503');
    assert.equal((await admin('PUT', JSON.stringify({ rateLimitBurst: 1, retryAfterSeconds: 4 }))).status, 200);
    const throttled = await get(server, '/api/flows');
    assert.equal(throttled.status, 429);
    assert.equal(throttled.headers.get('retry-after'), '4');
    await validated(throttled, schemas.response('get_flows.json', 429), 'injected 429');
    assert.equal((await admin('DELETE')).status, 200);
  });
});

describe("the simulated upstream's documented rate limits", { skip: !documentsPresent() && process.env.CI !== 'true' && `Klaviyo OpenAPI documents not found in ${DOCUMENTS}` }, () => {
  let server;
  before(async () => { server = await startUpstream('documented'); });
  after(() => server?.stop());

  test('past the burst window: 429 with whole seconds of Retry-After and an error document', async () => {
    const schemas = loadKlaviyoSchemas();
    let throttled;
    for (let i = 0; i < 12 && !throttled; i++) {
      const response = await get(server, '/api/flows?page%5Bsize%5D=1');
      if (response.status === 429) throttled = response;
      else await response.arrayBuffer();
    }
    assert.ok(throttled, 'no 429 within 12 requests (flows allow 3 a second)');
    assert.match(throttled.headers.get('retry-after'), /^[1-9][0-9]*$/);
    const body = await validated(throttled, schemas.response('get_flows.json', 429), '429');
    assert.equal(body.errors[0].code, 'throttled');
  });
});
