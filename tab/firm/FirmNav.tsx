import { Link, makeStyles, tokens } from '@fluentui/react-components';
import { navigate } from '../shell/router';

const useStyles = makeStyles({ nav: { display: 'flex', gap: tokens.spacingHorizontalM, flexWrap: 'wrap' } });

const LINKS = [
  ['clients', 'Clients', '/tab/firm/clients'],
  ['guests', 'Guests', '/tab/firm/guests'],
  ['audit', 'Audit log', '/tab/firm/audit'],
  ['settings', 'My settings', '/tab/firm/settings'],
] as const;

/** Staff navigation between firm pages. */
export function FirmNav({ current }: { current: string }) {
  const s = useStyles();
  return (
    <nav aria-label="Firm pages" className={s.nav}>
      {LINKS.map(([key, label, href]) => (
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
