import { Button, Caption1, Switch, makeStyles, tokens } from '@fluentui/react-components';
import { FEED_EVENTS, type FeedEvent, type NotificationPreference } from '../api';
import { ErrorBar, Loading } from '../components/Feedback';
import { TitledCard } from '../components/TitledCard';
import { useAction, useLoad, useStaffApi } from '../shell/hooks';
import { useStrings } from '../strings';

const useStyles = makeStyles({
  row: { display: 'flex', alignItems: 'center', flexWrap: 'wrap', columnGap: tokens.spacingHorizontalM },
  hint: { color: tokens.colorNeutralForeground3 },
});

/** The firm-wide feed choice of one event; null when the staff member has not chosen (the default applies). */
const firmWideFeed = (prefs: NotificationPreference[], event: FeedEvent): boolean | null => prefs.find((p) => p.event === event && p.caseId === null)?.feed ?? null;

/**
 * The signed-in staff member's Teams activity-feed notices of guest uploads and messages. Without
 * a choice, only the staff member responsible for a case hears of it; a switch makes the choice
 * for all cases, and "Use the default" returns to that. Only the feed changes: the channel card
 * and @mention switches are kept as they are.
 */
export function FeedPreferences() {
  const t = useStrings().staff;
  const s = useStyles();
  const api = useStaffApi();
  const prefs = useLoad(() => api.notificationPreferences(), []);
  const save = useAction(async (event: FeedEvent, feed: boolean | null) => {
    await api.setNotificationPreference({ event, feed });
    await prefs.reload();
  });
  if (!prefs.data) return prefs.error ? <ErrorBar error={prefs.error} onRetry={() => void prefs.reload()} /> : <Loading />;
  const data = prefs.data;
  return (
    <TitledCard testId="feed-preferences" title={t.teamsActivityFeed} description={<Caption1>{t.feedExplained}</Caption1>}>
      {FEED_EVENTS.map((event) => {
        const feed = firmWideFeed(data, event);
        return (
          <div key={event} className={s.row} data-testid={`feed-pref-${event}`}>
            <Switch label={t.feedLabel[event]} checked={feed ?? false} disabled={save.busy} onChange={(_e, d) => void save.run(event, d.checked)} />
            {feed === null ? (
              <Caption1 className={s.hint}>{t.feedDefault}</Caption1>
            ) : (
              <Button appearance="transparent" size="small" disabled={save.busy} onClick={() => void save.run(event, null)}>
                {t.useTheDefault}
              </Button>
            )}
          </div>
        );
      })}
      <ErrorBar error={save.error} />
    </TitledCard>
  );
}
