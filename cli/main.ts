#!/usr/bin/env node
/** paradag command line: wires the commands; each command is thin (parse, call the library, print). */
import { Command } from 'commander'
import { registerBench } from './commands/bench.js'
import { registerReplay } from './commands/replay.js'
import { registerGen } from './commands/gen.js'
import { registerTestnet } from './commands/testnet.js'
import { registerNode } from './commands/node.js'
import { registerDemo } from './commands/demo.js'
import { registerSidecar } from './commands/sidecar.js'

const program = new Command()
program
  .name('paradag')
  .description('parallel, serial-equivalent block execution for EVM rollups')
  .version('0.1.0')
  .option('--verbose', 'print full error chains')
registerBench(program)
registerReplay(program)
registerGen(program)
registerTestnet(program)
registerNode(program)
registerDemo(program)
registerSidecar(program)

await program.parseAsync(process.argv)
