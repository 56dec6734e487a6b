/** Test helpers: a Merkle parent state from a snapshot. */
import type { Common } from '@ethereumjs/common'
import { Caches, MerkleStateManager } from '@ethereumjs/statemanager'
import { loadSnapshotInto, type StateSnapshot } from '../../src/state/index.js'

/** A Merkle state (with caches) holding `snapshot`, committed. */
export async function merkleFrom(snapshot: StateSnapshot, common: Common): Promise<MerkleStateManager> {
  const sm = new MerkleStateManager({ caches: new Caches(), common })
  await sm.checkpoint()
  await loadSnapshotInto(sm, snapshot)
  await sm.commit()
  await sm.flush()
  return sm
}
