/**
 * Waits for an uploaded media to be judged (CONVERSATION-MEDIA.md §3.3): its status goes from
 * `uploading` to `valid` (it may be sent) or `invalid` (it failed validation). The status is read
 * at once, then again after growing pauses (250 ms × 1.5ⁿ, at most 5 s), for at most two minutes by
 * default; the clock is injected, so tests do not wait. Any status other than `valid` or `invalid`
 * counts as still uploading (lenient: the contract lists three, a live org may say more).
 */
import { ConfigError, TransientError } from '../../errors/index.js';
import type { Clock } from '../../http/clock.js';
import { interrupted } from '../../http/retry-runner.js';
import type { Media } from './schemas.js';

export interface MediaPollSettings {
  /** Give up after this long; default 120 s. */
  timeoutMs: number;
  /** First pause after an `uploading` answer; default 250 ms. */
  firstDelayMs: number;
  /** Longest pause; default 5 s. */
  maxDelayMs: number;
  /** Growth of the pause; default 1.5. */
  factor: number;
}

export const DEFAULT_MEDIA_POLL: Readonly<MediaPollSettings> = Object.freeze({ timeoutMs: 120_000, firstDelayMs: 250, maxDelayMs: 5000, factor: 1.5 });

export function resolveMediaPoll(overrides: Partial<MediaPollSettings> = {}): MediaPollSettings {
  const settings: MediaPollSettings = {
    timeoutMs: overrides.timeoutMs ?? DEFAULT_MEDIA_POLL.timeoutMs,
    firstDelayMs: overrides.firstDelayMs ?? DEFAULT_MEDIA_POLL.firstDelayMs,
    maxDelayMs: overrides.maxDelayMs ?? DEFAULT_MEDIA_POLL.maxDelayMs,
    factor: overrides.factor ?? DEFAULT_MEDIA_POLL.factor,
  };
  const check = (ok: boolean, name: keyof MediaPollSettings, allowed: string): void => {
    if (!ok) throw new ConfigError('config.media_poll', `mediaPoll.${name} must be ${allowed}; got ${String(settings[name])}.`);
  };
  check(Number.isFinite(settings.timeoutMs) && settings.timeoutMs > 0, 'timeoutMs', 'a number > 0');
  check(Number.isFinite(settings.firstDelayMs) && settings.firstDelayMs > 0, 'firstDelayMs', 'a number > 0');
  check(Number.isFinite(settings.maxDelayMs) && settings.maxDelayMs >= settings.firstDelayMs, 'maxDelayMs', 'a number >= firstDelayMs');
  check(Number.isFinite(settings.factor) && settings.factor >= 1, 'factor', 'a number >= 1');
  return settings;
}

export interface WaitForMediaOptions {
  clock: Clock;
  settings: MediaPollSettings;
  signal?: AbortSignal | undefined;
  /** Told each status read (for events). */
  onStatus?: ((media: Media, elapsedMs: number) => void) | undefined;
}

export type JudgedMedia = { status: 'valid'; media: Media } | { status: 'invalid'; media: Media };

export async function waitForMedia(read: () => Promise<Media>, options: WaitForMediaOptions): Promise<JudgedMedia> {
  const { clock, settings, signal } = options;
  const started = clock.now();
  let delay = settings.firstDelayMs;
  for (let reads = 1; ; reads++) {
    if (signal?.aborted) throw interrupted(signal);
    const media = await read();
    const elapsed = clock.now() - started;
    options.onStatus?.(media, elapsed);
    if (media.status === 'valid') return { status: 'valid', media };
    if (media.status === 'invalid') return { status: 'invalid', media };
    if (elapsed + delay > settings.timeoutMs) {
      throw new TransientError(
        'conversation.media_timeout',
        `The platform did not finish checking the uploaded media ${media.id} within ${Math.round(settings.timeoutMs / 1000)} s ` +
          `(${reads} status reads; still "${media.status}"). The message was not sent. Try again later.`,
        { details: { mediaId: media.id, status: media.status } },
      );
    }
    try {
      await clock.sleep(delay, signal);
    } catch (error) {
      throw interrupted(signal, error);
    }
    delay = Math.min(settings.maxDelayMs, delay * settings.factor);
  }
}
