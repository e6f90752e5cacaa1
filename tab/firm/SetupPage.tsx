import { Body1, Button, Caption1, Checkbox, Field, Input, Radio, RadioGroup, Textarea, makeStyles, tokens } from '@fluentui/react-components';
import { useState } from 'react';
import { SECTIONS, type Section, type SetupGroup, type SetupStatus } from '../api';
import { ErrorBar, Loading, Notice } from '../components/Feedback';

import { TitledCard } from '../components/TitledCard';
import { useAction, useLoad, useStaffApi } from '../shell/hooks';
import { currentStrings, useStrings } from '../strings';

const useStyles = makeStyles({
  page: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalL, marginTop: tokens.spacingVerticalM },
  body: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM, padding: `0 ${tokens.spacingHorizontalM} ${tokens.spacingVerticalM}` },
  row: { display: 'flex', gap: tokens.spacingHorizontalS, alignItems: 'flex-end', flexWrap: 'wrap' },
  hint: { display: 'block', color: tokens.colorNeutralForeground3 },
});

const splitUpns = (text: string): string[] =>
  text
    .split(/[\s,;]+/)
    .map((u) => u.trim().toLowerCase())
    .filter(Boolean);

/** The form's state, started from what the server holds (empty before the first set-up). */
function initialForm(status: SetupStatus) {
  return {
    firmName: status.firmName,
    teamIds: status.teams.filter((t) => t.chosen).map((t) => t.teamId),
    group: status.staffGroup,
    admins: status.admins
      .map((a) => a.upn)
      .filter(Boolean)
      .join('\n'),
    sections: status.guestDefaults.sections ?? [...SECTIONS],
    expiryDays: status.guestDefaults.expiryDays === null ? '' : String(status.guestDefaults.expiryDays),
    mailbox: status.senderMailbox ?? '',
  };
}

/**
 * First-run set-up, and reopening it (admins): the firm's name, the teams that hold case channels,
 * the Entra security group whose members are staff, the admins, guests' defaults and the mailbox
 * guests' e-mail goes out from (PUT /api/setup).
 */
export function SetupPage({ onDone }: { onDone?: () => void }) {
  const t = useStrings().firm;
  const s = useStyles();
  const api = useStaffApi();
  const loaded = useLoad(() => api.setupStatus(), []);
  const [form, setForm] = useState<ReturnType<typeof initialForm> | null>(null);
  const [groupSearch, setGroupSearch] = useState('');
  const [groups, setGroups] = useState<SetupGroup[] | null>(null);
  const [mailboxOk, setMailboxOk] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);
  const find = useAction(async () => setGroups(await api.searchGroups(groupSearch.trim())));
  const checkMailbox = useAction(async (address: string) => {
    const found = await api.checkMailbox(address);
    setMailboxOk(t.mailboxFound(found.address, found.displayName));
  });
  const save = useAction(async (f: ReturnType<typeof initialForm>) => {
    setSaved(false);
    const all = f.sections.length === SECTIONS.length;
    await api.saveSetup({
      firmName: f.firmName,
      teamIds: f.teamIds,
      staffGroupId: f.group?.id ?? '',
      adminUpns: splitUpns(f.admins),
      guestDefaults: { sections: all ? null : f.sections, expiryDays: f.expiryDays.trim() ? Number(f.expiryDays) : null },
      senderMailbox: f.mailbox.trim() ? f.mailbox.trim().toLowerCase() : null,
    });
    setSaved(true);
    await loaded.reload();
  });

  if (!loaded.data) return loaded.error ? <ErrorBar error={loaded.error} onRetry={() => void loaded.reload()} /> : <Loading label={t.loadingSetUp} />;
  const status = loaded.data;
  const f = form ?? initialForm(status);
  const update = (patch: Partial<typeof f>) => setForm({ ...f, ...patch });
  const groupChoices = [...(f.group && !groups?.some((g) => g.id === f.group?.id) ? [f.group] : []), ...(groups ?? [])];

  return (
    <form
      className={s.page}
      aria-label={t.setUpCaseroom}
      onSubmit={(e) => {
        e.preventDefault();
        void save.run(f);
      }}
    >
      <Body1>{status.state === 'set-up' ? t.alreadySetUp : t.notSetUpYet}</Body1>
      <TitledCard title={t.yourFirm} testId="setup-firm">
        <div className={s.body}>
          <Field label={t.firmName} required>
            <Input value={f.firmName} onChange={(_e, d) => update({ firmName: d.value })} />
          </Field>
        </div>
      </TitledCard>
      <TitledCard title={t.teamsForCases} testId="setup-teams">
        <div className={s.body}>
          {status.teams.length === 0 ? (
            <Notice intent="warning">{t.notInstalledInAnyTeam}</Notice>
          ) : (
            <fieldset>
              <legend>{t.caseTeamsLegend}</legend>
              {status.teams.map((t) => (
                <Checkbox key={t.teamId} label={t.displayName} checked={f.teamIds.includes(t.teamId)} onChange={(_e, d) => update({ teamIds: d.checked ? [...f.teamIds, t.teamId] : f.teamIds.filter((id) => id !== t.teamId) })} />
              ))}
            </fieldset>
          )}
        </div>
      </TitledCard>
      <TitledCard title={t.staff} testId="setup-staff">
        <div className={s.body}>
          <Caption1 className={s.hint}>{t.staffGroupExplained}</Caption1>
          <div className={s.row}>
            <Field label={t.groupSearchLabel}>
              <Input value={groupSearch} onChange={(_e, d) => setGroupSearch(d.value)} />
            </Field>
            <Button type="button" disabled={!groupSearch.trim() || find.busy} onClick={() => void find.run()}>
              {t.findGroups}
            </Button>
          </div>
          <ErrorBar error={find.error} />
          {groups && groups.length === 0 && <Notice intent="info">{t.noGroupStartsWith(groupSearch.trim())}</Notice>}
          {groupChoices.length > 0 && (
            <Field label={t.staffGroup} required>
              <RadioGroup value={f.group?.id ?? ''} onChange={(_e, d) => update({ group: groupChoices.find((g) => g.id === d.value) ?? null })}>
                {groupChoices.map((g) => (
                  <Radio key={g.id} value={g.id} label={g.description ? `${g.displayName} — ${g.description}` : g.displayName} />
                ))}
              </RadioGroup>
            </Field>
          )}
          <Field label={t.adminsField} hint={t.adminsExplained}>
            <Textarea value={f.admins} onChange={(_e, d) => update({ admins: d.value })} resize="vertical" />
          </Field>
        </div>
      </TitledCard>
      <TitledCard title={t.guests} testId="setup-guests">
        <div className={s.body}>
          <fieldset>
            <legend>{t.defaultGuestSections}</legend>
            {SECTIONS.map((section: Section) => (
              <Checkbox
                key={section}
                label={currentStrings().common.section[section] ?? section}
                checked={f.sections.includes(section)}
                onChange={(_e, d) => update({ sections: d.checked ? [...f.sections, section] : f.sections.filter((x) => x !== section) })}
              />
            ))}
          </fieldset>
          <Field label={t.defaultGuestDays}>
            <Input type="number" min={1} max={3650} value={f.expiryDays} onChange={(_e, d) => update({ expiryDays: d.value })} />
          </Field>
          <div className={s.row}>
            <Field label={t.guestMailFrom}>
              <Input type="email" value={f.mailbox} onChange={(_e, d) => update({ mailbox: d.value })} />
            </Field>
            <Button type="button" disabled={!f.mailbox.trim() || checkMailbox.busy} onClick={() => void checkMailbox.run(f.mailbox.trim())}>
              {t.checkMailbox}
            </Button>
          </div>
          <ErrorBar error={checkMailbox.error} />
          {mailboxOk && <Notice>{mailboxOk}</Notice>}
        </div>
      </TitledCard>
      <ErrorBar error={save.error} title={t.setUpNotSaved} />
      {saved && (
        <Notice>
          {t.setUpDone}{' '}
          {onDone && (
            <Button appearance="transparent" onClick={onDone}>
              {t.goToClients}
            </Button>
          )}
        </Notice>
      )}
      <div>
        <Button appearance="primary" type="submit" disabled={save.busy || !f.group || f.teamIds.length === 0 || !f.firmName.trim()}>
          {status.state === 'set-up' ? t.saveSetUp : t.completeSetUp}
        </Button>
      </div>
    </form>
  );
}
