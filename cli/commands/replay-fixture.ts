/** `paradag replay --fixture`: OP-stack fixtures (wired to src/chain). */
import { UsageError } from '../run-command.js'

/** Replays an OP-stack fixture. */
export async function replayFixture(_path: string, _o: { sequential?: boolean; json?: boolean }): Promise<number> {
  throw new UsageError('--fixture is not wired in this build yet')
}
