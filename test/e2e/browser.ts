/**
 * Real Chromium for the end-to-end tests: Debian's /usr/bin/chromium driven by playwright-core.
 * A missing browser is a FAILURE with instructions, never a skip: CI installs it, and a test that
 * silently skips proves nothing.
 */
import { accessSync, constants } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Flags for a quiet, headless, sandbox-less Chromium in a container or CI runner. */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export async function launchChromium(): Promise<Browser> {
  try {
    accessSync(CHROMIUM_PATH, constants.X_OK);
  } catch {
    throw new Error(
      `Chromium was not found at ${CHROMIUM_PATH}. The end-to-end tests need a real browser: ` +
        'install it (Debian/Ubuntu: `apt-get install chromium`) or set CHROMIUM_PATH to its executable.',
    );
  }
  // Each launch gets a fresh temporary profile (user data dir), removed when the browser closes.
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, timeout: 30_000 });
}
