import { strict as assert } from 'node:assert'
import { chmod, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import { generateIdentity, identityToJson, loadIdentity, Membership, loadMembership, writeIdentity } from '../../network/index.js'
import { rejectsWithCode, throwsWithCode } from './helpers.js'

const dir = await mkdtemp(join(tmpdir(), 'paradag-id-'))
after(() => rm(dir, { recursive: true, force: true }))

describe('key files', () => {
  it('creates a key file with mode 0600 only when asked, and loads the same identity after', async () => {
    const path = join(dir, 'a', 'node.key')
    await rejectsWithCode(loadIdentity(path), 'KEY_FILE_NOT_FOUND')
    const created = await loadIdentity(path, { createIfMissing: true })
    assert.equal((await stat(path)).mode & 0o777, 0o600)
    const loaded = await loadIdentity(path)
    assert.equal(loaded.peerId.toString(), created.peerId.toString())
    assert.ok(loaded.privateKey.equals(created.privateKey))
    // createIfMissing on an existing file loads it instead of replacing it.
    assert.equal((await loadIdentity(path, { createIfMissing: true })).peerId.toString(), created.peerId.toString())
    await rejectsWithCode(writeIdentity(path, await generateIdentity()), 'KEY_FILE_EXISTS')
  })

  it('refuses a key file readable by others unless allowed', async () => {
    const path = join(dir, 'open.key')
    await writeIdentity(path, await generateIdentity())
    await chmod(path, 0o644)
    await rejectsWithCode(loadIdentity(path), 'KEY_FILE_INSECURE')
    await loadIdentity(path, { allowInsecurePermissions: true })
  })

  it('rejects bad key files with KEY_FILE_INVALID', async () => {
    const good = JSON.parse(identityToJson(await generateIdentity())) as Record<string, string>
    const other = JSON.parse(identityToJson(await generateIdentity())) as Record<string, string>
    const cases: Record<string, string> = {
      'not-json': 'hello',
      array: '[]',
      'wrong-type': JSON.stringify({ ...good, type: 'RSA' }),
      'no-key': JSON.stringify({ type: 'Ed25519', peerId: good.peerId }),
      'garbage-key': JSON.stringify({ ...good, privateKey: 'AAAA' }),
      'peer-mismatch': JSON.stringify({ ...good, peerId: other.peerId }),
    }
    for (const [name, text] of Object.entries(cases)) {
      const path = join(dir, `${name}.key`)
      await writeFile(path, text, { mode: 0o600 })
      await rejectsWithCode(loadIdentity(path), 'KEY_FILE_INVALID')
    }
    const raw = await readFile(join(dir, 'peer-mismatch.key'), 'utf8')
    assert.ok(raw.includes(other.peerId ?? 'x'))
  })
})

const ids = await Promise.all([1, 2, 3].map(() => generateIdentity()))

describe('membership', () => {
  const p = (i: number) => ids[i]?.peerId.toString() ?? ''
  const valid = {
    'construction-0': { peerId: p(0), role: 'construction', addrs: ['/ip4/127.0.0.1/tcp/4001'] },
    'seq-0': { peerId: p(1), role: 'sequencer', group: 0, addrs: [] },
    'voter-0a': { peerId: p(2), role: 'voter', group: 0, addrs: ['/ip4/10.0.0.3/tcp/4001'] },
  }

  it('indexes members by name, peer id and wire bytes, and lists groups', async () => {
    const m = Membership.fromConfig(valid)
    assert.equal(m.byName('seq-0')?.role, 'sequencer')
    assert.equal(m.byPeerId(p(2))?.name, 'voter-0a')
    assert.equal(m.byPeerIdBytes(ids[0]!.peerId.toMultihash().bytes)?.name, 'construction-0')
    assert.deepEqual(m.groups().map((g) => [g.group, g.sequencer.name, g.voters.map((v) => v.name)]), [[0, 'seq-0', ['voter-0a']]])
    assert.deepEqual(Membership.fromConfig(m.toConfig()).toConfig(), m.toConfig())
    const path = join(dir, 'membership.json')
    await writeFile(path, JSON.stringify(valid))
    assert.equal((await loadMembership(path)).members.length, 3)
  })

  it('rejects invalid configs with MEMBERSHIP_INVALID and the path of the defect', () => {
    const bad: Array<[unknown, string]> = [
      [[], '$'],
      [{}, '$'],
      [{ ...valid, 'bad name!': valid['seq-0'] }, '$.bad name!'],
      [{ ...valid, 'seq-0': { ...valid['seq-0'], peerId: 'nope' } }, '$.seq-0.peerId'],
      [{ ...valid, 'seq-0': { ...valid['seq-0'], role: 'king' } }, '$.seq-0.role'],
      [{ ...valid, 'seq-0': { peerId: p(1), role: 'sequencer', addrs: [] } }, '$.seq-0.group'],
      [{ ...valid, 'construction-0': { ...valid['construction-0'], group: 1 } }, '$.construction-0.group'],
      [{ ...valid, 'voter-0a': { ...valid['voter-0a'], addrs: ['not an addr'] } }, '$.voter-0a.addrs[0]'],
      [{ ...valid, 'voter-0a': { ...valid['voter-0a'], peerId: p(1) } }, '$.voter-0a.peerId'],
      [{ ...valid, 'voter-0a': { ...valid['voter-0a'], group: 5 } }, '$'],
      [{ ...valid, 'seq-0': { ...valid['seq-0'], extra: 1 } }, '$.seq-0.extra'],
    ]
    for (const [config, path] of bad) {
      const err = throwsWithCode(() => Membership.fromConfig(config), 'MEMBERSHIP_INVALID') as { details: { path: string } }
      assert.equal(err.details.path, path)
    }
  })

  it('reports a missing or non-JSON file', async () => {
    await rejectsWithCode(loadMembership(join(dir, 'missing.json')), 'MEMBERSHIP_NOT_FOUND')
    const path = join(dir, 'broken.json')
    await writeFile(path, '{')
    await rejectsWithCode(loadMembership(path), 'MEMBERSHIP_INVALID')
  })
})
