import { Link, makeStyles, tokens } from '@fluentui/react-components';
import { navigate } from '../shell/router';
import { useStrings } from '../strings';

const useStyles = makeStyles({ nav: { display: 'flex', gap: tokens.spacingHorizontalM, flexWrap: 'wrap' } });

type NavKey = 'clients' | 'guests' | 'views' | 'policy' | 'audit' | 'settings' | 'setup';
const LINKS: ReadonlyArray<readonly [NavKey, string, boolean]> = [
  ['clients', '/tab/firm/clients', false],
  ['guests', '/tab/firm/guests', false],
  ['views', '/tab/firm/views', true],
  ['policy', '/tab/firm/policy', true],
  ['audit', '/tab/firm/audit', true],
  ['settings', '/tab/firm/settings', false],
  ['setup', '/tab/firm/setup', true],
];

/** Staff navigation between firm pages; admin pages (views, guest policy, audit log, set-up) only for admins. */
export function FirmNav({ current, admin = false }: { current: string; admin?: boolean }) {
  const s = useStyles();
  const t = useStrings().views.nav;
  return (
    <nav aria-label={t.label} className={s.nav}>
      {LINKS.filter(([, , adminOnly]) => admin || !adminOnly).map(([key, href]) => (
        <Link
          key={key}
          href={href}
          aria-current={current === key ? 'page' : undefined}
          onClick={(e) => {
            e.preventDefault();
            navigate(href);
          }}
        >
          {t[key]}
        </Link>
      ))}
    </nav>
  );
}
