// Answers checked against an OpenRPC document's result schemas with ajv (JSON Schema draft-07, the draft
// both execution-apis' and Lotus's documents are written in). The documents are vendored under
// test/fixtures (see each folder's README); the tests read them from the repository's root.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
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

/** A node of the JSON schemas Lotus generates from its Go types (the parts read here). */
interface LotusSchema {
  type?: string | string[];
  properties?: Record<string, LotusSchema>;
  patternProperties?: Record<string, LotusSchema>;
  additionalProperties?: boolean | LotusSchema;
  items?: LotusSchema | LotusSchema[];
  media?: { binaryEncoding?: string };
  examples?: unknown[];
}

interface LotusMethod {
  name: string;
  result: { schema: LotusSchema };
}

/** A JSON schema, as built for ajv. */
type Shape = Record<string, unknown>;

/**
 * What Lotus's Go types allow that the examples do not show: fields that may be null (`Field`, or
 * `Parent.Field` for one parent's: a pointer, a nil slice or []byte, an undefined CID, shown set), and
 * fields tagged `json:",omitempty"`, absent when empty.
 */
export interface GoLeeway {
  nullable: ReadonlySet<string>;
  omitEmpty: ReadonlySet<string>;
}

const BIG_INT = '^-?[0-9]+$';
/** An f/t address, or address.Undef, which Lotus writes `<empty>` (MinerInfo's NewWorker when no change is pending). */
const ADDRESS = '^([ft][0-4][a-z0-9]+|<empty>)$';
const BASE64 = '^[A-Za-z0-9+/]*={0,2}$';

const typeOf = (schema: LotusSchema | undefined): string[] => [schema?.type ?? []].flat();
/** A Go type with its own MarshalJSON: reflection saw a struct with no exported field (address, big int, bitfield, TipSet). */
const isOpaque = (schema: LotusSchema | undefined) => !!schema && typeOf(schema).includes('object') && !schema.properties && !schema.patternProperties && schema.additionalProperties === false;
const itemSchema = (schema: LotusSchema | undefined) => (Array.isArray(schema?.items) ? schema.items[0] : schema?.items);

/**
 * The JSON schema of what Lotus answers, read from a method's example in Lotus's OpenRPC document.
 * Lotus writes the document by reflection over its Go types, which does not see the types' own JSON
 * encodings: an address is an object there but a string on the wire, a CID a string but `{"/": …}`, a
 * big int an object but a decimal string, randomness an array of numbers but base64; 181 of the 221
 * examples in build/openrpc/full.json fail their own schemas. The examples are the real encoding (Lotus
 * marshals an example value of each type), so each example gives the shape: the same field names, no
 * others, each present; the same JSON types; big ints as decimal strings, addresses as f/t addresses,
 * bytes as base64. The document's schema says what the example cannot: a map (patternProperties) has
 * keys of its own, a Go slice, map or []byte may be null (nil) where the example has values, and an
 * interface{} may be anything.
 */
function shapeOf(example: unknown, schema: LotusSchema | undefined, leeway: GoLeeway, parent = '', field = ''): Shape {
  // A null example or an interface{} (StateDecodeParams's answer, a check's Hint values) says nothing.
  if (example === null || (schema?.additionalProperties === true && !schema.properties)) return {};
  if (leeway.nullable.has(field) || leeway.nullable.has(`${parent}.${field}`)) return { anyOf: [{ type: 'null' }, shapeOf(example, schema, leeway, parent)] };
  const orNull = (shape: Shape): Shape => ({ ...shape, type: [shape.type, 'null'] });
  if (Array.isArray(example)) {
    const shape = { type: 'array', items: example.length > 0 ? shapeOf(example[0], itemSchema(schema), leeway, field) : {} };
    return typeOf(schema).includes('array') ? orNull(shape) : shape;
  }
  switch (typeof example) {
    case 'object': {
      const fields = example as Record<string, unknown>;
      if (schema?.patternProperties) {
        const [value] = Object.values(fields);
        return orNull({ type: 'object', additionalProperties: value === undefined ? {} : shapeOf(value, Object.values(schema.patternProperties)[0], leeway, field) });
      }
      // An empty example is an interface's (EthFilterResult's items): it says nothing either.
      if (Object.keys(fields).length === 0) return {};
      const properties = Object.fromEntries(Object.entries(fields).map(([key, value]) => [key, shapeOf(value, schema?.properties?.[key], leeway, field, key)]));
      return { type: 'object', properties, required: Object.keys(fields).filter((key) => !leeway.omitEmpty.has(key)), additionalProperties: false };
    }
    case 'string': {
      const text = example as string;
      if (schema?.media?.binaryEncoding === 'base64') return orNull({ type: 'string', pattern: BASE64 });
      if (isOpaque(schema) && /^[0-9]+$/.test(text)) return { type: 'string', pattern: BIG_INT };
      if (isOpaque(schema) && /^f[0-4]/.test(text)) return { type: 'string', pattern: ADDRESS };
      return { type: 'string' };
    }
    default:
      // A number or a boolean: an example's 0 does not tell an integer from a float64.
      return { type: typeof example };
  }
}

/** The shape of each method's result in Lotus's gzipped OpenRPC document at test/fixtures/<path> (see shapeOf), compiled. */
export function lotusResultShapes(path: string, leeway: GoLeeway): Map<string, ValidateFunction> {
  const document = JSON.parse(gunzipSync(readFileSync(join(REPO_ROOT, 'test', 'fixtures', path))).toString('utf8')) as { methods: LotusMethod[] };
  const ajv = new Ajv({ allErrors: true });
  const shapes = new Map<string, ValidateFunction>();
  for (const { name, result } of document.methods) {
    if (result.schema.examples) shapes.set(name, ajv.compile(shapeOf(result.schema.examples[0], result.schema, leeway)));
  }
  return shapes;
}
