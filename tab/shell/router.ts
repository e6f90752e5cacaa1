import { useEffect, useState } from 'react';

/** A minimal history router: the tab has a handful of pages and no need for a library. */
export interface Location {
  path: string;
  query: URLSearchParams;
}

const read = (): Location => ({ path: window.location.pathname.replace(/\/+$/, '') || '/', query: new URLSearchParams(window.location.search) });

/** `replace`: the address was only a way in (a deep link), so Back should not return to it. */
export function navigate(to: string, o: { replace?: boolean } = {}): void {
  const url = new URL(to, window.location.href);
  // Keep presentation parameters (theme) as people move around.
  const theme = new URLSearchParams(window.location.search).get('theme');
  if (theme && !url.searchParams.has('theme')) url.searchParams.set('theme', theme);
  window.history[o.replace ? 'replaceState' : 'pushState'](null, '', url.pathname + url.search);
  window.dispatchEvent(new PopStateEvent('popstate'));
  window.scrollTo(0, 0);
}

export function useLocation(): Location {
  const [loc, setLoc] = useState(read);
  useEffect(() => {
    const onPop = () => setLoc(read());
    window.addEventListener('popstate', onPop);
    return () => window.removeEventListener('popstate', onPop);
  }, []);
  return loc;
}

/**
 * A link inside an open dialog that leads to another page unmounts the dialog with the old page, and
 * Fluent's modal never undoes the aria-hidden it put on the rest of the document (#root): the new page
 * would be there for the eye and hidden from screen readers. So after every move (a link, Back or
 * Forward), once no dialog is open, the page is given back to assistive technology.
 */
export function useNothingHiddenAfterMoving(loc: Location): void {
  const where = `${loc.path}?${loc.query.toString()}`;
  useEffect(() => {
    // After the frame the new page was drawn in: by then the old page's dialog has gone with it.
    const frame = window.requestAnimationFrame(() => {
      if (document.querySelector('[role="dialog"], [role="alertdialog"]')) return;
      document.getElementById('root')?.removeAttribute('aria-hidden');
    });
    return () => window.cancelAnimationFrame(frame);
  }, [where]);
}

/** Matches "/tab/portal/cases/:caseId"-style patterns; returns the named segments or null. */
export function match(pattern: string, path: string): Record<string, string> | null {
  const names: string[] = [];
  const re = new RegExp(`^${pattern.replace(/:(\w+)/g, (_m, n: string) => (names.push(n), '([^/]+)'))}$`);
  const m = re.exec(path);
  if (!m) return null;
  return Object.fromEntries(names.map((n, i) => [n, decodeURIComponent(m[i + 1])]));
}
