/** Loading a StateSnapshot into any ethereumjs state manager (e.g. a Merkle state for roots). */
import type { Common, StateManagerInterface } from '@ethereumjs/common'
import { Caches } from '@ethereumjs/statemanager'
import { CachedMerkleStateManager } from './cached-merkle.js'
import { Account, hexToBytes } from '@ethereumjs/util'
import { toAddress } from './map-state-manager.js'
import type { StateSnapshot } from './snapshot.js'

/** Writes every account, code and slot of `snapshot` into `sm` (null accounts are deleted). */
export async function loadSnapshotInto(sm: StateManagerInterface, snapshot: StateSnapshot): Promise<void> {
  for (const [addr, a] of snapshot) {
    const address = toAddress(addr)
    if (a === null) {
      await sm.deleteAccount(address)
      continue
    }
    await sm.putAccount(address, new Account(a.nonce, a.balance))
    if (a.code !== undefined && a.code.length > 0) await sm.putCode(address, a.code)
    for (const [slot, v] of a.storage ?? []) if (v.length > 0) await sm.putStorage(address, hexToBytes(slot as `0x${string}`), v)
  }
}

/** A Merkle state (with caches) holding `snapshot`, committed and flushed: a parent state for a block. */
export async function merkleStateFrom(snapshot: StateSnapshot, common: Common): Promise<CachedMerkleStateManager> {
  const sm = new CachedMerkleStateManager({ caches: new Caches(), common })
  await sm.checkpoint()
  await loadSnapshotInto(sm, snapshot)
  await sm.commit()
  await sm.flush()
  return sm
}
