/**
 * End-to-end over real processes (one `paradag node` per member on 127.0.0.1): killed
 * execution nodes and a killed-and-restarted committer, and a Byzantine sequencer in every
 * group. Every committed block must equal sequential execution of the same chain, and the
 * committer's chain store must hold each block exactly once.
 */
import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import { openChainStore } from '../../network/index.js'
import { runTestnet } from '../../network/testnet/orchestrator.js'

const dirs: string[] = []
after(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true })
})

describe('testnet end to end (real processes)', { timeout: 300_000, concurrency: false }, () => {
  it('a sequencer and a voter killed mid-block, and the committer killed and restarted: every block correct, none lost or repeated', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'paradag-e2e-'))
    dirs.push(dir)
    const r = await runTestnet({
      construction: 1,
      groups: 2,
      voters: 2,
      blocks: 3,
      txs: 40,
      workload: 'erc20',
      accounts: 60,
      groupTimeoutMs: 3000,
      kills: [
        { node: 'voter-0a', block: 1 },
        { node: 'seq-1', block: 2 },
        { node: 'committer', block: 3 },
      ],
      outDir: dir,
    })
    assert.deepEqual(r.killed.sort(), ['committer', 'seq-1', 'voter-0a'])
    assert.deepEqual(r.restarted, ['committer'])
    assert.equal(r.blocks.length, 3)
    for (const b of r.blocks) assert.equal(b.rootMatches, true, `block ${b.blockNumber} root`)
    for (const b of r.blocks) assert.equal(b.hashMatches, true, `block ${b.blockNumber} hash`)
    const store = await openChainStore({ path: join(dir, 'net', 'data', 'committer') })
    try {
      const stored = []
      for await (const b of store.blocks()) stored.push(b)
      assert.deepEqual(
        stored.map((b) => [b.number.toString(), b.hash]),
        r.blocks.map((b) => [b.blockNumber, b.blockHash]),
      )
    } finally {
      await store.close()
    }
  })

  it('a Byzantine sequencer in every group: its results are never committed, each is detected, blocks are correct', async () => {
    const r = await runTestnet({
      construction: 1,
      groups: 2,
      voters: 2,
      blocks: 2,
      txs: 40,
      workload: 'mixed',
      accounts: 60,
      // Generous: on a loaded 2-core CI machine the honest voters of a group can take seconds
      // for their first package, and a wrong result is only *detected* once they have voted.
      groupTimeoutMs: 12_000,
      byzantine: { 'seq-0': 'wrong-result', 'seq-1': 'bad-signature' },
    })
    for (const b of r.blocks) {
      assert.equal(b.rootMatches, true, `block ${b.blockNumber} root`)
      for (const t of b.timeline ?? []) assert.ok(t.executedBy !== 'seq-0' && t.executedBy !== 'seq-1', `${t.packageId} accepted from ${t.executedBy}`)
      const attemptsOnGroups = (b.timeline ?? []).flatMap((t) => t.attempts.filter((a) => a.target !== 'local'))
      // Every attempt on a Byzantine group ends in a fault, never an acceptance. Normally it is
      // detected (wrong result, bad signature). Under load it can also end in a timeout (honest
      // voters too slow), and a forged envelope that arrives before the committer awaits the
      // package is reported without a block number; both are still refusals, so they count.
      const unattached = r.faults.filter((f) => f.blockNumber === undefined).length
      assert.ok(b.faults.length + unattached >= attemptsOnGroups.length, `block ${b.blockNumber}: ${b.faults.length} faults (+${unattached} unattached) for ${attemptsOnGroups.length} attempts`)
    }
    const kinds = new Set(r.faults.map((f) => `${f.node}:${f.kind}`))
    assert.ok(kinds.has('seq-0:wrong-result'), [...kinds].join(','))
    assert.ok(kinds.has('seq-1:bad-signature'), [...kinds].join(','))
  })
})
