/** Public settings the server hands the tab at /tab/settings.json: nothing secret. */
export interface TabSettings {
  appName: string;
  mode: 'simulator' | 'tenant';
  tenantId: string;
  clientId: string;
  /** The identity provider's authorize endpoint used outside Teams (the simulator's sign-in page locally). */
  authorizeUrl: string;
  /** The delegated scope the API requires, e.g. api://localhost/{clientId}/access_as_user. */
  scope: string;
}
