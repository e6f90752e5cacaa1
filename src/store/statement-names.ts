import { createHash } from 'node:crypto';

/**
 * Which statements PostgreSQL should keep parsed (and, once it finds a generic plan as good, planned)
 * on each connection: a named statement is parsed once per connection, an unnamed one on every
 * call. Under the portal's read load most of PostgreSQL's CPU per request went to parsing and
 * planning the same few dozen statements (bench/PROFILE.md).
 *
 * A text is named on its second use, so one-off statements (migrations, bulk inserts whose
 * placeholder count varies with the batch) never take a slot, and at most `limit` texts are named:
 * each costs memory in every backend that prepared it.
 */
export class StatementNames {
  private readonly named = new Map<string, string>();
  private readonly seenOnce = new Set<string>();
  private generation = 0;

  constructor(private readonly limit = 500) {}

  /** The name to prepare `text` under, or undefined to send it unnamed. */
  nameFor(text: string): string | undefined {
    const name = this.named.get(text);
    if (name !== undefined) return name;
    if (this.named.size >= this.limit) return undefined;
    if (!this.seenOnce.has(text)) {
      // Bounded too: a stream of distinct one-off texts must not grow it without end.
      if (this.seenOnce.size >= this.limit * 4) this.seenOnce.clear();
      this.seenOnce.add(text);
      return undefined;
    }
    this.seenOnce.delete(text);
    const fresh = `caseroom_${this.generation}_${createHash('sha256').update(text).digest('hex').slice(0, 20)}`;
    this.named.set(text, fresh);
    return fresh;
  }

  /**
   * A table changed shape under a prepared `SELECT *` (a newer release migrated the database while
   * this one runs): PostgreSQL refuses to run it again. New names make every connection prepare
   * afresh; the old ones stay unused.
   */
  forgetAll(): void {
    this.generation += 1;
    this.named.clear();
    this.seenOnce.clear();
  }
}

/** PostgreSQL's refusal to run a prepared statement whose result columns changed since it was prepared. */
export const isStalePreparedStatement = (err: unknown): boolean =>
  typeof err === 'object' && err !== null && (err as { code?: unknown }).code === '0A000' && /cached plan must not change result type/.test(String((err as { message?: unknown }).message));
