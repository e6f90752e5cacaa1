import { Caption1, makeStyles, tokens } from '@fluentui/react-components';
import { EyeRegular } from '@fluentui/react-icons';
import type { CaseSharing, MessageSeen } from '../../src/contract';
import { dateTime } from '../components/format';
import { useStrings } from '../strings';

const useStyles = makeStyles({
  list: { listStyle: 'none', padding: 0, margin: 0, marginLeft: tokens.spacingHorizontalS, display: 'flex', flexWrap: 'wrap', columnGap: tokens.spacingHorizontalM },
  line: { display: 'inline-flex', alignItems: 'center', gap: tokens.spacingHorizontalXXS, color: tokens.colorNeutralForeground3 },
});

/** One line a guest: when they first opened it in the portal (proof of delivery), or that they have not. */
function SeenLines({ lines, testId }: { lines: Array<{ key: string; seen: boolean; text: string }>; testId: string }) {
  const s = useStyles();
  if (lines.length === 0) return null;
  return (
    <ul className={s.list} data-testid={testId}>
      {lines.map((l) => (
        <li key={l.key} className={s.line} data-testid="seen-line" data-seen={l.seen ? 'yes' : 'no'}>
          {l.seen && <EyeRegular aria-hidden />}
          <Caption1>{l.text}</Caption1>
        </li>
      ))}
    </ul>
  );
}

/** Per guest an item is shared with: "Seen by Ana García, 3 Nov 2026, 14:02" or "Ana García: not opened yet". */
export function ItemSeenBy({ sharing, itemId }: { sharing: CaseSharing; itemId: string }) {
  const t = useStrings().staff;
  const entries = sharing.sharedWith[itemId] ?? [];
  return <SeenLines testId="item-seen-by" lines={entries.map((e) => ({ key: e.contactId, seen: e.seenAt !== null, text: e.seenAt ? t.seenBy(e.name, dateTime(e.seenAt)) : t.notOpenedYet(e.name) }))} />;
}

/** Guests who have read a staff message in the portal, and when they first did. */
export function MessageSeenBy({ seenBy }: { seenBy: MessageSeen[] }) {
  const t = useStrings().staff;
  return <SeenLines testId="message-seen-by" lines={seenBy.map((r) => ({ key: r.contactId, seen: true, text: t.seenBy(r.name, dateTime(r.seenAt)) }))} />;
}
