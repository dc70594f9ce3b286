import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Agent } from 'undici';
import { TokenProvider } from '../../src/auth/token-provider.js';
import { resolveRetryPolicy } from '../../src/http/retry-policy.js';
import { AuthError } from '../../src/errors/index.js';
import { VirtualClock } from './virtual-clock.js';

interface TokenServer {
  url: string;
  requests: Array<{ authorization: string | undefined; contentType: string | undefined; body: string }>;
  /** Next answers: [status, body]; when empty, a fresh token with `expiresIn`. */
  answers: Array<[number, unknown]>;
  expiresIn: number;
  /** Resolve to let a held request answer (for the shared in-flight test). */
  hold: Promise<void> | undefined;
  /** Resolves when the first request has arrived. */
  arrived: Promise<void>;
  close(): Promise<void>;
}

async function startTokenServer(): Promise<TokenServer> {
  let issued = 0;
  let markArrived!: () => void;
  const arrived = new Promise<void>((resolve) => (markArrived = resolve));
  const state: Omit<TokenServer, 'url' | 'close'> = { requests: [], answers: [], expiresIn: 3600, hold: undefined, arrived };
  const server: Server = createServer((req: IncomingMessage, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', async () => {
      state.requests.push({ authorization: req.headers.authorization, contentType: req.headers['content-type'], body });
      markArrived();
      if (state.hold !== undefined) await state.hold;
      const [status, payload] = state.answers.shift() ?? [200, { access_token: `tok-${++issued}`, token_type: 'bearer', expires_in: state.expiresIn }];
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(payload));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(state, {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  });
}

async function withProvider(
  fn: (provider: TokenProvider, server: TokenServer, clock: VirtualClock) => Promise<void>,
  refreshMarginMs?: number,
): Promise<void> {
  const server = await startTokenServer();
  const dispatcher = new Agent();
  const clock = new VirtualClock();
  const provider = new TokenProvider({
    loginUrl: server.url,
    clientId: 'my-client',
    clientSecret: 'my-secret',
    dispatcher,
    clock,
    random: () => 0.5,
    retry: resolveRetryPolicy({ limit: 2 }),
    ...(refreshMarginMs !== undefined && { refreshMarginMs }),
  });
  try {
    await fn(provider, server, clock);
  } finally {
    provider.close();
    await dispatcher.close();
    await server.close();
  }
}

test('token: client credentials with Basic auth and a form body; cached until the refresh margin', async () => {
  await withProvider(async (provider, server, clock) => {
    assert.equal(await provider.getToken(), 'tok-1');
    const [request] = server.requests;
    assert.equal(request?.authorization, `Basic ${Buffer.from('my-client:my-secret').toString('base64')}`);
    assert.equal(request?.contentType, 'application/x-www-form-urlencoded');
    assert.equal(request?.body, 'grant_type=client_credentials');
    clock.advance(3600_000 - 120_000 - 1);
    assert.equal(await provider.getToken(), 'tok-1', 'still inside the margin');
    clock.advance(1);
    assert.equal(await provider.getToken(), 'tok-2', 'refreshed 120 s before expiry');
    assert.equal(server.requests.length, 2);
  });
});

test('token: the margin is clamped to half the lifetime, so a 2 s token is used for 1 s', async () => {
  await withProvider(async (provider, server, clock) => {
    server.expiresIn = 2;
    assert.equal(await provider.getToken(), 'tok-1');
    clock.advance(999);
    assert.equal(await provider.getToken(), 'tok-1');
    clock.advance(1);
    assert.equal(await provider.getToken(), 'tok-2');
  });
});

test('token: concurrent callers share one in-flight request', async () => {
  await withProvider(async (provider, server) => {
    let release!: () => void;
    server.hold = new Promise<void>((resolve) => (release = resolve));
    const callers = Array.from({ length: 10 }, () => provider.getToken());
    await server.arrived;
    callers.push(provider.getToken()); // a caller arriving while the request is in flight joins it
    release();
    const tokens = await Promise.all(callers);
    assert.equal(tokens.length, 11);
    assert.deepEqual(new Set(tokens), new Set(['tok-1']));
    assert.equal(server.requests.length, 1);
  });
});

test('token: invalidate drops only the token that failed', async () => {
  await withProvider(async (provider, server) => {
    const first = await provider.getToken();
    provider.invalidate('some-older-token');
    assert.equal(await provider.getToken(), first, 'a stale invalidate does not drop the current token');
    provider.invalidate(first);
    assert.equal(await provider.getToken(), 'tok-2');
    assert.equal(server.requests.length, 2);
  });
});

test('token: invalid_client is an AuthError naming the settings, without the secret', async () => {
  await withProvider(async (provider, server) => {
    server.answers.push([401, { error: 'invalid_client', description: 'bad', error_description: 'bad' }]);
    await assert.rejects(provider.getToken(), (error: unknown) => {
      assert.ok(error instanceof AuthError);
      assert.match(error.message, /GENESYS_CLIENT_ID and GENESYS_CLIENT_SECRET/);
      assert.ok(!error.message.includes('my-secret'));
      assert.equal(error.remoteCode, 'invalid_client');
      return true;
    });
    assert.equal(server.requests.length, 1, 'not retried');
  });
});

test('token: 503 and 429 are retried with the policy', async () => {
  await withProvider(async (provider, server, clock) => {
    server.answers.push([503, { message: 'down' }], [429, { message: 'slow' }]);
    assert.equal(await provider.getToken(), 'tok-1');
    assert.equal(server.requests.length, 3);
    assert.equal(clock.slept[1], 3000, '429 without Retry-After waits 3 s');
  });
});
