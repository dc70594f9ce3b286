/**
 * The flags that say which Genesys Cloud org to talk to, shared by every command that uploads.
 * The client secret has no flag on purpose: a flag would show in `ps` and shell history. It comes
 * from GENESYS_CLIENT_SECRET or from a file (--client-secret-file), read here and never echoed.
 */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { ConfigError } from '../errors/index.js';

export interface TargetFlags {
  clientId?: string;
  clientSecretFile?: string;
  baseUrl?: string;
  region?: string;
  loginUrl?: string;
  apiUrl?: string;
}

export function addTargetOptions(command: Command): Command {
  return command
    .option('--client-id <id>', 'OAuth client id (env GENESYS_CLIENT_ID)')
    .option('--client-secret-file <path>', 'read the OAuth client secret from this file (default: env GENESYS_CLIENT_SECRET)')
    .option('--base-url <url>', 'one origin for login and API, e.g. the emulator (env GENESYS_BASE_URL)')
    .option('--region <domain>', 'Genesys Cloud region domain, e.g. mypurecloud.ie (env GENESYS_REGION)')
    .option('--login-url <url>', 'login origin, with --api-url (env GENESYS_LOGIN_URL)')
    .option('--api-url <url>', 'API origin, with --login-url (env GENESYS_API_URL)');
}

/** Turns the parsed flags into the shape resolveConfig() takes, reading the secret file if given. */
export function targetFlagsToConfigFlags(flags: TargetFlags): Record<string, string | undefined> {
  let clientSecret: string | undefined;
  if (flags.clientSecretFile !== undefined) {
    try {
      clientSecret = readFileSync(flags.clientSecretFile, 'utf8').trim();
    } catch (error) {
      throw new ConfigError(
        'config.secret_file',
        `--client-secret-file: cannot read ${flags.clientSecretFile} (${(error as NodeJS.ErrnoException).code ?? 'error'}). Give a readable file that holds only the secret.`,
      );
    }
  }
  return {
    clientId: flags.clientId,
    clientSecret,
    baseUrl: flags.baseUrl,
    region: flags.region,
    loginUrl: flags.loginUrl,
    apiUrl: flags.apiUrl,
  };
}
