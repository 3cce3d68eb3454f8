// The built-in explorer's files: a browser opening GET / gets its page (server.ts asks
// `wantsExplorerPage`), and /explorer/<file> the prebuilt script and styles (dist/explorer, bundled
// from src/explorer by scripts/build.mjs), read once and kept. The page reads the chain only through
// the node's JSON-RPC and WebSocket, as any client does; /explorer/methods.json gives it the names
// of the builtin actors' methods, which no Lotus method answers.
import { readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ACTOR_KINDS } from '../fevm/actor.js';
import { builtinActor } from '../fevm/actors/builtin.js';
import { METHOD_CONSTRUCTOR, METHOD_CREATE_EXTERNAL, METHOD_INVOKE_CONTRACT, METHOD_SEND } from '../fevm/message.js';

const here = dirname(fileURLToPath(import.meta.url));
/** dist/explorer beside the bundle (dist/*.js), or from the sources (src/eth-rpc) when run with tsx. */
export const EXPLORER_DIR = basename(here) === 'dist' ? join(here, 'explorer') : join(here, '..', '..', 'dist', 'explorer');

const FILES: Record<string, string> = {
  'index.html': 'text/html; charset=utf-8',
  'app.js': 'text/javascript; charset=utf-8',
  'app.css': 'text/css; charset=utf-8',
};

/** A browser navigating to the page (it asks for HTML); JSON-RPC clients and WebSockets do not. */
export function wantsExplorerPage(request: FastifyRequest): boolean {
  return String(request.headers.accept ?? '').includes('text/html') && request.headers.upgrade === undefined;
}

/** The actors' method names by kind and number, as the page shows them. */
export function methodNames(): Record<string, Record<number, string>> {
  const names: Record<string, Record<number, string>> = {};
  for (const kind of ACTOR_KINDS) {
    const table: Record<number, string> = { [METHOD_SEND]: 'Send' };
    for (const [number, method] of builtinActor(kind)?.methods ?? []) table[number] = method.name;
    names[kind] = table;
  }
  names.evm![METHOD_CONSTRUCTOR] = 'Constructor';
  names.evm![METHOD_INVOKE_CONTRACT] = 'InvokeContract';
  names.eam![METHOD_CREATE_EXTERNAL] = 'CreateExternal';
  return names;
}

export class ExplorerFiles {
  private readonly cache = new Map<string, Buffer>();

  constructor(private readonly dir = EXPLORER_DIR) {}

  /** Sends one of the page's files, or 503 when the explorer has not been built. */
  send(reply: FastifyReply, name: string): FastifyReply {
    const type = FILES[name];
    if (!type) return reply.code(404).type('text/plain; charset=utf-8').send(`no explorer file ${name}\n`);
    let bytes = this.cache.get(name);
    if (!bytes) {
      try {
        bytes = readFileSync(join(this.dir, name));
      } catch {
        return reply.code(503).type('text/plain; charset=utf-8').send(`the explorer is not built (${join(this.dir, name)} is missing): run npm run build\n`);
      }
      this.cache.set(name, bytes);
    }
    return reply.type(type).send(bytes);
  }
}

export async function explorerRoutes(app: FastifyInstance, { files }: { files: ExplorerFiles }): Promise<void> {
  const names = methodNames();
  app.get('/explorer/methods.json', async () => names);
  app.get<{ Params: { file: string } }>('/explorer/:file', async (request, reply) => files.send(reply, request.params.file));
}
