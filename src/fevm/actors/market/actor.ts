// The storage market actor (f05, builtin-actors actors/market): escrow, deal publishing, activation
// and termination as storage miners report them, payments, and the deal getters. Method numbers:
// the legacy internal ones for AddBalance (2), WithdrawBalance (3), PublishStorageDeals (4),
// BatchActivateDeals (6) and OnMinerSectorsTerminate (7), FRC-42 numbers for the exported ones.
import { methodTable, type BuiltinActor } from '../runtime.js';
import { batchActivateDeals, onMinerSectorsTerminate, sectorContentChanged } from './activation.js';
import { addBalance, getBalance, withdrawBalance } from './balances.js';
import { marketCron, settleDealPayments } from './cron.js';
import { dealGetters } from './getters.js';
import { publishStorageDeals } from './publish.js';

export const marketActor: BuiltinActor = {
  methods: methodTable({
    AddBalance: { legacy: 2, run: addBalance },
    WithdrawBalance: { legacy: 3, run: withdrawBalance },
    PublishStorageDeals: { legacy: 4, run: publishStorageDeals },
    BatchActivateDeals: { legacy: 6, internalOnly: true, run: batchActivateDeals },
    OnMinerSectorsTerminate: { legacy: 7, internalOnly: true, run: onMinerSectorsTerminate },
    GetBalance: { run: getBalance },
    ...dealGetters,
    SettleDealPayments: { run: settleDealPayments },
    SectorContentChanged: { run: sectorContentChanged },
  }),
  cron: marketCron,
};
