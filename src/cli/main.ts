#!/usr/bin/env node
/**
 * The `genesys-upload` command: one bin, one file per subcommand. Results go to stdout, progress
 * and diagnostics to stderr; the exit status tells the failure class (see src/errors/exit-codes.ts).
 */
import { Command, CommanderError } from 'commander';
import { emulatorCommand } from './emulator.js';
import { sendCommand } from './send.js';
import { demoCommand } from './demo.js';
import { EXIT_CODES } from '../errors/exit-codes.js';

const program = new Command('genesys-upload')
  .description(
    'Move large files into Genesys Cloud messaging: chunked, parallel, checksummed uploads,\n' +
      'and a local Genesys Cloud emulator to try it all without an organisation.',
  )
  .version('0.1.0')
  .showHelpAfterError('(run with --help for usage)')
  .exitOverride();

program.addCommand(sendCommand());
program.addCommand(demoCommand());
program.addCommand(emulatorCommand());

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    // --help and --version end with exitCode 0; usage errors were already printed by commander.
    process.exitCode = error.exitCode === 0 ? 0 : EXIT_CODES.usage;
  } else {
    throw error;
  }
}
