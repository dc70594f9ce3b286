/**
 * Fault rules (PROTOCOL.md section 9): which requests to break and how. Rules are kept in the
 * order they were added; a request gets the first rule that matches it. A rule with `count`
 * applies to that many matching requests, then disappears; a rule with `probability` fires when
 * the seeded PRNG says so (unlimited unless `count` is also set). Without either, count is 1.
 *
 * `corrupt` rules are taken separately, at the moment a segment is stored, so a segment request
 * can both stall and be corrupted, and a corrupt rule is not wasted on a request that fails
 * validation before anything is stored.
 */
import { ConfigError } from '../errors/index.js';
import { mulberry32 } from './prng.js';
import { RuleList, type LiveRuleOf } from './rule-list.js';
import { parseFaultRule } from './settings.js';
import type { EmulatorRoute, FaultRule } from './types.js';

/** `remaining` undefined: unlimited (probability rules without count). */
type LiveRule = LiveRuleOf<FaultRule>;

export class FaultRegistry extends RuleList<FaultRule, LiveRule> {
  #random: () => number;
  #nextId = 1;

  constructor(seed: number) {
    super();
    this.#random = mulberry32(seed);
  }

  /** Validates and adds a rule; returns its id. Throws ConfigError on a bad rule. */
  add(input: unknown): string {
    return this.addAll([input])[0] ?? '';
  }

  /** Validates every rule first, then adds them all (or none); returns their ids in order. */
  addAll(inputs: unknown[]): string[] {
    const rules = inputs.map((input) => parseFaultRule(input));
    const taken = this.takenIds();
    for (const rule of rules) {
      if (rule.id === undefined) continue;
      if (taken.has(rule.id)) {
        throw new ConfigError('emulator.invalid-setting', `Invalid fault rule "id": a rule with id "${rule.id}" already exists.`);
      }
      taken.add(rule.id);
    }
    return rules.map((rule) => {
      let id = rule.id;
      while (id === undefined || (rule.id === undefined && taken.has(id))) id = `fault-${this.#nextId++}`;
      taken.add(id);
      const remaining = rule.count ?? (rule.probability === undefined ? 1 : undefined);
      this.rules.push({ rule: { ...rule, id }, remaining });
      return id;
    });
  }

  /** The live rules; `count` shows how many applications remain. */
  list(): FaultRule[] {
    return this.rules.map(({ rule, remaining }) => ({ ...rule, ...(remaining !== undefined && { count: remaining }) }));
  }

  /**
   * Finds, consumes and returns the rule for this request, if any. `kind` selects request-time
   * rules (status, stall, reset, lose-response) or store-time rules (corrupt).
   */
  take(route: EmulatorRoute, kind: 'request' | 'corrupt', segmentIndex?: number, partNumber?: number): FaultRule | undefined {
    for (const live of this.rules) {
      const { rule } = live;
      if (rule.route !== route) continue;
      if ((rule.action === 'corrupt') !== (kind === 'corrupt')) continue;
      if (rule.segmentIndex !== undefined && rule.segmentIndex !== segmentIndex) continue;
      if (rule.partNumber !== undefined && rule.partNumber !== partNumber) continue;
      if (rule.probability !== undefined && this.#random() >= rule.probability) continue;
      this.consume(live);
      return { ...rule };
    }
    return undefined;
  }
}
