import { Button, Checkbox, Field, Input, Text, makeStyles, tokens } from '@fluentui/react-components';
import { useEffect, useState } from 'react';
import { SECTIONS, type AccessEntry, type Section } from '../api';
import { ErrorBar, Loading, Notice } from '../components/Feedback';
import { TitledCard } from '../components/TitledCard';
import { useAction, useLoad, useStaffApi } from '../shell/hooks';
import { forgetGuestPolicy } from '../staff/guestPolicy';
import { useStrings } from '../strings';

const useStyles = makeStyles({
  page: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalL, marginTop: tokens.spacingVerticalM },
  body: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM, padding: `0 ${tokens.spacingHorizontalM} ${tokens.spacingVerticalM}` },
  ticks: { border: 'none', padding: 0, margin: 0, display: 'flex', flexDirection: 'column', minWidth: 0 },
  list: { margin: 0, paddingLeft: tokens.spacingHorizontalXL },
});

/** Guests (by name, once each) whose case or client access shows `section` today: what switching it off takes from them. */
export function guestsSeeing(entries: readonly AccessEntry[], section: Section): string[] {
  const names = entries.filter((e) => (e.state === 'active' || e.state === 'pending') && e.grant.scope.kind !== 'item' && e.grant.scope.view.includes(section)).map((e) => e.contact.name);
  return [...new Set(names)].sort((a, b) => a.localeCompare(b));
}

/**
 * /tab/firm/policy (admins): the sections switched off for every guest. Before applying, it says
 * what changes: who loses which section (from the access the admin can see), and that staff are
 * no longer offered those sections when they share.
 */
export function PolicyPage() {
  const s = useStyles();
  const t = useStrings().views.policyPage;
  const api = useStaffApi();
  const policy = useLoad(() => api.firmPolicy(), []);
  const access = useLoad(() => api.firmAccess(), []);
  const [off, setOff] = useState<Section[] | null>(null);
  const [reason, setReason] = useState('');
  const [message, setMessage] = useState<string | null>(null);
  useEffect(() => {
    if (policy.data && off === null) setOff([...policy.data.disabledSections]);
  }, [policy.data]);
  const apply = useAction(async () => {
    if (!off) return;
    await api.setFirmPolicy(off, reason.trim() || null);
    forgetGuestPolicy(api);
    setReason('');
    setMessage(t.saved);
    await Promise.all([policy.reload(), access.reload()]);
  });
  if (!policy.data || off === null) return policy.error ? <ErrorBar error={policy.error} onRetry={() => void policy.reload()} /> : <Loading label={t.loading} />;
  const now = policy.data.disabledSections;
  const switchingOff = SECTIONS.filter((x) => off.includes(x) && !now.includes(x));
  const switchingOn = SECTIONS.filter((x) => !off.includes(x) && now.includes(x));
  const changes = switchingOff.length + switchingOn.length > 0;
  return (
    <div className={s.page}>
      <Text as="p">{t.intro}</Text>
      {message && <Notice>{message}</Notice>}
      <TitledCard title={t.heading} testId="guest-policy">
        <div className={s.body}>
          <fieldset className={s.ticks}>
            <legend>{t.legend}</legend>
            {SECTIONS.map((section) => (
              <Checkbox
                key={section}
                label={off.includes(section) ? t.off(section) : t.on(section)}
                checked={!off.includes(section)}
                onChange={(_e, d) => {
                  setMessage(null);
                  setOff(d.checked ? off.filter((x) => x !== section) : [...off, section]);
                }}
              />
            ))}
          </fieldset>
        </div>
      </TitledCard>
      <TitledCard title={t.previewHeading} testId="policy-preview">
        <div className={s.body} aria-live="polite">
          {!changes ? (
            <Text as="p">{t.nothing}</Text>
          ) : (
            <>
              <ul className={s.list}>
                {switchingOff.map((section) => (
                  <li key={section} data-testid="policy-loses" data-section={section}>
                    {access.data ? t.willLose(section, guestsSeeing(access.data, section)) : t.counting}
                  </li>
                ))}
                {switchingOff.includes('documents') && <li>{t.documentsItems}</li>}
                {switchingOn.map((section) => (
                  <li key={section}>{t.willRegain(section)}</li>
                ))}
                {switchingOff.length > 0 && <li>{t.sharingHidden}</li>}
              </ul>
              <Text size={200}>{t.previewScope}</Text>
            </>
          )}
          <ErrorBar error={access.error} />
          <Field label={t.reason}>
            <Input value={reason} maxLength={1000} onChange={(_e, d) => setReason(d.value)} />
          </Field>
          <ErrorBar error={apply.error} />
          <div>
            <Button appearance="primary" disabled={!changes || apply.busy} onClick={() => void apply.run()}>
              {apply.busy ? t.saving : t.save}
            </Button>
          </div>
        </div>
      </TitledCard>
    </div>
  );
}
