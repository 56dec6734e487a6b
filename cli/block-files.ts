/** Reading block files for `replay`: the paradag-block/1 format (generated blocks with pre-state). */
import { readFileSync } from 'node:fs'
import { workloadFromJson, type Workload } from '../src/workloads/index.js'
import { UsageError } from './run-command.js'

/** Reads and parses a JSON file with a clear error. */
export function readJsonFile(path: string): unknown {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (err) {
    throw new UsageError(`cannot read ${path}: ${(err as Error).message}`)
  }
  try {
    return JSON.parse(text)
  } catch (err) {
    throw new UsageError(`${path} is not valid JSON: ${(err as Error).message}`)
  }
}

/** Loads a paradag-block/1 file as a workload. */
export function loadBlockFile(path: string): Workload {
  return workloadFromJson(readJsonFile(path))
}
