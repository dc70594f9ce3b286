import { test } from 'node:test';
import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { resolveConfig, GENESYS_REGIONS } from '../../src/config/index.js';
import { ConfigError } from '../../src/errors/index.js';

const SECRET = 's3cr3t-VALUE-never-shown';
const creds = { GENESYS_CLIENT_ID: 'client-1', GENESYS_CLIENT_SECRET: SECRET };

function fails(env: NodeJS.ProcessEnv, flags: Record<string, string | undefined>, setting: RegExp): ConfigError {
  let caught: unknown;
  try {
    resolveConfig({ env, flags });
  } catch (error) {
    caught = error;
  }
  assert.ok(caught instanceof ConfigError, `expected a ConfigError for ${JSON.stringify(flags)}`);
  assert.match(caught.message, setting);
  assert.ok(!caught.message.includes(SECRET), 'the secret is never in a message');
  assert.ok(!JSON.stringify(caught.toJSON()).includes(SECRET));
  return caught;
}

test('config: base URL, region, and login+api URLs', () => {
  const base = resolveConfig({ env: { ...creds, GENESYS_BASE_URL: 'http://127.0.0.1:8080/' }, flags: {} });
  assert.equal(base.loginUrl, 'http://127.0.0.1:8080');
  assert.equal(base.apiUrl, 'http://127.0.0.1:8080');
  assert.equal(base.clientSecret, SECRET);

  const region = resolveConfig({ env: { ...creds, GENESYS_REGION: 'mypurecloud.ie' }, flags: {} });
  assert.equal(region.loginUrl, 'https://login.mypurecloud.ie');
  assert.equal(region.apiUrl, 'https://api.mypurecloud.ie');
  const usw2 = resolveConfig({ env: { ...creds, GENESYS_REGION: 'usw2.pure.cloud' }, flags: {} });
  assert.equal(usw2.apiUrl, 'https://api.usw2.pure.cloud');

  const split = resolveConfig({
    env: { ...creds, GENESYS_LOGIN_URL: 'https://login.example.test', GENESYS_API_URL: 'https://api.example.test:8443' },
    flags: {},
  });
  assert.equal(split.loginUrl, 'https://login.example.test');
  assert.equal(split.apiUrl, 'https://api.example.test:8443');
  for (const required of ['mypurecloud.com', 'use2.us-gov-pure.cloud', 'cac1.pure.cloud', 'euc2.pure.cloud', 'mypurecloud.com.au', 'apne3.pure.cloud', 'euw3.pure.cloud']) {
    assert.ok(GENESYS_REGIONS.includes(required), required);
  }
});

test('config: flags override the environment, and a target flag replaces the environment target', () => {
  const config = resolveConfig({
    env: { ...creds, GENESYS_REGION: 'mypurecloud.ie' },
    flags: { clientId: 'flag-client', baseUrl: 'http://localhost:9000' },
  });
  assert.equal(config.clientId, 'flag-client');
  assert.equal(config.apiUrl, 'http://localhost:9000');
  const secretFlag = resolveConfig({ env: { ...creds, GENESYS_BASE_URL: 'http://h:1' }, flags: { clientSecret: 'other', clientId: undefined } });
  assert.equal(secretFlag.clientSecret, 'other');
  assert.equal(secretFlag.clientId, 'client-1');
  // Blank values count as not given.
  const blank = resolveConfig({ env: { ...creds, GENESYS_REGION: '  ', GENESYS_BASE_URL: 'http://h:1' }, flags: { region: '' } });
  assert.equal(blank.apiUrl, 'http://h:1');
});

test('config: the secret never shows in target, JSON, inspect or spreads', () => {
  const config = resolveConfig({ env: { ...creds, GENESYS_REGION: 'mypurecloud.de' }, flags: {} });
  assert.match(config.target, /mypurecloud\.de/);
  assert.match(config.target, /client-1/);
  for (const view of [config.target, JSON.stringify(config), inspect(config, { depth: 5 }), JSON.stringify({ ...config })]) {
    assert.ok(!view.includes(SECRET), view);
  }
});

test('config: every error names the setting and what is allowed', () => {
  fails({ GENESYS_CLIENT_SECRET: SECRET, GENESYS_REGION: 'mypurecloud.ie' }, {}, /GENESYS_CLIENT_ID/);
  fails({ GENESYS_CLIENT_ID: 'x', GENESYS_REGION: 'mypurecloud.ie' }, {}, /GENESYS_CLIENT_SECRET/);
  fails(creds, {}, /GENESYS_BASE_URL.*GENESYS_REGION.*GENESYS_LOGIN_URL.*GENESYS_API_URL/);
  fails({ ...creds, GENESYS_REGION: 'mypurecloud.ie', GENESYS_BASE_URL: 'http://h' }, {}, /Conflicting targets.*exactly one/);
  const region = fails({ ...creds, GENESYS_REGION: 'mars.pure.cloud' }, {}, /GENESYS_REGION.*not a Genesys Cloud region/);
  assert.match(region.message, /mypurecloud\.com, .*usw2\.pure\.cloud/);
  assert.equal(region.code, 'config.region');
  fails({ ...creds, GENESYS_LOGIN_URL: 'https://l.test' }, {}, /GENESYS_API_URL/);
  fails({ ...creds, GENESYS_API_URL: 'https://a.test' }, {}, /GENESYS_LOGIN_URL/);
  for (const bad of ['ftp://h.test', 'not a url', 'https://h.test/api', 'https://h.test?x=1', 'https://h.test/#f', 'mypurecloud.com']) {
    fails({ ...creds }, { baseUrl: bad }, /GENESYS_BASE_URL \(--base-url\).*http\(s\) origin/);
  }
  fails({ ...creds }, { loginUrl: 'https://l.test/x', apiUrl: 'https://a.test' }, /GENESYS_LOGIN_URL/);
  fails({ ...creds }, { loginUrl: 'https://l.test', apiUrl: 'ws://a.test' }, /GENESYS_API_URL/);
  // A URL with user info is rejected without echoing it.
  const withUser = fails({ ...creds }, { baseUrl: `https://user:${SECRET}@h.test` }, /GENESYS_BASE_URL/);
  assert.ok(!withUser.message.includes('user:'));
});
