import { test } from 'node:test';
import assert from 'node:assert/strict';
import { getEventListeners } from 'node:events';
import { abortableSleep, raceSignal } from '../../src/http/clock.js';

test('abortableSleep resolves, and removes its abort listener afterwards', async () => {
  const controller = new AbortController();
  await abortableSleep(1, controller.signal);
  assert.equal(getEventListeners(controller.signal, 'abort').length, 0);
});

test('abortableSleep rejects at once with the abort reason and leaves no listener', async () => {
  const controller = new AbortController();
  const sleeping = abortableSleep(60_000, controller.signal);
  assert.equal(getEventListeners(controller.signal, 'abort').length, 1);
  controller.abort(new Error('user pressed Ctrl-C'));
  await assert.rejects(sleeping, /Ctrl-C/);
  assert.equal(getEventListeners(controller.signal, 'abort').length, 0);
  await assert.rejects(abortableSleep(10, controller.signal), /Ctrl-C/, 'an aborted signal rejects before waiting');
});

test('raceSignal: abandons the wait, not the shared work', async () => {
  let finish!: (value: string) => void;
  const shared = new Promise<string>((resolve) => (finish = resolve));
  const controller = new AbortController();
  const waiting = raceSignal(shared, controller.signal);
  controller.abort(new Error('gone'));
  await assert.rejects(waiting, /gone/);
  finish('done');
  assert.equal(await raceSignal(shared, new AbortController().signal), 'done');
});
