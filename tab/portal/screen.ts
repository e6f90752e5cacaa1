import { createContext, useContext, useEffect } from 'react';

/** Which case and screen the guest is on, so "Message the firm" can say where they wrote from. */
export interface Screen {
  caseId: string | null;
  label: string;
}

export const ScreenContext = createContext<{ set: (s: Screen) => void } | null>(null);

export function useScreen(caseId: string | null, label: string): void {
  const ctx = useContext(ScreenContext);
  useEffect(() => {
    ctx?.set({ caseId, label });
  }, [ctx, caseId, label]);
}
