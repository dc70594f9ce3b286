#!/usr/bin/env node
/**
 * The `genesys-upload` command: one bin, one file per subcommand. Results go to stdout, progress
 * and diagnostics to stderr; the exit status tells the failure class (see src/errors/exit-codes.ts).
 */
import { setFlagsFromString } from 'node:v8';
import { Command, CommanderError } from 'commander';
import { EXIT_CODES } from '../errors/exit-codes.js';

// undici parses HTTP with llhttp compiled to WebAssembly. V8's optimising WebAssembly tier
// (TurboFan) costs ~33 MiB of memory to compile it, which is a third of the CLI's memory budget
// and buys nothing here: we parse a few small responses while sending gigabytes. Keeping the
// baseline tier (Liftoff) only must happen before undici is loaded, i.e. before any subcommand's
// module is imported below. Measured: peak RSS 120 → 87 MiB for a 1 GiB send, same throughput.
setFlagsFromString('--liftoff-only');
// The engine allocates little (about a dozen young-generation collections per GiB), but V8 still
// doubles the young generation after a while, 8–10 MiB of RSS that a long upload never gives back.
// Keeping it at its start size costs no measurable CPU. Measured: 4 GiB send 95.6 → 85.4 MiB.
// (--max-semi-space-size would do it too, but V8 reads that one only at start-up.)
setFlagsFromString('--semi-space-growth-factor=1');
// The AWS SDK (loaded for a link store) warns on stderr that its releases after January 2027 will
// need Node 22. The versions this package pins work on Node 20 (README, requirements), and a
// multi-line notice in the middle of a send's progress only confuses; a user who set the variable
// either way keeps their choice.
process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] ??= 'true';

// Each subcommand's module is loaded only when it runs (all of them for the top-level help), so
// that `send` does not carry the emulator's code and dependencies in its memory.
const COMMANDS: Record<string, () => Promise<Command>> = {
  send: async () => (await import('./send.js')).sendCommand(),
  resume: async () => (await import('./resume.js')).resumeCommand(),
  uploads: async () => (await import('./uploads.js')).uploadsCommand(),
  serve: async () => (await import('./serve.js')).serveCommand(),
  demo: async () => (await import('./demo.js')).demoCommand(),
  emulator: async () => (await import('./emulator.js')).emulatorCommand(),
};

const program = new Command('genesys-upload')
  .description(
    'Move large files into Genesys Cloud messaging: chunked, parallel, checksummed uploads, ' +
      'and a local Genesys Cloud emulator to try it all without an organisation.',
  )
  .version('0.1.0')
  .showHelpAfterError('(run with --help for usage)')
  .addHelpText('after', '\nQuick start: genesys-upload demo        Details: genesys-upload help <command>')
  .exitOverride();

// `genesys-upload --help | head` closes stdout early: that is not a failure worth a stack trace.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});

const requested = process.argv[2] ?? '';
const loaders = Object.hasOwn(COMMANDS, requested) ? [COMMANDS[requested]!] : Object.values(COMMANDS);
for (const load of loaders) {
  // exitOverride is not inherited by added commands: without it a usage error would exit 1, not 2.
  program.addCommand((await load()).exitOverride().showHelpAfterError('(run with --help for usage)'));
}

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
