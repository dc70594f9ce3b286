/**
 * `--via`: which destination a send goes through. The default is the tutorial's Files API
 * (genesys-files), which only the emulator serves: pointed at a real region without --via, a send
 * is refused with the two destinations a real org has, instead of failing later with a 404.
 */
import { Option, type Command } from 'commander';
import { GENESYS_REGIONS } from '../config/regions.js';
import type { ResolvedConfig } from '../config/resolve-config.js';
import { ConfigError } from '../errors/index.js';
import { createGenesysClient } from '../relay/genesys-client.js';
import { genesysFilesVia } from '../relay/via.js';
import type { OpenedVia } from '../relay/web-messaging-via.js';

export const VIAS = ['genesys-files', 'web-messaging', 'conversation'] as const;
export type ViaName = (typeof VIAS)[number];

export function addViaOption(command: Command): Command {
  return command.addOption(
    new Option('--via <destination>', 'where the file goes: genesys-files (the emulator\'s Files API), web-messaging (as a guest), conversation (agent side)').choices(VIAS),
  );
}

export function resolveVia(flags: { via?: string; region?: string }, env: NodeJS.ProcessEnv): ViaName {
  if (flags.via !== undefined) return flags.via as ViaName;
  const region = flags.region ?? env.GENESYS_REGION;
  // A region that is not Genesys' is left to the usual check (its message lists the regions).
  if (region !== undefined && GENESYS_REGIONS.includes(region.trim().toLowerCase().replace(/\.$/, ''))) {
    throw new ConfigError(
      'config.via_required',
      `--via is required with a real region (${region.trim()}): real Genesys Cloud orgs have no Files API (the default destination, ` +
        'served by the emulator only). Use --via web-messaging (a file sent as a Web Messaging guest, with --deployment-id) or ' +
        '--via conversation (into an existing conversation from the agent side, with --conversation-id).',
    );
  }
  return 'genesys-files';
}

/** The Files API's Via on a client of its own, which close() closes (send, resume, demo). */
export function openFilesVia(config: ResolvedConfig, recipients: { to: string[]; language: string }): OpenedVia {
  const client = createGenesysClient(config);
  return { via: genesysFilesVia(client, recipients), close: () => client.close() };
}
