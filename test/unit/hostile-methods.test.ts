// Hostile input to every registered method, each run: v1's methods on /, v0's and v2's own forms on
// /rpc/v0 and /rpc/v2. Each method gets generated lists of wrong types, huge numbers and missing or
// extra params, and then, in a list of the right length whose other entries parse, a value nested
// thousands deep or a string tens of kilobytes long in each position, and in each field of a valid
// object there. Every answer is a well-formed result or error (never -32603), an error about such a
// value is short, and a refused request leaves the state and the node's settings as they were.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { hexToBytes } from '../../src/common/hex.js';
import type { RpcMethod } from '../../src/eth-rpc/define-method.js';
import { allMethods, v0Methods, v2Methods } from '../../src/eth-rpc/methods/index.js';
import type { Param } from '../../src/eth-rpc/params.js';
import { RECIPIENT } from '../helpers/dev-wallet.js';
import { DEV_ACCOUNTS } from '../helpers/devnet-process.js';
import { assertProperty, Counts, hostileNode, MAX_BODY, nativeKey, type Answer } from '../helpers/hostile.js';

const FIL = 10n ** 18n;
const DEV0 = DEV_ACCOUNTS[0]!.address;
const native = nativeKey(7);
const WATCHED = [DEV0, DEV_ACCOUNTS[1]!.address, RECIPIENT].map((a) => hexToBytes(a));
const counts = new Counts();

const hex = (bytes: Uint8Array) => '0x' + Buffer.from(bytes).toString('hex');
/** Values a parameter parser can choke on: huge and negative numbers, hex of any length, wrong types. */
const weirdValue = fc.oneof(
  fc.anything({ maxDepth: 3, maxKeys: 4 }),
  fc.bigInt({ min: -(2n ** 300n), max: 2n ** 300n }).map((n) => (n < 0n ? '-0x' + (-n).toString(16) : '0x' + n.toString(16))),
  fc.constantFrom(1e308, -1, 2 ** 53, 0.5, Number.MAX_SAFE_INTEGER + 2, '0x', '0x0', '0x00', 'latest', 'pending', 'earliest', 'safe', 'finalized', '', null, true, [], {}),
  fc.uint8Array({ maxLength: 80 }).map(hex),
  fc.string({ maxLength: 40 }),
);

/** A value nested thousands deep (too deep for JSON.stringify) or a string of tens of kilobytes; `jsonOf` writes it. */
const hostileValue = fc.oneof(
  fc.record({ kind: fc.constant('deep array' as const), size: fc.integer({ min: 5_000, max: 25_000 }) }),
  fc.record({ kind: fc.constant('deep object' as const), size: fc.integer({ min: 5_000, max: 9_000 }) }),
  fc.record({ kind: fc.constant('long hex' as const), size: fc.integer({ min: 10_000, max: 25_000 }) }),
  fc.record({ kind: fc.constant('long string' as const), size: fc.integer({ min: 20_000, max: 50_000 }) }),
);

function jsonOf({ kind, size }: { kind: string; size: number }): string {
  if (kind === 'deep array') return '['.repeat(size) + '1' + ']'.repeat(size);
  if (kind === 'deep object') return '{"a":'.repeat(size) + '1' + '}'.repeat(size);
  if (kind === 'long hex') return `"0x${'ab'.repeat(size)}"`;
  return `"${'x'.repeat(size)}"`;
}

/** Where the hostile value goes: a position of the params list, and a path inside the valid value there (empty: the whole value). */
interface Target {
  position: number;
  path: (string | number)[];
}

const HOLE = '\u0000hostile\u0000';

/** Valid values to try for a parameter, most parsers' first: the first one a parameter's parser takes fills it. */
function candidates(cid: string): unknown[] {
  const cidJson = { '/': cid };
  const message = { Version: 0, To: 't01', From: native.address.toString(), Nonce: 0, Value: '0', GasLimit: 1_000_000, GasFeeCap: '1000000000', GasPremium: '200000', Method: 0, Params: '' };
  return [
    'latest',
    '0x1',
    1,
    true,
    DEV0,
    '0x' + '11'.repeat(32),
    '0x',
    't01',
    native.address.toString(),
    cidJson,
    [cidJson],
    { from: DEV0, to: RECIPIENT, data: '0x', value: '0x0', gas: '0x1000000' },
    { fromBlock: 'latest', toBlock: 'latest', address: DEV0, topics: ['0x' + '11'.repeat(32)] },
    { tag: 'latest' },
    { tracer: 'callTracer', tracerConfig: { onlyTopCall: true } },
    message,
    { Message: message, Signature: { Type: 1, Data: 'AA==' } },
    [message],
    { SealProof: 8, SectorNumber: 1, SealedCID: cidJson, SealRandEpoch: 0, DealIDs: [], Expiration: 600_000 },
    'AA==',
    ['trace'],
    { types: { EIP712Domain: [{ name: 'name', type: 'string' }] }, primaryType: 'EIP712Domain', domain: { name: 'x' }, message: {} },
    '0x' + '00'.repeat(65),
    {},
    [],
    [DEV0],
    '',
    0,
    false,
  ];
}

/** The first candidate `param` parses, or undefined when none does. */
function fillFor(param: Param<unknown>, pool: unknown[]): { value: unknown } | undefined {
  if (param.optional) return { value: null };
  for (const value of pool) {
    try {
      param.parse(value);
      return { value };
    } catch {
      // not this one
    }
  }
  return undefined;
}

/** Every path to a value inside `value` (objects and arrays, three levels). */
function paths(value: unknown, depth = 3): (string | number)[][] {
  if (depth === 0 || value === null || typeof value !== 'object') return [];
  const entries: [string | number, unknown][] = Array.isArray(value) ? value.map((v, i) => [i, v]) : Object.entries(value);
  return entries.flatMap(([key, v]) => [[key], ...paths(v, depth - 1).map((p) => [key, ...p])]);
}

function withHole(value: unknown, path: (string | number)[]): unknown {
  if (path.length === 0) return HOLE;
  const copy = (Array.isArray(value) ? [...value] : { ...(value as object) }) as Record<string | number, unknown>;
  copy[path[0]!] = withHole(copy[path[0]!], path.slice(1));
  return copy;
}

/**
 * For each position a hostile value can reach (every earlier parameter has a value its parser takes),
 * the params list of the right length with a hole there, and with a hole in each field of the value
 * that fills it; `unreached` counts the positions after a parameter no candidate fills.
 */
function targetsOf(method: RpcMethod, pool: unknown[]): { lists: { target: Target; params: string }[]; unreached: number } {
  const fills = method.params.map((p) => fillFor(p, pool));
  const required = method.params.filter((p) => !p.optional).length;
  const lists: { target: Target; params: string }[] = [];
  let unreached = 0;
  for (let position = 0; position < method.params.length; position++) {
    if (fills.slice(0, position).some((f) => f === undefined)) {
      unreached++;
      continue;
    }
    const base: unknown[] = Array.from({ length: Math.max(position + 1, required) }, (_, i) => fills[i]?.value ?? null);
    const fill = fills[position]?.value;
    for (const path of [[], ...paths(method.params[position]!.optional ? undefined : fill)]) {
      const params = [...base];
      params[position] = withHole(fill, path);
      lists.push({ target: { position, path }, params: JSON.stringify(params) });
    }
  }
  return { lists, unreached };
}

describe('hostile input to every method, in-process (fastify inject)', () => {
  const sweep = [
    ...allMethods.map((method) => ({ method, url: '/' })),
    ...v0Methods.filter((m) => !allMethods.includes(m)).map((method) => ({ method, url: '/rpc/v0' })),
    ...v2Methods.filter((m) => !allMethods.some((v1) => v1.name === m.name && v1.params.length === m.params.length && v1.handler === m.handler)).map((method) => ({ method, url: '/rpc/v2' })),
  ];
  // Two runs per method: two generated lists, and each target twice with other hostile values.
  const RUNS = 2;

  test(`${sweep.length} methods: wrong types, then a deep or long value in each position and field of a right-length list`, { timeout: 300_000 }, async (t) => {
    const { devnet, call, callText, digest } = await hostileNode(t, { fund: [{ address: native.address, balance: 1000n * FIL }] }, WATCHED);
    const pool = candidates(((await call('Filecoin.ChainHead', [])).result as { Cids: { '/': string }[] }).Cids[0]!['/']);
    const seen = new Set<string>();
    let positions = 0;
    let unreachedPositions = 0;
    for (const [i, { method, url }] of sweep.entries()) {
      seen.add(`${url} ${method.name}`);
      const { lists, unreached } = targetsOf(method, pool);
      positions += method.params.length;
      unreachedPositions += unreached;
      /** Sends one request; a refused one must leave everything as it was. A mining mode it set goes back to instant. */
      const send = async (paramsText: string, what: string): Promise<Answer> => {
        const before = digest();
        const answer = await callText(method.name, paramsText, url);
        if (answer.error) assert.equal(digest(), before, `${what} was refused (${answer.error.message.slice(0, 200)}) but changed the state`);
        else if (devnet.miningMode.type !== 'instant') await call('evm_setAutomine', [true]);
        return answer;
      };
      await assertProperty(
        fc.asyncProperty(fc.array(weirdValue, { maxLength: 4 }), hostileValue, async (weird, hostile) => {
          counts.add('wrong types');
          await send(JSON.stringify(weird), `${method.name}(${JSON.stringify(weird).slice(0, 200)}) on ${url}`);
          for (const { target, params } of lists) {
            counts.add(hostile.kind);
            const text = params.replace(JSON.stringify(HOLE), jsonOf(hostile));
            assert.ok(text.length < MAX_BODY, 'the request fits the body limit');
            const what = `${method.name} on ${url}, ${hostile.kind} at params[${target.position}]${target.path.map((k) => `[${JSON.stringify(k)}]`).join('')}`;
            const answer = await send(text, what);
            if (answer.error) assert.ok(answer.error.message.length <= 400, `${what}: an error of ${answer.error.message.length} characters: ${answer.error.message.slice(0, 200)}…`);
            else counts.add(`${hostile.kind} accepted`);
          }
        }),
        RUNS,
        i,
      );
    }
    assert.equal(seen.size, sweep.length, 'every method was swept');
    counts.add('methods', sweep.length);
    counts.add('param positions', positions);
    counts.add('param positions no value reaches', unreachedPositions);
    // Nearly every position must be reachable, or the hostile values test little beyond arity.
    assert.ok(unreachedPositions <= positions / 20, `${unreachedPositions} of ${positions} positions unreached`);
  });

  test('counts', (t) => {
    counts.report(t);
    assert.ok(counts.total >= 1000);
  });
});
