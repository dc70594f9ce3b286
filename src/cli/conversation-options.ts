/**
 * `--via conversation`: its flags. The Via a send, a resume or the service runs through is opened
 * by src/relay/conversation-via.ts.
 */
import type { Command } from 'commander';

export function addConversationOptions(command: Command): Command {
  return command
    .option('--conversation-id <id>', 'conversation: the messaging conversation to put the file into')
    .option('--communication-id <id>', "conversation: the agent's message communication (default: the connected one is looked up)")
    .option('--access-token-file <path>', 'conversation: a user access token in this file instead of client credentials (env GENESYS_ACCESS_TOKEN)');
}
