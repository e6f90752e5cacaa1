import { type Request, Router } from 'express';
import * as s from '../contract';
import type { SetupService } from '../services/setup';
import type { SetupCaller } from './auth';

const caller = (req: Request) => req.setupCaller as SetupCaller;

/**
 * /api/setup: first-run set-up and reopening it. Mounted behind authenticateSetup, which admits
 * only a tenant admin (Entra admin role or SETUP_ADMIN_UPNS) or, once set up, a CaseRoom admin.
 */
export function setupRoutes(setup: SetupService): Router {
  const r = Router();
  r.get('/', async (req, res) => {
    res.json(await setup.status(caller(req)));
  });
  r.put('/', async (req, res) => {
    res.json(await setup.save(caller(req), s.setupBody.parse(req.body)));
  });
  r.get('/groups', async (req, res) => {
    res.json(await setup.searchGroups(s.groupSearchQuery.parse(req.query).search));
  });
  r.post('/mailbox-check', async (req, res) => {
    res.json(await setup.checkMailbox(s.mailboxCheckBody.parse(req.body).address));
  });
  return r;
}
