/**
 * The Host check against DNS rebinding. A web page the operator visits can point its own name at
 * 127.0.0.1 and then talk to a keyless service on the loopback address as "same origin"; its
 * requests still carry the page's name in Host. So only these Host names are answered: loopback
 * names and addresses, the address the service is bound to (with a wildcard bind: the machine's
 * interface addresses), and the public host names configured with --public-host. Anything else is
 * 421 Misdirected Request, before authentication and before any route runs.
 */
import { isIP } from 'node:net';
import { networkInterfaces } from 'node:os';
import type { FastifyInstance } from 'fastify';

const LOOPBACK_NAMES = new Set(['localhost', 'localhost.', 'ip6-localhost', 'ip6-loopback']);

export function isLoopbackHost(host: string): boolean {
  const name = host.toLowerCase();
  if (LOOPBACK_NAMES.has(name) || name.endsWith('.localhost') || name.endsWith('.localhost.')) return true;
  if (isIP(name) === 4) return name.startsWith('127.');
  return name === '::1' || name === '0:0:0:0:0:0:0:1';
}

export function isWildcardHost(host: string): boolean {
  return host === '0.0.0.0' || host === '::' || host === '0:0:0:0:0:0:0:0';
}

/** The host name of a Host header (`name:port`, `[v6]:port`), lower-case; undefined when malformed. */
export function hostName(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const value = header.trim().toLowerCase();
  const bracketed = /^\[([0-9a-f:.]+)\](?::\d{1,5})?$/.exec(value);
  if (bracketed !== null) return bracketed[1];
  const plain = /^([a-z0-9.-]+|[0-9.]+)(?::\d{1,5})?$/.exec(value);
  return plain?.[1];
}

/** The Host names this service answers to. */
export function allowedHostNames(bound: string, publicHosts: readonly string[]): Set<string> {
  const names = new Set<string>(publicHosts.map((host) => host.toLowerCase()));
  names.add(bound.toLowerCase());
  if (isWildcardHost(bound)) {
    for (const addresses of Object.values(networkInterfaces())) {
      for (const address of addresses ?? []) names.add(address.address.toLowerCase());
    }
  }
  return names;
}

export function hostAllowed(allowed: ReadonlySet<string>, header: string | undefined): boolean {
  const name = hostName(header);
  return name !== undefined && (isLoopbackHost(name) || allowed.has(name));
}

export function registerHostCheck(app: FastifyInstance, bound: string, publicHosts: readonly string[]): void {
  const allowed = allowedHostNames(bound, publicHosts);
  app.addHook('onRequest', async (request, reply) => {
    if (hostAllowed(allowed, request.headers.host)) return;
    await reply.code(421).send({
      error: 'misdirected_request',
      message: 'This service does not answer to that Host name. Operators: add it with --public-host.',
    });
    return reply;
  });
}
