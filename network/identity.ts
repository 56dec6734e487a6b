/**
 * Persistent Ed25519 node identities. A key file is JSON:
 * `{ "type": "Ed25519", "peerId": "12D3Koo...", "privateKey": "<base64 libp2p protobuf>" }`,
 * written with mode 0600. The peer id in the file is checked against the key on load so a
 * hand-edited file fails loudly instead of silently becoming another node.
 */
import { chmod, mkdir, open, readFile, stat } from 'node:fs/promises'
import { dirname } from 'node:path'
import { generateKeyPair, privateKeyFromProtobuf, privateKeyToProtobuf } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import type { Ed25519PrivateKey, PeerId } from '@libp2p/interface'
import { fromString, toString } from 'uint8arrays'
import { IdentityError } from './errors.js'

/** A node's key pair and the peer id derived from it. */
export interface Identity {
  readonly privateKey: Ed25519PrivateKey
  readonly peerId: PeerId
}

export interface LoadIdentityOptions {
  /** Generate and write a new key when the file does not exist (default false). */
  createIfMissing?: boolean
  /** Accept a key file readable by group or others (default false, like ssh). */
  allowInsecurePermissions?: boolean
}

interface KeyFileJson {
  type: 'Ed25519'
  peerId: string
  privateKey: string
}

/** Generates a fresh in-memory Ed25519 identity. */
export async function generateIdentity(): Promise<Identity> {
  const privateKey = await generateKeyPair('Ed25519')
  return { privateKey, peerId: peerIdFromPrivateKey(privateKey) }
}

/** Serialises an identity to key-file JSON text. */
export function identityToJson(identity: Identity): string {
  const body: KeyFileJson = {
    type: 'Ed25519',
    peerId: identity.peerId.toString(),
    privateKey: toString(privateKeyToProtobuf(identity.privateKey), 'base64pad'),
  }
  return `${JSON.stringify(body, null, 2)}\n`
}

/** Parses key-file JSON text; throws KEY_FILE_INVALID on any defect. */
export function identityFromJson(text: string, path = '<memory>'): Identity {
  let body: unknown
  try {
    body = JSON.parse(text)
  } catch (cause) {
    throw new IdentityError('KEY_FILE_INVALID', `key file ${path} is not JSON`, { details: { path }, cause })
  }
  if (body === null || typeof body !== 'object') {
    throw new IdentityError('KEY_FILE_INVALID', `key file ${path} is not a JSON object`, { details: { path } })
  }
  const b = body as Partial<Record<keyof KeyFileJson, unknown>>
  if (b.type !== 'Ed25519') {
    throw new IdentityError('KEY_FILE_INVALID', `key file ${path} must hold an Ed25519 key`, { details: { path, type: b.type } })
  }
  if (typeof b.privateKey !== 'string' || typeof b.peerId !== 'string') {
    throw new IdentityError('KEY_FILE_INVALID', `key file ${path} lacks privateKey or peerId`, { details: { path } })
  }
  let privateKey
  try {
    privateKey = privateKeyFromProtobuf(fromString(b.privateKey, 'base64pad'))
  } catch (cause) {
    throw new IdentityError('KEY_FILE_INVALID', `key file ${path} holds an unreadable private key`, { details: { path }, cause })
  }
  if (privateKey.type !== 'Ed25519') {
    throw new IdentityError('KEY_FILE_INVALID', `key file ${path} must hold an Ed25519 key`, { details: { path, type: privateKey.type } })
  }
  const peerId = peerIdFromPrivateKey(privateKey)
  if (peerId.toString() !== b.peerId) {
    throw new IdentityError('KEY_FILE_INVALID', `key file ${path}: peerId does not match the private key`, {
      details: { path, fileSays: b.peerId, keyGives: peerId.toString() },
    })
  }
  return { privateKey, peerId }
}

/** Writes an identity to a new key file with mode 0600; refuses to overwrite (KEY_FILE_EXISTS). */
export async function writeIdentity(path: string, identity: Identity): Promise<void> {
  await mkdir(dirname(path), { recursive: true })
  let fh
  try {
    // 'wx' fails if the file exists: an identity is never silently replaced.
    fh = await open(path, 'wx', 0o600)
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === 'EEXIST') {
      throw new IdentityError('KEY_FILE_EXISTS', `key file ${path} already exists`, { details: { path }, cause })
    }
    throw cause
  }
  try {
    await fh.writeFile(identityToJson(identity), 'utf8')
  } finally {
    await fh.close()
  }
  // The umask may have masked bits off, never on, but be explicit.
  await chmod(path, 0o600)
}

/** Loads the identity in `path`, or creates it when missing and `createIfMissing` is set. */
export async function loadIdentity(path: string, options: LoadIdentityOptions = {}): Promise<Identity> {
  let mode: number
  try {
    mode = (await stat(path)).mode
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new IdentityError('KEY_FILE_INVALID', `key file ${path} cannot be read`, { details: { path }, cause })
    }
    if (options.createIfMissing !== true) {
      throw new IdentityError('KEY_FILE_NOT_FOUND', `key file ${path} does not exist`, { details: { path }, cause })
    }
    const identity = await generateIdentity()
    await writeIdentity(path, identity)
    return identity
  }
  if ((mode & 0o077) !== 0 && options.allowInsecurePermissions !== true) {
    throw new IdentityError('KEY_FILE_INSECURE', `key file ${path} is readable by others (mode ${(mode & 0o777).toString(8)}); chmod 600 it`, {
      details: { path, mode: mode & 0o777 },
    })
  }
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (cause) {
    throw new IdentityError('KEY_FILE_INVALID', `key file ${path} cannot be read`, { details: { path }, cause })
  }
  return identityFromJson(text, path)
}
