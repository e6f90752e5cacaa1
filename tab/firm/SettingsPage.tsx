import { FeedPreferences } from '../staff/FeedPreferences';
import { Body1, Caption1, Switch, TableCell, TableRow, Text, makeStyles, tokens } from '@fluentui/react-components';
import { useState } from 'react';
import { MENTION_ASSIGNED_BY_DEFAULT, NOTIFICATION_EVENTS, type NotificationEvent, type NotificationPreference } from '../api';
import { ErrorBar, Loading, Notice } from '../components/Feedback';
import { ScrollingTable } from '../components/ScrollingTable';
import { TitledCard } from '../components/TitledCard';
import { useAction, useLoad, useStaffApi } from '../shell/hooks';
import { useStrings } from '../strings';

const useStyles = makeStyles({
  page: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalL, marginTop: tokens.spacingVerticalM },
  body: { padding: `0 ${tokens.spacingHorizontalM} ${tokens.spacingVerticalM}` },
  hint: { display: 'block', color: tokens.colorNeutralForeground3 },
});

type Choice = { enabled: boolean; mention: boolean };

/** Without a firm-wide choice of their own, a staff member gets the house default: notices on, mentioned only on their own cases for what needs a person. */
const defaultChoice = (event: NotificationEvent): Choice & { assignedOnly: boolean } => ({ enabled: true, mention: MENTION_ASSIGNED_BY_DEFAULT.includes(event), assignedOnly: true });

function EventRow({ event, saved, busy, onSave }: { event: NotificationEvent; saved: NotificationPreference | undefined; busy: boolean; onSave: (choice: Choice) => void }) {
  const t = useStrings().firm;
  const EVENT_LABEL: Record<NotificationEvent, string> = t.eventLabel;
  const s = useStyles();
  const fallback = defaultChoice(event);
  // A row may hold only an activity-feed choice (enabled null): the channel card keeps its default.
  const chosen = saved?.enabled !== null && saved?.enabled !== undefined ? saved : undefined;
  const current: Choice = chosen ? { enabled: chosen.enabled ?? fallback.enabled, mention: chosen.mention ?? false } : fallback;
  return (
    <TableRow data-testid="notification-row" data-event={event}>
      <TableCell>
        <Text>{EVENT_LABEL[event]}</Text>
        <Caption1 className={s.hint}>{chosen ? t.yourChoice : fallback.mention ? t.defaultMentionOnAssigned : t.defaultNoMention}</Caption1>
      </TableCell>
      <TableCell>
        <Switch checked={current.enabled} disabled={busy} label={current.enabled ? t.on : t.off} aria-label={t.notifyMe(EVENT_LABEL[event])} onChange={(_e, d) => onSave({ enabled: d.checked, mention: d.checked && current.mention })} />
      </TableCell>
      <TableCell>
        <Switch
          checked={current.enabled && current.mention}
          disabled={busy || !current.enabled}
          label={current.enabled && current.mention ? (chosen ? t.everyCase : t.myCases) : t.no}
          aria-label={t.mentionMe(EVENT_LABEL[event])}
          onChange={(_e, d) => onSave({ enabled: true, mention: d.checked })}
        />
      </TableCell>
    </TableRow>
  );
}

/** A staff member's own settings: which Teams notifications they get and when they are @mentioned (PUT /me/notification-preferences). */
export function SettingsPage() {
  const t = useStrings().firm;
  const EVENT_LABEL: Record<NotificationEvent, string> = t.eventLabel;
  const s = useStyles();
  const api = useStaffApi();
  const loaded = useLoad(() => Promise.all([api.notificationPreferences(), api.cases()]), []);
  const [prefs, setPrefs] = useState<NotificationPreference[] | null>(null);
  const [saved, setSaved] = useState<string | null>(null);
  const save = useAction(async (event: NotificationEvent, choice: Choice) => {
    setSaved(null);
    setPrefs(await api.setNotificationPreference({ caseId: null, event, ...choice }));
    setSaved(EVENT_LABEL[event]);
  });
  if (!loaded.data) return loaded.error ? <ErrorBar error={loaded.error} onRetry={() => void loaded.reload()} /> : <Loading label={t.loadingYourSettings} />;
  const [initial, cases] = loaded.data;
  const all = prefs ?? initial;
  const firmWide = new Map(all.filter((p) => p.caseId === null).map((p) => [p.event, p]));
  const perCase = all.filter((p) => p.caseId !== null);
  const caseName = new Map(cases.map((c) => [c.id, `${c.number} ${c.title}`]));
  return (
    <div className={s.page}>
      <TitledCard title={t.notificationsInTeams} testId="notification-settings" description={<Caption1>{t.notificationsExplained}</Caption1>}>
        <div className={s.body}>
          <ErrorBar error={save.error} title={t.changeNotSaved} />
          {saved && <Notice>{t.savedEvent(saved)}</Notice>}
          <ScrollingTable label={t.notificationSettings} columns={t.settingsColumns}>
            {NOTIFICATION_EVENTS.map((event) => (
              <EventRow key={event} event={event} saved={firmWide.get(event)} busy={save.busy} onSave={(choice) => void save.run(event, choice)} />
            ))}
          </ScrollingTable>
        </div>
      </TitledCard>
      {perCase.length > 0 && (
        <TitledCard title={t.caseByCase} testId="notification-case-settings" description={<Caption1>{t.caseChoicesWin}</Caption1>}>
          <div className={s.body}>
            <ScrollingTable label={t.caseNotificationSettings} columns={t.caseSettingsColumns}>
              {perCase.map((p) => (
                <TableRow key={`${p.caseId}:${p.event}`}>
                  <TableCell>{caseName.get(p.caseId ?? '') ?? t.caseNoLongerVisible}</TableCell>
                  <TableCell>{EVENT_LABEL[p.event]}</TableCell>
                  <TableCell>{p.enabled === null ? t.default : p.enabled ? t.on : t.off}</TableCell>
                  <TableCell>{p.enabled === null ? t.default : p.enabled && p.mention ? t.yes : t.no}</TableCell>
                </TableRow>
              ))}
            </ScrollingTable>
          </div>
        </TitledCard>
      )}
      <FeedPreferences />
      <Body1>{t.settingsArePersonal}</Body1>
    </div>
  );
}
