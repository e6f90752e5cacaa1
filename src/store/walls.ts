import { announceChange } from './changes';
import type { Queryable } from './db';

/** The case_walls table (migration 69): which named staff a case is restricted to. */
export class WallsRepo {
  constructor(private readonly q: Queryable) {}

  /** Every walled case of a firm with the staff inside its wall. */
  async wallsOfFirm(firmId: string): Promise<Map<string, string[]>> {
    const rows = await this.q.query<{ case_id: string; staff_id: string }>('SELECT case_id, staff_id FROM case_walls WHERE firm_id = $1 ORDER BY case_id, staff_id', [firmId]);
    const walls = new Map<string, string[]>();
    for (const r of rows) {
      const inside = walls.get(r.case_id) ?? [];
      inside.push(r.staff_id);
      walls.set(r.case_id, inside);
    }
    return walls;
  }

  async wallOf(caseId: string): Promise<string[]> {
    return (await this.q.query<{ staff_id: string }>('SELECT staff_id FROM case_walls WHERE case_id = $1 ORDER BY staff_id', [caseId])).map((r) => r.staff_id);
  }

  /** Replaces the wall (empty: removes it). Every open page looks again: lists change for people who see no case id. */
  async setWall(firmId: string, caseId: string, staffIds: readonly string[]): Promise<void> {
    await this.q.query('DELETE FROM case_walls WHERE case_id = $1', [caseId]);
    if (staffIds.length > 0) await this.q.query('INSERT INTO case_walls (case_id, staff_id, firm_id) SELECT $1, unnest($2::uuid[]), $3', [caseId, staffIds, firmId]);
    await announceChange(this.q, { firmId });
  }
}
