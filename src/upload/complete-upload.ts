/**
 * Completes a session: the file is checked for changes, then the session completes and verifies.
 * When the store lists parts that are missing or differ, exactly those are read again, checked
 * against the first read (the file must not have changed), re-sent, and complete is called again —
 * a bounded number of rounds.
 */
import { IntegrityError, RejectedError } from '../errors/index.js';
import type { RemoteSession, StepContext, StoredFile, StoredPart } from '../destinations/destination.js';

/** Complete calls that may ask for re-sends before we give up. */
export const MAX_COMPLETE_ROUNDS = 3;

export interface CompleteContext {
  session: RemoteSession;
  /** Every part as stored, by index (re-sends replace theirs). */
  parts: StoredPart[];
  whole: { sha256: string; size: number };
  step: StepContext;
  /** Throws if the source file changed. */
  assertUnchanged: () => Promise<void>;
  /** Re-reads and re-sends the given parts (updating `parts`). */
  resend: (indexes: number[]) => Promise<void>;
}

export async function completeUpload(ctx: CompleteContext): Promise<StoredFile> {
  const chunks = ctx.session.plan.chunks;
  for (let round = 1; ; round++) {
    await ctx.assertUnchanged();
    ctx.step.emit({ type: 'completing', round });
    const answer = await ctx.session.complete(ctx.parts, ctx.whole, ctx.step);
    if ('stored' in answer) return answer.stored;
    const indexes = [...new Set(answer.resend)].sort((a, b) => a - b);
    if (indexes.length === 0 || indexes.some((i) => !Number.isInteger(i) || i < 0 || i >= chunks)) {
      throw new RejectedError(
        'upload.resend_unknown',
        'The store asked for parts to be sent again but did not say which (or named parts that do not exist), so they cannot be re-sent.',
        { details: { indexes: indexes.slice(0, 20) } },
      );
    }
    if (round > MAX_COMPLETE_ROUNDS) {
      throw new IntegrityError(
        'integrity.segments_not_stored',
        `After ${MAX_COMPLETE_ROUNDS} re-sends the storage still misses or holds different bytes for ` +
          `segment(s) ${indexes.slice(0, 20).join(', ')}${indexes.length > 20 ? ', …' : ''}; nothing was completed.`,
        { details: { indexes: indexes.slice(0, 100) } },
      );
    }
    await ctx.resend(indexes);
  }
}
