import type { Db } from './db';

/**
 * The key every firm-owned table opens with. Interpolated, the SQL is the same text as shipped
 * (migrations are tracked by version alone, and the PGlite template is keyed by that text).
 */
const firmRowKeys = `id uuid PRIMARY KEY,
  firm_id uuid NOT NULL REFERENCES firms(id),`;

/**
 * Versioned schema. Append new versions; never edit one that has shipped. The same SQL runs
 * on PGlite and PostgreSQL; an advisory lock keeps two instances starting together from
 * migrating twice.
 */
export const MIGRATIONS: ReadonlyArray<{ version: number; name: string; sql: string }> = [
  {
    version: 1,
    name: 'core schema',
    sql: `
CREATE TABLE firms (
  id uuid PRIMARY KEY,
  tenant_id text NOT NULL UNIQUE,
  name text NOT NULL,
  disabled_sections text[] NOT NULL DEFAULT '{}',
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE cases_teams (
  team_id text PRIMARY KEY,
  firm_id uuid NOT NULL REFERENCES firms(id),
  display_name text NOT NULL,
  -- channels created in this team, deleted ones included: Teams counts those for 30 days
  channel_count integer NOT NULL DEFAULT 0,
  bot_service_url text,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE staff (
  ${firmRowKeys}
  user_id text NOT NULL,
  name text NOT NULL,
  email text NOT NULL,
  phone text,
  title text,
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (firm_id, user_id)
);

CREATE TABLE clients (
  ${firmRowKeys}
  name text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX clients_firm ON clients (firm_id);

CREATE TABLE cases (
  ${firmRowKeys}
  client_id uuid NOT NULL REFERENCES clients(id),
  number text NOT NULL,
  title text NOT NULL,
  status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'on_hold', 'closed')),
  status_note text,
  assigned_staff_id uuid REFERENCES staff(id),
  budget_cents bigint CHECK (budget_cents >= 0),
  team_id text,
  channel_id text,
  drive_id text,
  folder_item_id text,
  provisioning text NOT NULL DEFAULT 'pending' CHECK (provisioning IN ('pending', 'ready', 'failed')),
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (firm_id, number)
);
CREATE INDEX cases_client ON cases (client_id);

CREATE TABLE contacts (
  ${firmRowKeys}
  client_id uuid REFERENCES clients(id),
  email text NOT NULL,
  name text NOT NULL,
  kind text NOT NULL CHECK (kind IN ('client', 'co-counsel', 'expert', 'other')),
  phone text,
  portal_access boolean NOT NULL DEFAULT false,
  invitation_state text NOT NULL DEFAULT 'none' CHECK (invitation_state IN ('none', 'pending', 'accepted')),
  guest_user_id text,
  invited_at timestamptz,
  accepted_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX contacts_email ON contacts (firm_id, lower(email));
CREATE UNIQUE INDEX contacts_guest_user ON contacts (firm_id, guest_user_id) WHERE guest_user_id IS NOT NULL;

CREATE TABLE case_links (
  case_id uuid NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
  contact_id uuid NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
  firm_id uuid NOT NULL REFERENCES firms(id),
  linked_by text NOT NULL,
  linked_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (case_id, contact_id)
);
CREATE INDEX case_links_contact ON case_links (contact_id);

CREATE TABLE items (
  ${firmRowKeys}
  case_id uuid NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
  kind text NOT NULL CHECK (kind IN ('document', 'folder', 'note', 'event', 'invoice')),
  parent_id uuid REFERENCES items(id) ON DELETE CASCADE,
  title text NOT NULL,
  staff_only boolean NOT NULL DEFAULT false,
  drive_item_id text,
  size_bytes bigint,
  mime_type text,
  body text,
  starts_at timestamptz,
  ends_at timestamptz,
  location text,
  amount_cents bigint,
  due_on date,
  invoice_number text,
  invoice_status text CHECK (invoice_status IS NULL OR invoice_status IN ('draft', 'sent', 'paid', 'void')),
  created_by text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX items_case ON items (case_id);
CREATE UNIQUE INDEX items_drive_item ON items (firm_id, drive_item_id) WHERE drive_item_id IS NOT NULL;

CREATE TABLE ledger_entries (
  ${firmRowKeys}
  case_id uuid NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
  kind text NOT NULL CHECK (kind IN ('retainer_deposit', 'expense', 'invoice', 'payment')),
  amount_cents bigint NOT NULL CHECK (amount_cents > 0),
  description text NOT NULL,
  occurred_on date NOT NULL,
  invoice_item_id uuid REFERENCES items(id) ON DELETE SET NULL,
  created_by text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX ledger_case ON ledger_entries (case_id);

CREATE TABLE message_threads (
  ${firmRowKeys}
  case_id uuid NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
  subject text NOT NULL,
  started_by_contact_id uuid REFERENCES contacts(id) ON DELETE SET NULL,
  channel_conversation_id text,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX threads_case ON message_threads (case_id);
CREATE UNIQUE INDEX threads_conversation ON message_threads (channel_conversation_id) WHERE channel_conversation_id IS NOT NULL;

CREATE TABLE messages (
  ${firmRowKeys}
  thread_id uuid NOT NULL REFERENCES message_threads(id) ON DELETE CASCADE,
  author_kind text NOT NULL CHECK (author_kind IN ('staff', 'guest')),
  author_id text NOT NULL,
  author_name text NOT NULL,
  body text NOT NULL,
  screen text,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX messages_thread ON messages (thread_id, created_at);

CREATE TABLE grants (
  ${firmRowKeys}
  contact_id uuid NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
  scope_kind text NOT NULL CHECK (scope_kind IN ('item', 'case', 'client')),
  case_id uuid REFERENCES cases(id) ON DELETE CASCADE,
  item_id uuid REFERENCES items(id) ON DELETE CASCADE,
  client_id uuid REFERENCES clients(id) ON DELETE CASCADE,
  rights text NOT NULL CHECK (rights IN ('read', 'upload')),
  expires_at timestamptz,
  created_by text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  CHECK (
    (scope_kind = 'item' AND case_id IS NOT NULL AND item_id IS NOT NULL AND client_id IS NULL) OR
    (scope_kind = 'case' AND case_id IS NOT NULL AND item_id IS NULL AND client_id IS NULL) OR
    (scope_kind = 'client' AND client_id IS NOT NULL AND item_id IS NULL AND case_id IS NULL)
  )
);
CREATE INDEX grants_contact ON grants (contact_id);
CREATE INDEX grants_case ON grants (case_id);
CREATE UNIQUE INDEX grants_one_item ON grants (contact_id, item_id) WHERE scope_kind = 'item';
CREATE UNIQUE INDEX grants_one_case ON grants (contact_id, case_id) WHERE scope_kind = 'case';
CREATE UNIQUE INDEX grants_one_client ON grants (contact_id, client_id) WHERE scope_kind = 'client';

-- The view of a case or client grant: which portal sections, which message threads.
CREATE TABLE grant_views (
  grant_id uuid PRIMARY KEY REFERENCES grants(id) ON DELETE CASCADE,
  sections text[] NOT NULL,
  thread_ids uuid[] NOT NULL DEFAULT '{}'
);

CREATE TABLE notification_preferences (
  ${firmRowKeys}
  -- RESTRICT: removing the last staff member inside a wall must not silently open the case to everyone.
  staff_id uuid NOT NULL REFERENCES staff(id) ON DELETE RESTRICT,
  case_id uuid REFERENCES cases(id) ON DELETE CASCADE,
  event text NOT NULL,
  enabled boolean NOT NULL,
  mention boolean NOT NULL DEFAULT false
);
CREATE UNIQUE INDEX notification_pref_unique ON notification_preferences (staff_id, event, coalesce(case_id, '00000000-0000-0000-0000-000000000000'::uuid));

CREATE TABLE audit_log (
  firm_id uuid NOT NULL REFERENCES firms(id),
  seq integer NOT NULL,
  at text NOT NULL,
  actor text NOT NULL,
  action text NOT NULL,
  target text NOT NULL,
  reason text,
  data jsonb NOT NULL,
  prev_hash text NOT NULL,
  hash text NOT NULL,
  PRIMARY KEY (firm_id, seq)
);

-- Append-only: the application can never change or remove an audit row. Someone with
-- owner rights can still disable this trigger, which is what the hash chain is for.
CREATE FUNCTION audit_log_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_log is append-only';
END $$;
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION audit_log_is_append_only();

CREATE TABLE outbox (
  id bigserial PRIMARY KEY,
  firm_id uuid REFERENCES firms(id),
  kind text NOT NULL,
  payload jsonb NOT NULL,
  dedupe_key text,
  status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'running', 'done', 'failed')),
  attempts integer NOT NULL DEFAULT 0,
  run_after timestamptz NOT NULL DEFAULT now(),
  locked_by text,
  locked_until timestamptz,
  last_error text,
  created_at timestamptz NOT NULL DEFAULT now(),
  done_at timestamptz
);
CREATE INDEX outbox_ready ON outbox (run_after, id) WHERE status IN ('pending', 'running');
CREATE UNIQUE INDEX outbox_pending_dedupe ON outbox (dedupe_key) WHERE status = 'pending' AND dedupe_key IS NOT NULL;
`,
  },
  {
    // The Microsoft 365 gateway's tables (versions 10-19 belong to it, so parallel work never collides).
    version: 10,
    name: 'm365: applied permissions, subscriptions, delta links, upload claims, drift baselines',
    sql: `
-- Every SharePoint permission CaseRoom created (or is creating / removing) for a guest. Written
-- before the Graph call and updated after it, so a crash between the two is found and finished
-- by the next run: 'applying' may or may not exist in SharePoint, 'revoking' must not survive.
CREATE TABLE m365_permissions (
  firm_id uuid NOT NULL REFERENCES firms(id),
  contact_id uuid NOT NULL,
  guest_user_id text NOT NULL,
  drive_id text NOT NULL,
  drive_item_id text NOT NULL,
  role text NOT NULL CHECK (role IN ('read', 'write')),
  permission_id text,
  state text NOT NULL CHECK (state IN ('applying', 'active', 'revoking')),
  expires_at timestamptz,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (contact_id, drive_item_id)
);
CREATE INDEX m365_permissions_item ON m365_permissions (drive_item_id);

-- Change-notification subscription per drive (one drive per cases team).
CREATE TABLE m365_subscriptions (
  drive_id text PRIMARY KEY,
  firm_id uuid NOT NULL REFERENCES firms(id),
  subscription_id text UNIQUE,
  client_state text NOT NULL,
  expires_at timestamptz,
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- Where upload detection left off in each drive (the deltaLink Graph gave us).
CREATE TABLE m365_delta (
  drive_id text PRIMARY KEY,
  firm_id uuid NOT NULL REFERENCES firms(id),
  delta_link text,
  synced_at timestamptz
);

-- Uploads CaseRoom itself is carrying out: delta leaves those files to the upload route.
CREATE TABLE m365_upload_claims (
  ${firmRowKeys}
  drive_id text NOT NULL,
  user_id text NOT NULL,
  expires_at timestamptz NOT NULL
);
CREATE INDEX m365_upload_claims_user ON m365_upload_claims (drive_id, user_id);

-- Per case: seeded content materialised, and the first drift pass (which imports existing guest permissions) done.
CREATE TABLE m365_case_state (
  case_id uuid PRIMARY KEY REFERENCES cases(id) ON DELETE CASCADE,
  seeded_at timestamptz,
  drift_baselined_at timestamptz,
  last_drift_at timestamptz
);

-- Small watermarks (the expiry sweep's last run).
CREATE TABLE m365_state (
  key text PRIMARY KEY,
  value text NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);
`,
  },
  {
    version: 11,
    name: 'm365: items CaseRoom gave unique SharePoint permissions',
    sql: `
-- Every drive item CaseRoom ever invited anyone to. SharePoint's first direct share of an item
-- copies its inherited permissions onto it and stops inheritance, so from then on a case-folder
-- permission no longer reaches it: guests with case or client scope need their own permission
-- there (docs/sharepoint-sharing.md).
CREATE TABLE m365_unique_items (
  drive_item_id text PRIMARY KEY,
  firm_id uuid NOT NULL REFERENCES firms(id),
  case_id uuid NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
  drive_id text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX m365_unique_items_case ON m365_unique_items (case_id);
`,
  },
  {
    // The bot's own tables (versions 20+ belong to the bot, so parallel work never collides).
    version: 20,
    name: 'bot: installations, channel posts, delivered notifications',
    sql: `
-- Where the bot can reach a team: captured from installationUpdate / conversationUpdate.
CREATE TABLE bot_installations (
  team_id text PRIMARY KEY,
  tenant_id text NOT NULL,
  service_url text NOT NULL,
  bot_id text NOT NULL,
  conversation_reference jsonb NOT NULL,
  installed_at timestamptz NOT NULL DEFAULT now(),
  removed_at timestamptz
);

-- Channels the bot has seen, with a conversation reference each; linked_case_id binds a channel
-- to a case by hand (local Agents Playground only: its mock channel ids are not provisioned).
CREATE TABLE bot_channels (
  channel_id text PRIMARY KEY,
  team_id text NOT NULL,
  tenant_id text NOT NULL,
  name text,
  conversation_reference jsonb NOT NULL,
  linked_case_id uuid REFERENCES cases(id) ON DELETE SET NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- One row per card the bot owns in a channel: a notification, or a burst of uploads coalesced
-- into one card. version counts changes, delivered_version what the channel shows; activity_id
-- is recorded right after the connector answers, so a retry updates instead of posting again.
CREATE TABLE bot_posts (
  post_key text PRIMARY KEY,
  firm_id uuid NOT NULL REFERENCES firms(id),
  case_id uuid NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
  kind text NOT NULL,
  data jsonb NOT NULL,
  item_ids uuid[] NOT NULL DEFAULT '{}',
  burst_key text,
  open_until timestamptz,
  version integer NOT NULL DEFAULT 1,
  delivered_version integer NOT NULL DEFAULT 0,
  reply_to_conversation_id text,
  conversation_id text,
  activity_id text,
  attempts integer NOT NULL DEFAULT 0,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX bot_posts_burst ON bot_posts (burst_key, open_until) WHERE burst_key IS NOT NULL;
CREATE INDEX bot_posts_case ON bot_posts (case_id);

-- Notifications already turned into posts (outbox job ids, expiry notices, relayed replies):
-- a job that runs twice finds its key here and does nothing new.
CREATE TABLE bot_delivered (
  notification_key text PRIMARY KEY,
  at timestamptz NOT NULL DEFAULT now()
);
`,
  },
  {
    version: 30,
    name: 'cases team creation claim',
    sql: `
-- Creating a cases team takes minutes of Graph calls; one job per firm may do it at a time.
CREATE TABLE cases_team_claims (
  firm_id uuid PRIMARY KEY REFERENCES firms(id),
  claimed_by text NOT NULL,
  claimed_at timestamptz NOT NULL DEFAULT now()
);
`,
  },
  {
    version: 31,
    name: 'bot post send marker',
    sql: `
-- Written before a new card or reply is sent. Set with no activity id, it means an earlier send
-- may have reached Teams without its answer being recorded (a crash, a lost response): the next
-- attempt looks for the card in the channel before posting again.
ALTER TABLE bot_posts ADD COLUMN send_started_at timestamptz;
`,
  },
  {
    version: 33,
    name: 'cases teams adopted on installation',
    sql: `
-- CaseRoom no longer creates teams: the firm's admin installs it in a team and it adopts that one.
-- Uninstalling it stops new cases going there (the team's existing case channels stay).
ALTER TABLE cases_teams ADD COLUMN uninstalled_at timestamptz;
DROP TABLE cases_team_claims;
`,
  },
  {
    version: 35,
    name: 'undelivered activity notices',
    sql: `
-- Activity-feed notices Teams could not deliver (the recipient does not have the CaseRoom app):
-- kept, never dropped, for the e-mail digest to send instead. sent_at is set once another path delivered them.
CREATE TABLE undelivered_notices (
  id bigserial PRIMARY KEY,
  recipient_user_id text NOT NULL,
  activity_type text NOT NULL,
  topic text NOT NULL,
  preview text NOT NULL,
  web_url text NOT NULL,
  reason text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  sent_at timestamptz
);
CREATE INDEX undelivered_notices_pending ON undelivered_notices (recipient_user_id) WHERE sent_at IS NULL;
`,
  },
  {
    version: 40,
    name: 'guest e-mail digest',
    sql: `
-- The mailbox CaseRoom sends guests' digests from (null: the MAIL_SENDER setting), and the
-- shortest time between two digests to one guest.
ALTER TABLE firms ADD COLUMN sender_mailbox text;
ALTER TABLE firms ADD COLUMN digest_window_seconds integer NOT NULL DEFAULT 900 CHECK (digest_window_seconds BETWEEN 1 AND 86400);
-- Per guest: opted out of e-mail, when the last digest went, and why the last one failed (shown to staff).
ALTER TABLE contacts ADD COLUMN digest_opt_out boolean NOT NULL DEFAULT false;
ALTER TABLE contacts ADD COLUMN last_digest_at timestamptz;
ALTER TABLE contacts ADD COLUMN last_digest_error text;
ALTER TABLE contacts ADD COLUMN last_digest_error_at timestamptz;
-- What each guest has already been told about (or could already see): case:, item: and message: keys.
-- A digest lists what the guest can see now and is not here.
CREATE TABLE guest_digest_seen (
  contact_id uuid NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
  key text NOT NULL,
  PRIMARY KEY (contact_id, key)
);
`,
  },
  {
    version: 44,
    name: 'firm currency',
    sql: `
-- The currency the firm bills in (ISO 4217 code); every amount is integer cents of it.
ALTER TABLE firms ADD COLUMN currency text NOT NULL DEFAULT 'USD' CHECK (currency ~ '^[A-Z]{3}$');
`,
  },
  {
    // Versions 60+ belong to read-path performance (tests/store/query-plans.test.ts checks the plans).
    version: 60,
    name: 'indexes for the hot read paths',
    sql: `
-- One guest's grants on one case (the case page): contact, then case. Its leading column serves
-- every lookup by contact alone, so the single-column index goes.
CREATE INDEX grants_contact_case ON grants (contact_id, case_id);
DROP INDEX grants_contact;
-- Client grants reaching a case (staff's access panel, notifications): without it every such
-- read went through all of the firm's grants.
CREATE INDEX grants_client ON grants (client_id) WHERE client_id IS NOT NULL;
-- The outbox claim asks, per candidate, whether a job of its key is running.
CREATE INDEX outbox_running_dedupe ON outbox (dedupe_key) WHERE status = 'running' AND dedupe_key IS NOT NULL;
`,
  },
  {
    version: 61,
    name: 'firm expiry reminder thresholds',
    sql: `
-- Days before a grant expires that staff and the guest are reminded (src/domain/expiry.ts; the
-- contract's firm policy validates the same bounds). Empty: no reminders.
ALTER TABLE firms ADD COLUMN expiry_reminder_days integer[] NOT NULL DEFAULT '{7,1}'
  CHECK (cardinality(expiry_reminder_days) <= 5 AND 1 <= ALL (expiry_reminder_days) AND 90 >= ALL (expiry_reminder_days));
`,
  },
  {
    version: 62,
    name: 'access reviews',
    sql: `
-- How often each case's guests are reviewed (G9): off, monthly or quarterly.
ALTER TABLE firms ADD COLUMN access_review_schedule text NOT NULL DEFAULT 'off' CHECK (access_review_schedule IN ('off', 'monthly', 'quarterly'));

-- One review of one case's guests: open until every guest has a decision. The next one is due a
-- schedule period after completed_at.
CREATE TABLE access_reviews (
  ${firmRowKeys}
  case_id uuid NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
  started_at timestamptz NOT NULL,
  completed_at timestamptz,
  -- The responsible staff member was told it is overdue (once); outcome: delivered or not-installed.
  overdue_notified_at timestamptz,
  overdue_notice_outcome text,
  post_key text
);
-- At most one open review per case, whatever number of instances scan at once.
CREATE UNIQUE INDEX access_reviews_one_open ON access_reviews (case_id) WHERE completed_at IS NULL;
CREATE INDEX access_reviews_case_completed ON access_reviews (case_id, completed_at);

-- Each guest a review covers, what they saw when it began, and the decision taken.
CREATE TABLE access_review_guests (
  review_id uuid NOT NULL REFERENCES access_reviews(id) ON DELETE CASCADE,
  firm_id uuid NOT NULL REFERENCES firms(id),
  contact_id uuid NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
  sees text NOT NULL,
  -- The grants behind that access, hashed: a button made for other grants is stale.
  fingerprint text NOT NULL,
  decision text CHECK (decision IN ('keep', 'shorten', 'remove')),
  decided_by_staff_id uuid REFERENCES staff(id),
  decided_by text,
  decided_at timestamptz,
  PRIMARY KEY (review_id, contact_id)
);
`,
  },
  {
    version: 63,
    name: 'what guests have seen',
    sql: `
-- When a guest first opened an item or read a staff message through the portal (proof of
-- delivery). One row per guest and item or message: the unique indexes make concurrent first
-- opens insert once (ON CONFLICT DO NOTHING), so only the first open is kept and audited.
CREATE TABLE guest_seen (
  firm_id uuid NOT NULL REFERENCES firms(id),
  contact_id uuid NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
  case_id uuid NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
  item_id uuid REFERENCES items(id) ON DELETE CASCADE,
  message_id uuid REFERENCES messages(id) ON DELETE CASCADE,
  seen_at timestamptz NOT NULL,
  CHECK ((item_id IS NULL) <> (message_id IS NULL))
);
CREATE UNIQUE INDEX guest_seen_item ON guest_seen (item_id, contact_id) WHERE item_id IS NOT NULL;
CREATE UNIQUE INDEX guest_seen_message ON guest_seen (message_id, contact_id) WHERE message_id IS NOT NULL;
-- Staff read it per case (the items panel, threads, who has access).
CREATE INDEX guest_seen_case ON guest_seen (case_id, contact_id);
`,
  },
  {
    version: 64,
    name: 'guest language',
    sql: `
-- The language a guest's e-mail is written in: the one staff set for the contact, else the locale
-- the guest's own portal reported (the browser's or Teams' Accept-Language), else English.
-- Both are BCP 47 tags ("es", "fr-CA").
ALTER TABLE contacts ADD COLUMN language text CHECK (language ~ '^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$');
ALTER TABLE contacts ADD COLUMN portal_locale text CHECK (portal_locale ~ '^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$');
`,
  },
  {
    version: 65,
    name: 'closing a case withdraws guest access',
    sql: `
-- What closing a case does to its guests, firm-wide: withdraw at once, or leave them reading
-- (no uploads, no messages) for a number of days, then withdraw.
ALTER TABLE firms ADD COLUMN close_case_guest_access text NOT NULL DEFAULT 'withdraw' CHECK (close_case_guest_access IN ('withdraw', 'read-only-until'));
ALTER TABLE firms ADD COLUMN close_case_read_only_days integer NOT NULL DEFAULT 30 CHECK (close_case_read_only_days BETWEEN 1 AND 365);
-- Set while the case is closed (the access rules read them); guest_read_until only in read-only mode.
ALTER TABLE cases ADD COLUMN closed_at timestamptz;
ALTER TABLE cases ADD COLUMN guest_read_until timestamptz;
CREATE INDEX cases_guest_read_until ON cases (guest_read_until) WHERE guest_read_until IS NOT NULL;
-- One row per closing: who lost what (the receipt card and the reopen preview read it), and,
-- once reopened, what came back. At most one open closing per case.
CREATE TABLE case_closures (
  ${firmRowKeys}
  case_id uuid NOT NULL REFERENCES cases(id),
  closed_at timestamptz NOT NULL,
  closed_by text NOT NULL,
  reason text,
  status_before text NOT NULL CHECK (status_before IN ('open', 'on_hold')),
  guest_read_until timestamptz,
  withdrawn jsonb NOT NULL,
  reopened_at timestamptz,
  reopened_by text,
  restored jsonb
);
CREATE UNIQUE INDEX case_closures_current ON case_closures (case_id) WHERE reopened_at IS NULL;
`,
  },
  {
    version: 66,
    name: 'parties and guardrails',
    sql: `
-- A contact's role in each case they are linked to. Existing links take the contact's kind,
-- which is what the tab showed as their role until now.
ALTER TABLE case_links ADD COLUMN role text NOT NULL DEFAULT 'other' CHECK (role IN ('client', 'co-counsel', 'expert', 'opposing-party', 'opposing-counsel', 'other'));
UPDATE case_links l SET role = c.kind FROM contacts c WHERE c.id = l.contact_id;
-- E-mail domains the firm never shares with, and those it asks a confirmation for (lower-case, no @).
ALTER TABLE firms ADD COLUMN blocked_domains text[] NOT NULL DEFAULT '{}';
ALTER TABLE firms ADD COLUMN warned_domains text[] NOT NULL DEFAULT '{}';
`,
  },
  {
    version: 67,
    name: 'staff activity-feed preferences',
    sql: `
-- Whether a staff member gets a Teams activity-feed notice for a guest's upload or message;
-- NULL: the default (on for the case's assigned staff member, off for others).
ALTER TABLE notification_preferences ADD COLUMN feed boolean;
-- A row may now hold only the feed choice: NULL enabled/mention leave the channel card and
-- @mention on their defaults (bot/describers/kit.ts), so setting the feed changes nothing else.
ALTER TABLE notification_preferences ALTER COLUMN enabled DROP NOT NULL;
ALTER TABLE notification_preferences ALTER COLUMN mention DROP NOT NULL;
`,
  },
  {
    version: 68,
    name: 'first-run set-up and staff roles',
    sql: `
-- First-run set-up: the Entra security group whose members are staff, the admins it named,
-- guests' defaults, and when (and by whom) it was completed. NULL setup_completed_at: not set up.
-- Firms that exist before this migration stay NOT set up, on purpose: until now every member of
-- the tenant became staff, so nobody knows which group should be, and carrying on would leave
-- every client and case open to the whole tenant. Their data stays; staff get "not set up" (403)
-- until an admin (an Entra admin role, or SETUP_ADMIN_UPNS) completes set-up. The demo seeder
-- completes its own firm's set-up, so a local demo keeps working.
ALTER TABLE firms ADD COLUMN setup_completed_at timestamptz;
ALTER TABLE firms ADD COLUMN setup_completed_by text;
ALTER TABLE firms ADD COLUMN staff_group_id text;
ALTER TABLE firms ADD COLUMN staff_group_name text;
-- [{ "userId", "name", "upn" }]: the people set-up named as CaseRoom admins.
ALTER TABLE firms ADD COLUMN admins jsonb NOT NULL DEFAULT '[]';
-- What a new case-wide grant starts with (NULL: every section), and how many days a new grant lasts (NULL: no expiry).
ALTER TABLE firms ADD COLUMN guest_default_sections text[];
ALTER TABLE firms ADD COLUMN guest_default_expiry_days integer CHECK (guest_default_expiry_days BETWEEN 1 AND 3650);
-- Every existing staff member is plain staff; admins come from set-up.
ALTER TABLE staff ADD COLUMN role text NOT NULL DEFAULT 'staff' CHECK (role IN ('admin', 'staff'));
-- Teams CaseRoom was installed in before its tenant finished set-up: set-up offers them, and
-- adopts the ones the admin picks.
CREATE TABLE pending_team_installations (
  team_id text PRIMARY KEY,
  tenant_id text NOT NULL,
  display_name text NOT NULL,
  installed_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX pending_team_installations_tenant ON pending_team_installations (tenant_id);
`,
  },
  {
    version: 69,
    name: 'ethical walls',
    sql: `
-- A case restricted to named staff (src/domain/walls.ts): no row, no wall. Outside the wall the
-- case does not exist for a staff member, whatever their role; guests are not affected.
CREATE TABLE case_walls (
  case_id uuid NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
  -- RESTRICT: removing the last staff member inside a wall must not silently open the case to everyone.
  staff_id uuid NOT NULL REFERENCES staff(id) ON DELETE RESTRICT,
  firm_id uuid NOT NULL REFERENCES firms(id),
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (case_id, staff_id)
);
-- Every staff lookup reads the firm's walls at once; removing a staff member finds theirs.
CREATE INDEX case_walls_firm ON case_walls (firm_id, case_id);
CREATE INDEX case_walls_staff ON case_walls (staff_id);
`,
  },
  {
    version: 70,
    name: 'privileged items',
    sql: `
-- Privileged: no case, client or section scope and no folder grant above it reaches the item (or
-- anything below a privileged folder); only an explicit item share staff confirmed with a reason.
ALTER TABLE items ADD COLUMN privileged boolean NOT NULL DEFAULT false;
-- Set on an item grant when staff confirmed sharing a privileged item with this guest (the who
-- and why are in the audit log's sharing.confirmed entry). An unconfirmed grant reaches no privileged item.
ALTER TABLE grants ADD COLUMN privilege_confirmed boolean NOT NULL DEFAULT false;
`,
  },
  {
    version: 72,
    name: 'upload batches written in the background',
    sql: `
-- A guest's upload, accepted once its bytes are spooled and checksummed; the outbox job
-- 'upload-write' then writes its files to SharePoint. Refused and skipped archive entries are kept
-- for the guest's status view.
CREATE TABLE upload_batches (
  ${firmRowKeys}
  case_id uuid NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
  contact_id uuid NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
  user_id text NOT NULL,
  state text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'done')),
  spool_dir text NOT NULL,
  skipped jsonb NOT NULL DEFAULT '[]',
  refused jsonb NOT NULL DEFAULT '[]',
  created_at timestamptz NOT NULL DEFAULT now(),
  done_at timestamptz
);
CREATE INDEX upload_batches_contact ON upload_batches (contact_id, created_at);
-- One file of a batch: where it goes (a folder item of the case, or the case folder when
-- base_item_id is null; path relative to it), its spool file and SHA-256, and how far it got.
CREATE TABLE upload_files (
  batch_id uuid NOT NULL REFERENCES upload_batches(id) ON DELETE CASCADE,
  position integer NOT NULL,
  base_item_id uuid REFERENCES items(id) ON DELETE SET NULL,
  base_drive_item_id text NOT NULL,
  path text NOT NULL,
  size_bytes bigint NOT NULL,
  mime_type text,
  sha256 text NOT NULL,
  spool_file text NOT NULL,
  state text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'in', 'refused')),
  reason text,
  -- Once in SharePoint: the file's drive item, its name there (SharePoint renames on a clash),
  -- and the folder item it went into (null: the case folder); the document item once recorded.
  drive_item_id text,
  stored_name text,
  folder_item_id uuid REFERENCES items(id) ON DELETE SET NULL,
  item_id uuid REFERENCES items(id) ON DELETE SET NULL,
  PRIMARY KEY (batch_id, position)
);
`,
  },
  {
    version: 73,
    name: 'saved views of a firm',
    sql: `
-- Named sets of portal sections staff pick when giving case or client access. A grant copies the
-- sections (grants.view); it never points here, so changing or deleting a view changes no grant.
CREATE TABLE firm_views (
  ${firmRowKeys}
  name text NOT NULL,
  sections text[] NOT NULL,
  created_by text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
-- Names are unique per firm whatever their case: "Client standard" and "client standard" would read as one.
CREATE UNIQUE INDEX firm_views_name ON firm_views (firm_id, lower(name));
`,
  },
  {
    version: 76,
    name: 'when a guest last opened an item',
    sql: `
-- A guest's latest open of an item (seen_at keeps the first, the proof of delivery): the portal
-- marks a document "New" until the guest opens it after it was shared or last changed. Stamped by
-- the database, as items.updated_at is, so the two compare on one clock. Null: only the first open is known.
ALTER TABLE guest_seen ADD COLUMN last_seen_at timestamptz;
`,
  },
];

export async function migrate(db: Db): Promise<number[]> {
  await db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
  // Every start comes here, and usually nothing is missing: one read says which versions are in,
  // instead of a locked transaction per version (4 statements each, ~0.2 s of a PGlite start).
  // A version recorded as applied never goes away, so only the others need the lock and the check.
  const recorded = new Set((await db.query<{ version: number }>('SELECT version FROM schema_migrations')).map((row) => row.version));
  const applied: number[] = [];
  for (const migration of MIGRATIONS.filter((m) => !recorded.has(m.version))) {
    const done = await db.transaction(async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock(727274)');
      const rows = await tx.query('SELECT 1 FROM schema_migrations WHERE version = $1', [migration.version]);
      if (rows.length > 0) return false;
      for (const statement of splitStatements(migration.sql)) await tx.query(statement);
      await tx.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [migration.version, migration.name]);
      return true;
    });
    if (done) applied.push(migration.version);
  }
  return applied;
}

/** Splits on semicolons outside dollar-quoted bodies, so each statement runs inside the transaction. */
function splitStatements(sql: string): string[] {
  const statements: string[] = [];
  let current = '';
  let inDollar = false;
  for (const line of sql.split('\n')) {
    if (line.trim().startsWith('--')) continue;
    const dollars = (line.match(/\$\$/g) ?? []).length;
    if (dollars % 2 === 1) inDollar = !inDollar;
    current += `${line}\n`;
    if (!inDollar && line.trimEnd().endsWith(';')) {
      statements.push(current.trim());
      current = '';
    }
  }
  if (current.trim()) statements.push(current.trim());
  return statements;
}
