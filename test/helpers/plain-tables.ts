// A fork's tables as plain Maps, to compare: a table loaded from the cache decodes an entry when it
// is read (StoredEntries), so two equal tables may hold their entries differently until then.
import type { ForkTables } from '../../src/devnet/fork/fork-tables.js';

export const plainTables = (tables: ForkTables) => Object.fromEntries(Object.entries(tables).map(([name, table]) => [name, table instanceof Map ? new Map(table) : table]));
