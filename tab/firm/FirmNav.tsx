import { Link, makeStyles, tokens } from '@fluentui/react-components';
import { navigate } from '../shell/router';

const useStyles = makeStyles({ nav: { display: 'flex', gap: tokens.spacingHorizontalM, flexWrap: 'wrap' } });

const LINKS = [
  ['clients', 'Clients', '/tab/firm/clients', false],
  ['guests', 'Guests', '/tab/firm/guests', false],
  ['audit', 'Audit log', '/tab/firm/audit', true],
  ['settings', 'My settings', '/tab/firm/settings', false],
  ['setup', 'Set-up', '/tab/firm/setup', true],
] as const;

/** Staff navigation between firm pages; admin pages (audit log, set-up) only for admins. */
export function FirmNav({ current, admin = false }: { current: string; admin?: boolean }) {
  const s = useStyles();
  return (
    <nav aria-label="Firm pages" className={s.nav}>
      {LINKS.filter(([, , , adminOnly]) => admin || !adminOnly).map(([key, label, href]) => (
        <Link
          key={key}
          href={href}
          aria-current={current === key ? 'page' : undefined}
          onClick={(e) => {
            e.preventDefault();
            navigate(href);
          }}
        >
          {label}
        </Link>
      ))}
    </nav>
  );
}
