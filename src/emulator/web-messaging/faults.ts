/**
 * Web Messaging fault rules: what the socket side of the emulator breaks on purpose. (PUT faults —
 * status, stall, reset — are ordinary FaultRules on the route `wm-upload`.) A rule applies to the
 * next `count` occasions it matches (default 1), then disappears.
 *
 *   generate-url-error    answer the next onAttachment with GenerateUrlError `errorCode`
 *                         (default 4001), outer `code` `outerCode` (default 400; 200 sends it as
 *                         type "message", as Genesys' SDK fixture does)
 *   upload-failure        after the next stored PUT, UploadFailureEvent `errorCode` (default 4003)
 *   delay-success         wait `delayMs` more before the next upload event
 *   drop-success          never send the next upload event (the file stays stored)
 *   too-many-requests     answer the next requests with TooManyRequestsErrorMessage (`retryAfter`
 *                         default 1 s, `errorCode` default 4029)
 *   close-after-frames    close a socket right after the server has sent `frames` more frames
 *   close-mid-upload      when the next PUT has begun, close the session's sockets
 *   lose-message-response store the next onMessage's message, then close the socket unanswered
 */
import { z } from 'zod';
import { ConfigError } from '../../errors/index.js';
import { RuleList, type LiveRuleOf } from '../rule-list.js';

export const WM_FAULT_ACTIONS = [
  'generate-url-error',
  'upload-failure',
  'delay-success',
  'drop-success',
  'too-many-requests',
  'close-after-frames',
  'close-mid-upload',
  'lose-message-response',
] as const;

export type WmFaultAction = (typeof WM_FAULT_ACTIONS)[number];

const ruleSchema = z.strictObject({
  id: z.string().min(1).max(100).optional(),
  action: z.enum(WM_FAULT_ACTIONS),
  errorCode: z.int().min(0).max(99_999).optional(),
  outerCode: z.int().min(0).max(99_999).optional(),
  errorMessage: z.string().max(1000).optional(),
  delayMs: z.int().min(0).max(3_600_000).optional(),
  retryAfter: z.int().min(0).max(86_400).optional(),
  frames: z.int().min(0).max(1_000_000).optional(),
  count: z.int().min(1).max(1_000_000_000).optional(),
});

export type WmFaultRule = z.infer<typeof ruleSchema>;

interface Live extends LiveRuleOf<WmFaultRule> {
  remaining: number;
  /** close-after-frames: frames still to send before the next close. */
  framesLeft: number;
}

export class WmFaultRegistry extends RuleList<WmFaultRule, Live> {
  #nextId = 1;

  /** Validates every rule first, then adds them all (or none). */
  addAll(inputs: unknown[]): string[] {
    const rules = inputs.map((input) => {
      const parsed = ruleSchema.safeParse(input);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        const path = issue?.path.length ? ` "${issue.path.join('.')}"` : '';
        throw new ConfigError('emulator.invalid-setting', `Invalid web messaging fault rule${path}: ${issue?.message ?? 'invalid value'}.`);
      }
      return parsed.data;
    });
    const taken = this.takenIds();
    return rules.map((rule) => {
      let id = rule.id;
      if (id !== undefined && taken.has(id)) {
        throw new ConfigError('emulator.invalid-setting', `Invalid web messaging fault rule "id": "${id}" already exists.`);
      }
      while (id === undefined || taken.has(id)) id = `wm-fault-${this.#nextId++}`;
      taken.add(id);
      this.rules.push({ rule: { ...rule, id }, remaining: rule.count ?? 1, framesLeft: rule.frames ?? 1 });
      return id;
    });
  }

  list(): WmFaultRule[] {
    return this.rules.map(({ rule, remaining }) => ({ ...rule, count: remaining }));
  }

  /** Consumes one application of the first rule with this action. */
  take(action: WmFaultAction): WmFaultRule | undefined {
    const live = this.rules.find((r) => r.rule.action === action);
    if (!live) return undefined;
    this.consume(live);
    return { ...live.rule };
  }

  /**
   * Called after each frame the server sends: counts it against the first close-after-frames rule
   * and says whether that socket must close now (the rule's frames are used up).
   */
  frameSent(): boolean {
    const live = this.rules.find((r) => r.rule.action === 'close-after-frames');
    if (!live) return false;
    live.framesLeft -= 1;
    if (live.framesLeft > 0) return false;
    live.framesLeft = live.rule.frames ?? 1;
    this.take('close-after-frames');
    return true;
  }
}
