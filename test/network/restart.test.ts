// A node restarted from its key file is the same member: same peer id, accepted by the others.
import { strict as assert } from 'node:assert'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import { createParadagNode, loadIdentity, Membership, PROTOCOL } from '../../network/index.js'

const dir = await mkdtemp(join(tmpdir(), 'paradag-restart-'))
after(() => rm(dir, { recursive: true, force: true }))

describe('identity across restarts', () => {
  it('keeps the peer id from the key file and is accepted again after a restart', async () => {
    const seqKey = join(dir, 'seq-0.key')
    const comKey = join(dir, 'committer.key')
    const seqId = await loadIdentity(seqKey, { createIfMissing: true })
    const comId = await loadIdentity(comKey, { createIfMissing: true })
    const membership = Membership.fromConfig({
      'seq-0': { peerId: seqId.peerId.toString(), role: 'sequencer', group: 0, addrs: [] },
      committer: { peerId: comId.peerId.toString(), role: 'committer', addrs: [] },
    })
    const committer = await createParadagNode({ identity: comId, membership })
    await committer.start()
    const got: number[] = []
    committer.onResult((env) => {
      got.push(env.payload[0] ?? -1)
    })
    try {
      for (const round of [1, 2]) {
        // Each round loads the key from disk as a fresh process would.
        const identity = await loadIdentity(seqKey)
        assert.equal(identity.peerId.toString(), seqId.peerId.toString())
        const seq = await createParadagNode({ identity, membership })
        await seq.start()
        try {
          assert.deepEqual(seq.libp2p.getProtocols().sort(), Object.values(PROTOCOL).sort())
          await seq.addPeerAddrs('committer', committer.getMultiaddrs())
          await seq.sendResult('committer', { blockNumber: BigInt(round), payload: Uint8Array.of(round) })
        } finally {
          await seq.stop()
        }
      }
      assert.deepEqual(got, [1, 2])
    } finally {
      await committer.stop()
    }
  })
})
