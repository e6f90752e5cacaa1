import { useEffect, useState } from 'react';
import { app } from '@microsoft/teams-js';
import { teamsDarkTheme, teamsHighContrastTheme, teamsLightTheme, type Theme } from '@fluentui/react-components';
import { initTeams } from './teams';

export type ThemeName = 'light' | 'dark' | 'contrast';

export const THEMES: Record<ThemeName, Theme> = { light: teamsLightTheme, dark: teamsDarkTheme, contrast: teamsHighContrastTheme };

const fromTeams = (name: string | undefined): ThemeName => (name === 'dark' ? 'dark' : name === 'contrast' ? 'contrast' : 'light');

function fromBrowser(): ThemeName {
  const param = new URLSearchParams(window.location.search).get('theme');
  if (param === 'light' || param === 'dark' || param === 'contrast') return param;
  if (param === 'default') return 'light';
  if (window.matchMedia?.('(forced-colors: active)').matches) return 'contrast';
  return window.matchMedia?.('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
}

/** Teams' theme inside Teams (and its changes); outside, `?theme=` or the system preference. */
export function useThemeName(): ThemeName {
  const [name, setName] = useState<ThemeName>(fromBrowser);
  useEffect(() => {
    let cancelled = false;
    const media = window.matchMedia?.('(prefers-color-scheme: dark)');
    const onMedia = () => setName(fromBrowser());
    void initTeams().then(async (hosted) => {
      if (cancelled) return;
      if (!hosted) {
        media?.addEventListener('change', onMedia);
        return;
      }
      const context = await app.getContext();
      if (!cancelled) setName(fromTeams(context.app.theme));
      app.registerOnThemeChangeHandler((theme) => setName(fromTeams(theme)));
    });
    return () => {
      cancelled = true;
      media?.removeEventListener('change', onMedia);
    };
  }, []);
  return name;
}
