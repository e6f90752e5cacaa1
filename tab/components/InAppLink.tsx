import { Link } from '@fluentui/react-components';
import type { ReactNode } from 'react';
import { navigate } from '../shell/router';

/**
 * A link to another page of the tab: a real href (so it can be opened in a new tab or copied),
 * but a plain click moves within the tab without reloading it.
 */
export function InAppLink({ href, children }: { href: string; children: ReactNode }) {
  return (
    <Link
      href={href}
      onClick={(e) => {
        e.preventDefault();
        navigate(href);
      }}
    >
      {children}
    </Link>
  );
}
