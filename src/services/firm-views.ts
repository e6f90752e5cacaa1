import type { FirmView, FirmViewDeleted } from '../contract/firm-views';
import type { Section } from '../contract/enums';
import { visibleName } from '../contract/names';
import { conflict, notFound } from '../domain/errors';
import type { Db, Queryable } from '../store/db';
import { FirmViewsRepo } from '../store/firm-views';
import { Repo } from '../store/repo';
import { actorLabel, type StaffActor } from './context';

/**
 * A firm's saved views: staff read them, admins (checked at the HTTP layer) create, rename,
 * change and delete them, each change audited. A view is only a starting point for a grant's
 * sections: no grant refers to it, so nothing here touches a grant or SharePoint.
 */
export class FirmViewService {
  constructor(private readonly db: Db) {}

  list(actor: StaffActor): Promise<FirmView[]> {
    return new FirmViewsRepo(this.db).list(actor.firmId);
  }

  create(actor: StaffActor, body: { name: string; sections: Section[]; reason: string | null }): Promise<FirmView> {
    return this.db.transaction(async (tx) => {
      const views = new FirmViewsRepo(tx);
      await this.assertNameFree(views, actor.firmId, body.name, null);
      const view = await views.insert(actor.firmId, body, actorLabel(actor));
      await this.audit(tx, actor, 'firm.view_created', view.id, body.reason, { name: view.name, sections: view.sections });
      return view;
    });
  }

  change(actor: StaffActor, viewId: string, body: { name?: string; sections?: Section[]; reason: string | null }): Promise<FirmView> {
    return this.db.transaction(async (tx) => {
      const views = new FirmViewsRepo(tx);
      const before = await views.get(actor.firmId, viewId);
      if (!before) throw notFound('view');
      const name = body.name ?? before.name;
      await this.assertNameFree(views, actor.firmId, name, viewId);
      const after = await views.update(actor.firmId, viewId, { name, sections: body.sections ?? before.sections });
      // Grants given with the old sections keep them: the audit entry says so, for whoever reads it later.
      await this.audit(tx, actor, 'firm.view_changed', viewId, body.reason, { from: { name: before.name, sections: before.sections }, to: { name: after.name, sections: after.sections }, grantsChanged: 0 });
      return after;
    });
  }

  remove(actor: StaffActor, viewId: string, reason: string | null): Promise<FirmViewDeleted> {
    return this.db.transaction(async (tx) => {
      const views = new FirmViewsRepo(tx);
      const before = await views.get(actor.firmId, viewId);
      if (!before) throw notFound('view');
      await views.delete(actor.firmId, viewId);
      await this.audit(tx, actor, 'firm.view_deleted', viewId, reason, { name: before.name, sections: before.sections });
      return { deleted: true };
    });
  }

  private async assertNameFree(views: FirmViewsRepo, firmId: string, name: string, exceptId: string | null): Promise<void> {
    const clash = await views.sameName(firmId, name, exceptId);
    if (clash) throw conflict(`the firm already has a view named “${visibleName(clash.name)}”: choose another name`);
  }

  private async audit(tx: Queryable, actor: StaffActor, action: string, viewId: string, reason: string | null, data: unknown): Promise<void> {
    await new Repo(tx).appendAudit({ firmId: actor.firmId, actor: actorLabel(actor), action, target: `view:${viewId}`, reason, data });
  }
}
