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

/** Matches "/tab/portal/cases/:caseId"-style patterns; returns the named segments or null. */
export function match(pattern: string, path: string): Record<string, string> | null {
  const names: string[] = [];
  const re = new RegExp(`^${pattern.replace(/:(\w+)/g, (_m, n: string) => (names.push(n), '([^/]+)'))}$`);
  const m = re.exec(path);
  if (!m) return null;
  return Object.fromEntries(names.map((n, i) => [n, decodeURIComponent(m[i + 1])]));
}
