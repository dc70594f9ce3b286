/**
 * Genesys' official JavaScript SDK (purecloud-platform-client-v2) against the emulator: the SDK's
 * gateway setting points login and API calls at one origin (getConfUrl: protocol://host:port plus
 * optional path_params_login / path_params_api, none here), loginClientCredentialsGrant posts
 * `grant_type=client_credentials` with Basic auth to {login}/oauth/token, and with extended
 * responses on, callApi resolves/rejects with {status, headers, body}.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { TestContext } from 'node:test';
import platformClient from 'purecloud-platform-client-v2';
import { ALL_CLIENTS, CLIENTS, emulatorFor } from './fixtures.js';

type ApiClient = typeof platformClient.ApiClient.instance;

interface ExtendedResponse {
  status: number;
  headers: Record<string, string>;
  body: Record<string, unknown>;
}

/**
 * The SDK keeps one ApiClient singleton (ApiClient.instance) that its *Api classes use. Each test
 * gets a fresh client installed as that singleton, and the original is put back afterwards.
 */
function freshClient(t: TestContext, port: number): ApiClient {
  const original = platformClient.ApiClient.instance;
  const Ctor = original.constructor as new () => ApiClient;
  const client = new Ctor();
  platformClient.ApiClient.instance = client;
  t.after(() => {
    platformClient.ApiClient.instance = original;
  });
  client.setGateway({ host: '127.0.0.1', protocol: 'http', port });
  return client;
}

const OAUTH = ['PureCloud OAuth'];
const JSON_TYPE = ['application/json'];

function postUpload(client: ApiClient, body: unknown): Promise<ExtendedResponse> {
  return client.callApi('/api/v2/files/uploads', 'POST', {}, {}, {}, {}, body, OAUTH, JSON_TYPE, JSON_TYPE);
}

async function rejection(promise: Promise<unknown>): Promise<ExtendedResponse> {
  try {
    await promise;
  } catch (error) {
    return error as ExtendedResponse;
  }
  throw new Error('the SDK call was expected to reject');
}

describe('Genesys SDK purecloud-platform-client-v2 against the emulator', () => {
  test('loginClientCredentialsGrant through setGateway obtains a working token', async (t) => {
    const emu = await emulatorFor(t);
    const client = freshClient(t, emu.port);
    const auth = (await client.loginClientCredentialsGrant(CLIENTS.demo.id, CLIENTS.demo.secret)) as { accessToken?: string };
    assert.equal(typeof auth.accessToken, 'string');
    assert.ok((auth.accessToken ?? '').length > 0);
    client.setReturnExtendedResponses(true);
    const res = await postUpload(client, { fileName: 'sdk.pdf', contentType: 'application/pdf', totalSize: 10 });
    assert.equal(res.status, 201);
    assert.equal(typeof res.body.uploadId, 'string');
    assert.equal(res.headers['inin-ratelimit-allowed'], '300');
    assert.equal(typeof res.headers['inin-correlation-id'], 'string');
    assert.equal(emu.state().counters.token?.requests, 1, 'the SDK logged in at the emulator');
  });

  test('a wrong secret makes the SDK login reject with the 401 invalid_client body', async (t) => {
    const emu = await emulatorFor(t);
    const client = freshClient(t, emu.port);
    const error = (await rejection(client.loginClientCredentialsGrant(CLIENTS.demo.id, 'wrong'))) as unknown as {
      response?: { status: number; data: { error: string } };
    };
    assert.equal(error.response?.status, 401);
    assert.equal(error.response?.data.error, 'invalid_client');
  });

  test('extended responses expose the 403 error body and ININ-Correlation-Id', async (t) => {
    const emu = await emulatorFor(t, { clients: ALL_CLIENTS });
    const client = freshClient(t, emu.port);
    await client.loginClientCredentialsGrant(CLIENTS.sender.id, CLIENTS.sender.secret);
    client.setReturnExtendedResponses(true);
    const res = await rejection(postUpload(client, { fileName: 'sdk.pdf', contentType: 'application/pdf', totalSize: 10 }));
    assert.equal(res.status, 403);
    assert.equal(res.body.code, 'missing.permissions');
    assert.equal(res.body.status, 403);
    assert.match(String(res.body.message), /files:upload/);
    assert.equal(typeof res.body.contextId, 'string');
    assert.equal(res.headers['inin-correlation-id'], res.body.contextId);
    assert.ok(res.headers['inin-ratelimit-count'] !== undefined);
  });

  test('without extended responses the SDK rejects with the bare error body', async (t) => {
    const emu = await emulatorFor(t, { clients: ALL_CLIENTS });
    const client = freshClient(t, emu.port);
    await client.loginClientCredentialsGrant(CLIENTS.uploader.id, CLIENTS.uploader.secret);
    const guests = client.callApi('/api/v2/conversations/messaging/guests', 'POST', {}, {}, {}, {}, { language: 'en-US' }, OAUTH, JSON_TYPE, JSON_TYPE);
    const body = (await rejection(guests)) as unknown as Record<string, unknown>;
    assert.equal(body.code, 'missing.permissions');
    assert.match(String(body.message), /messaging:guest/);
  });

  test('a path parameter route (upload status) works through the SDK', async (t) => {
    const emu = await emulatorFor(t);
    const client = freshClient(t, emu.port);
    await client.loginClientCredentialsGrant(CLIENTS.demo.id, CLIENTS.demo.secret);
    client.setReturnExtendedResponses(true);
    const init = await postUpload(client, { fileName: 'sdk.pdf', contentType: 'application/pdf', totalSize: 10 });
    const status: ExtendedResponse = await client.callApi(
      '/api/v2/files/uploads/{uploadId}',
      'GET',
      { uploadId: String(init.body.uploadId) },
      {},
      {},
      {},
      null,
      OAUTH,
      JSON_TYPE,
      JSON_TYPE,
    );
    assert.equal(status.status, 200);
    assert.equal(status.body.state, 'open');
    const missing = await rejection(
      client.callApi('/api/v2/files/uploads/{uploadId}', 'GET', { uploadId: 'nope' }, {}, {}, {}, null, OAUTH, JSON_TYPE, JSON_TYPE),
    );
    assert.equal(missing.status, 404);
    assert.equal(missing.body.code, 'not.found');
  });
});
