// Answers checked against an OpenRPC document's result schemas with ajv (JSON Schema draft-07, the draft
// both execution-apis' and Lotus's documents are written in). The documents are vendored under
// test/fixtures (see each folder's README); the tests read them from the repository's root.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { REPO_ROOT } from './solc.js';

interface OpenRpcDocument {
  methods: { name: string; result?: { schema: object } }[];
}

/**
 * The result schema of each method of the OpenRPC document at test/fixtures/<path>, compiled. strict
 * is off because the documents carry keywords JSON Schema does not define (a schema's `name`).
 */
export function openRpcResultSchemas(path: string): Map<string, ValidateFunction> {
  const document = JSON.parse(readFileSync(join(REPO_ROOT, 'test', 'fixtures', path), 'utf8')) as OpenRpcDocument;
  const ajv = new Ajv({ strict: false, allErrors: true });
  const schemas = new Map<string, ValidateFunction>();
  for (const method of document.methods) if (method.result) schemas.set(method.name, ajv.compile(method.result.schema));
  return schemas;
}

/** What `validate` finds wrong with `value`: no errors when it conforms. */
export function schemaErrors(validate: ValidateFunction, value: unknown): ErrorObject[] {
  return validate(value) ? [] : [...validate.errors!];
}
