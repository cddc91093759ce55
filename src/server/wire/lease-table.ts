// The Lease printer (kubectl's printLease): NAME HOLDER AGE.
import { age, ageColumn, column, nameColumn } from './table.js';
import type { KindColumns } from './table.js';

export interface LeaseLike {
  metadata: { name?: string; creationTimestamp?: string };
  spec?: { holderIdentity?: string };
}

export const leaseColumns: KindColumns<LeaseLike> = {
  columns: [nameColumn, column('Holder', 'holderIdentity contains the identity of the holder of a current lease.'), ageColumn],
  cells: (l, now) => [l.metadata.name ?? '', l.spec?.holderIdentity ?? '', age(l.metadata, now)],
};
