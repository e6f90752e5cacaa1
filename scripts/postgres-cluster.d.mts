export interface ThrowawayPostgres {
  url: string;
  version: string;
  stop(): void;
}
export function findPostgresBin(): { version: string; bin: string } | null;
export function startThrowawayPostgres(options?: { database?: string; port?: number; settings?: Record<string, string> }): ThrowawayPostgres;
