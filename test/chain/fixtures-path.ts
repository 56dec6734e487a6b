/** Locates ../shared/fixtures/op-sepolia from the compiled test (dist/test/chain) or the cwd. */
import { existsSync, readFileSync, readdirSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

function fixturesDir(): string {
  const env = process.env['PARADAG_OP_FIXTURES']
  if (env !== undefined && existsSync(env)) return env
  const fromDist = fileURLToPath(new URL('../../../../shared/fixtures/op-sepolia/', import.meta.url))
  if (existsSync(fromDist)) return fromDist
  return resolve(process.cwd(), '../shared/fixtures/op-sepolia')
}

export const OP_FIXTURES_DIR = fixturesDir()

/** Block numbers of the available fixtures, ascending. */
export function fixtureNumbers(): string[] {
  if (!existsSync(OP_FIXTURES_DIR)) return []
  return readdirSync(OP_FIXTURES_DIR)
    .filter((n) => existsSync(join(OP_FIXTURES_DIR, n, 'block.json')))
    .sort()
}

/** The raw JSON of fixture `n`. */
export function loadFixtureJson(n: string): Record<string, unknown> {
  return JSON.parse(readFileSync(join(OP_FIXTURES_DIR, n, 'block.json'), 'utf8')) as Record<string, unknown>
}
