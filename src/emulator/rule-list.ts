/**
 * The bookkeeping both fault registries (HTTP routes, Web Messaging sockets) share: live rules in
 * the order they were added, removed by id, and consumed one application at a time until their
 * count runs out. Parsing, ids and matching stay with each registry.
 */
export interface LiveRuleOf<R> {
  rule: R & { id: string };
  /** Applications left; undefined: unlimited. */
  remaining: number | undefined;
}

export class RuleList<R, L extends LiveRuleOf<R>> {
  protected rules: L[] = [];

  remove(id: string): boolean {
    const before = this.rules.length;
    this.rules = this.rules.filter((r) => r.rule.id !== id);
    return this.rules.length !== before;
  }

  clear(): void {
    this.rules = [];
  }

  protected takenIds(): Set<string> {
    return new Set(this.rules.map((r) => r.rule.id));
  }

  /** One application of `live`; a rule whose count is used up disappears. */
  protected consume(live: L): void {
    if (live.remaining === undefined) return;
    live.remaining -= 1;
    if (live.remaining <= 0) this.rules = this.rules.filter((r) => r !== live);
  }
}
