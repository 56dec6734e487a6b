// Runs every compiled test file under dist/test with node's test runner.
// Slow suites (files ending in .slow.test.js) run only when PARADAG_SLOW=1 or CI=true.
import { readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { spawnSync } from 'node:child_process'

const root = new URL('../dist/test', import.meta.url).pathname
const slow = process.env.PARADAG_SLOW === '1' || process.env.CI === 'true'
const filter = process.argv[2]
const files = []
const walk = (dir) => {
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name)
    if (statSync(p).isDirectory()) walk(p)
    else if (name.endsWith('.test.js')) {
      if (name.endsWith('.slow.test.js') && !slow) continue
      if (filter && !p.includes(filter)) continue
      files.push(p)
    }
  }
}
walk(root)
if (files.length === 0) {
  console.error('no test files found under dist/test')
  process.exit(1)
}
const res = spawnSync(process.execPath, ['--test', '--test-concurrency=2', ...files], { stdio: 'inherit' })
process.exit(res.status ?? 1)
