import { randomUUID } from 'node:crypto';
import { SECTIONS, type Section } from '../contract/enums';
import type { FirmView } from '../contract/firm-views';
import type { Queryable } from './db';
import { iso } from './timestamps';

type Row = { id: string; name: string; sections: string[]; created_at: Date | string; updated_at: Date | string };
/** Sections in the portal's order, whatever order they were sent in. */
export const inPortalOrder = (sections: readonly Section[]): Section[] => SECTIONS.filter((s) => sections.includes(s));
const toView = (r: Row): FirmView => ({ id: r.id, name: r.name, sections: inPortalOrder(r.sections as Section[]), createdAt: iso(r.created_at), updatedAt: iso(r.updated_at) });

/** The firm_views table (migration 73): a firm's saved, named views. Every read is scoped to the firm. */
export class FirmViewsRepo {
  constructor(private readonly q: Queryable) {}

  async list(firmId: string): Promise<FirmView[]> {
    return (await this.q.query<Row>('SELECT * FROM firm_views WHERE firm_id = $1 ORDER BY lower(name), id', [firmId])).map(toView);
  }

  async get(firmId: string, viewId: string): Promise<FirmView | null> {
    const [row] = await this.q.query<Row>('SELECT * FROM firm_views WHERE firm_id = $1 AND id = $2', [firmId, viewId]);
    return row ? toView(row) : null;
  }

  /** Another view of the firm with this name (any letter case), if there is one. */
  async sameName(firmId: string, name: string, exceptId: string | null): Promise<FirmView | null> {
    const [row] = await this.q.query<Row>('SELECT * FROM firm_views WHERE firm_id = $1 AND lower(name) = lower($2) AND id IS DISTINCT FROM $3', [firmId, name, exceptId]);
    return row ? toView(row) : null;
  }

  async insert(firmId: string, view: { name: string; sections: readonly Section[] }, createdBy: string): Promise<FirmView> {
    const [row] = await this.q.query<Row>('INSERT INTO firm_views (id, firm_id, name, sections, created_by) VALUES ($1, $2, $3, $4, $5) RETURNING *', [randomUUID(), firmId, view.name, inPortalOrder(view.sections), createdBy]);
    return toView(row as Row);
  }

  async update(firmId: string, viewId: string, view: { name: string; sections: readonly Section[] }): Promise<FirmView> {
    const [row] = await this.q.query<Row>('UPDATE firm_views SET name = $3, sections = $4, updated_at = now() WHERE firm_id = $1 AND id = $2 RETURNING *', [firmId, viewId, view.name, inPortalOrder(view.sections)]);
    return toView(row as Row);
  }

  async delete(firmId: string, viewId: string): Promise<void> {
    await this.q.query('DELETE FROM firm_views WHERE firm_id = $1 AND id = $2', [firmId, viewId]);
  }
}
