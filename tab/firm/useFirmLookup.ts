import type { CaseRecord } from '../api';
import { useLoad, useStaffApi } from '../shell/hooks';

/** Case and client names for describing access chips, and the firm's clients and cases to choose from. */
export function useFirmLookup() {
  const api = useStaffApi();
  return useLoad(async () => {
    const [cases, clients] = await Promise.all([api.cases(), api.clients()]);
    return { cases: new Map<string, CaseRecord>(cases.map((c) => [c.id, c])), clientNames: new Map(clients.map((c) => [c.id, c.name])), clients, caseList: cases };
  }, []);
}
