// Klaviyo's OpenAPI documents (one per operation, ../shared/klaviyo-openapi/ beside the
// checkout; never copied into the project) as JSON Schema validators (ajv), so tests can
// check what the simulated upstream serves against what Klaviyo documents.
//
// OpenAPI 3.0 schemas are not quite JSON Schema: `nullable: true` becomes anyOf [schema, null]
// and `example` / `x-*` annotations are dropped. Errata (places where Klaviyo's own schema
// rejects what Klaviyo serves) are listed below, each with its reason; a test checks that each
// one is still needed.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import Ajv from 'ajv';
import addFormats from 'ajv-formats';

import { ROOT } from '../support/mock_server.mjs';

export const DOCUMENTS = process.env.LIVEDATA_KLAVIYO_OPENAPI ?? join(ROOT, '..', 'shared', 'klaviyo-openapi');

export const documentsPresent = () => existsSync(join(DOCUMENTS, 'get_campaigns.json'));

/**
 * Skips the test when the documents are absent, naming the folder; under CI (CI=true), where
 * they are always present, fails it instead.
 */
export function requireDocuments(t) {
  if (documentsPresent()) return true;
  const message = `Klaviyo OpenAPI documents not found in ${DOCUMENTS}`;
  if (process.env.CI === 'true') throw new Error(message);
  t.skip(message);
  return false;
}

export const ERRATA = [
  {
    file: 'get_campaigns.json',
    pointer: '/components/schemas/CampaignResponseObjectResource/properties/attributes/properties/send_options',
    reason: 'oneOf over EmailSendOptions, SMSSendOptions and PushSendOptions, three identical objects: every value ' +
      'matches all three, so oneOf rejects every campaign; read as anyOf',
    apply: (schema) => ({ ...schema, anyOf: schema.oneOf, oneOf: undefined }),
  },
];

const escape = (segment) => segment.replace(/~/g, '~0').replace(/\//g, '~1');
const idOf = (file, variant = '') => `https://klaviyo.openapi.local/${variant}${file}`;

// OpenAPI 3.0 schema -> JSON Schema, recursively. `inProperties`: the keys are property names.
function toJsonSchema(node, inProperties = false) {
  if (Array.isArray(node)) return node.map((item) => toJsonSchema(item));
  if (node === null || typeof node !== 'object') return node;
  const out = {};
  for (const [key, value] of Object.entries(node)) {
    if (!inProperties && (key === 'example' || key === 'examples' || key.startsWith('x-') || key === 'nullable')) continue;
    if (value === undefined) continue;
    out[key] = toJsonSchema(value, !inProperties && key === 'properties');
  }
  if (!inProperties && node.nullable === true) return { anyOf: [out, { type: 'null' }] };
  return out;
}

function pointerGet(object, pointer) {
  return pointer.split('/').slice(1).reduce((node, segment) => node?.[segment.replace(/~1/g, '/').replace(/~0/g, '~')], object);
}
function pointerSet(object, pointer, value) {
  const segments = pointer.split('/').slice(1);
  const last = segments.pop();
  const parent = segments.reduce((node, segment) => node[segment], object);
  parent[last] = value;
}

function readDocument(file, { errata = true } = {}) {
  const document = JSON.parse(readFileSync(join(DOCUMENTS, file), 'utf8'));
  if (errata) {
    for (const erratum of ERRATA.filter((e) => e.file === file)) {
      pointerSet(document, erratum.pointer, erratum.apply(pointerGet(document, erratum.pointer)));
    }
  }
  return document;
}

/** The validators of the ten documents. `errata: false` reads them exactly as published. */
export function loadKlaviyoSchemas({ errata = true } = {}) {
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats(ajv);
  const documents = new Map();
  const compiled = new Map();

  function document(file) {
    if (!documents.has(file)) {
      const raw = readDocument(file, { errata });
      ajv.addSchema({ $id: idOf(file), components: toJsonSchema(raw.components), paths: toJsonSchema(raw.paths) });
      documents.set(file, raw);
    }
    return documents.get(file);
  }
  function compile(id, pointer) {
    const key = `${id}#${pointer}`;
    if (!compiled.has(key)) compiled.set(key, ajv.compile({ $ref: key }));
    return compiled.get(key);
  }

  // The one operation of a document: [path, method].
  function operationOf(file) {
    const [path, item] = Object.entries(document(file).paths)[0];
    return [path, Object.keys(item).find((m) => ['get', 'post'].includes(m))];
  }

  return {
    /**
     * The validator of a response of `file`'s operation with `status`. `sparse`: the
     * attribute names a fields[<type>] parameter asked for (JSON:API leaves the others out,
     * so only those of the required ones stay required).
     */
    response(file, status, { sparse } = {}) {
      const [path, method] = operationOf(file);
      const responses = document(file).paths[path][method].responses;
      const statusKey = String(status) in responses ? String(status) : `${String(status)[0]}XX`;
      const response = responses[statusKey];
      if (!response) throw new Error(`${file} documents no response ${status}`);
      const schemaPointer = response.$ref
        ? `${response.$ref.slice(1)}/content/${escape('application/vnd.api+json')}/schema`
        : `/paths/${escape(path)}/${method}/responses/${statusKey}/content/${escape('application/vnd.api+json')}/schema`;
      if (!sparse) return compile(idOf(file), schemaPointer);
      const variant = `sparse-${[...sparse].sort().join(',')}/`;
      if (!documents.has(variant + file)) {
        const raw = structuredClone(document(file));
        for (const schema of Object.values(raw.components.schemas)) {
          const attributes = schema?.properties?.attributes;
          if (attributes?.required) attributes.required = attributes.required.filter((name) => sparse.includes(name));
        }
        ajv.addSchema({ $id: idOf(file, variant), components: toJsonSchema(raw.components), paths: toJsonSchema(raw.paths) });
        documents.set(variant + file, raw);
      }
      return compile(idOf(file, variant), schemaPointer);
    },
    /** The validator of `file`'s POST body. */
    requestBody(file) {
      const [path, method] = operationOf(file);
      return compile(idOf(file), `/paths/${escape(path)}/${method}/requestBody/content/${escape('application/vnd.api+json')}/schema`);
    },
  };
}

/** "data/0/attributes/status must be equal to one of the allowed values", one per error. */
export function describeErrors(validate) {
  return (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message}`).join('; ');
}
