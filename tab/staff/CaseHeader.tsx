import { Badge, Button, Caption1, CounterBadge, Text, Title2, Tooltip, makeStyles, tokens } from '@fluentui/react-components';
import { FolderOpenRegular, LockClosedRegular, PeopleLockRegular, ShareRegular } from '@fluentui/react-icons';
import type { AccessEntry, CaseDetail } from '../api';
import { dateTime } from '../components/format';
import { guestsWithAccess } from './caseData';
import { currentStrings, useStrings } from '../strings';

const useStyles = makeStyles({
  head: { display: 'flex', flexWrap: 'wrap', alignItems: 'flex-start', gap: tokens.spacingHorizontalL, justifyContent: 'space-between' },
  titles: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalXXS, minWidth: 0 },
  line: { display: 'flex', flexWrap: 'wrap', gap: tokens.spacingHorizontalS, alignItems: 'center' },
  share: { display: 'inline-flex', alignItems: 'center', gap: tokens.spacingHorizontalXS },
  actions: { display: 'flex', flexWrap: 'wrap', gap: tokens.spacingHorizontalS, alignItems: 'center' },
});

const STATUS_COLOR = { open: 'success', on_hold: 'warning', closed: 'informative' } as const;

/** Number, title, client, status, assigned staff, the Share button with its count of guests, and Close (or Reopen) case. */
export function CaseHeader({ detail, access, onShare, onCloseOrReopen, onRestrict }: { detail: CaseDetail; access: AccessEntry[]; onShare: () => void; onCloseOrReopen?: () => void; onRestrict?: () => void }) {
  const t = useStrings().staff;
  const s = useStyles();
  const count = guestsWithAccess(access);
  return (
    <div className={s.head}>
      <div className={s.titles}>
        <Caption1 data-testid="case-number">{detail.number}</Caption1>
        <Title2 block as="h1">
          {detail.title}
        </Title2>
        <div className={s.line}>
          <Text>{t.clientIs(detail.client?.name ?? '—')}</Text>
          <Badge appearance="tint" color={STATUS_COLOR[detail.status]}>
            {currentStrings().common.caseStatus[detail.status]}
          </Badge>
          {detail.restricted && (
            <Badge appearance="filled" color="important" icon={<PeopleLockRegular />} data-testid="restricted-badge">
              {t.restricted}
            </Badge>
          )}
          <Text>{t.assignedTo(detail.assignedStaff ? t.nameWithTitle(detail.assignedStaff.name, detail.assignedStaff.title) : t.nobodyYet)}</Text>
          {detail.provisioning !== 'ready' && (
            <Badge appearance="outline" color={detail.provisioning === 'failed' ? 'danger' : 'warning'}>
              {detail.provisioning === 'failed' ? t.channelSetupFailed : detail.setup?.state === 'waiting-for-cases-team' ? t.waitingForCasesTeam : t.settingUpChannel}
            </Badge>
          )}
        </div>
        {detail.setup?.state === 'waiting-for-cases-team' && <Text data-testid="case-setup">{detail.setup.message}</Text>}
        {detail.teamsNotice && <Text data-testid="teams-notice">{detail.teamsNotice}</Text>}
        {detail.closedAt && (
          <Text data-testid="case-closed-note">
            {t.closedOn(dateTime(detail.closedAt))} {detail.guestReadUntil ? t.guestsMayReadUntil(dateTime(detail.guestReadUntil)) : t.guestsHaveNoAccess}
          </Text>
        )}
      </div>
      <div className={s.actions}>
        {onRestrict && (
          <Button icon={<PeopleLockRegular />} onClick={onRestrict} data-testid="restrict-button">
            {detail.restricted ? t.changeRestriction : t.restrictToNamedStaff}
          </Button>
        )}
        {onCloseOrReopen && (
          <Button icon={detail.closedAt ? <FolderOpenRegular /> : <LockClosedRegular />} onClick={onCloseOrReopen} data-testid="close-case-button">
            {detail.closedAt ? t.reopenCase : t.closeCase}
          </Button>
        )}
        <Tooltip content={t.guestsHaveAccess(count)} relationship="description">
          <Button appearance="primary" icon={<ShareRegular />} onClick={onShare} disabled={detail.closedAt !== null} data-testid="share-button">
            <span className={s.share}>
              {t.share}
              <CounterBadge count={count} showZero size="small" color="informative" />
            </span>
          </Button>
        </Tooltip>
      </div>
    </div>
  );
}
