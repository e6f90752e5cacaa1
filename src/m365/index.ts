import type { AppPart, PartContext } from '../app-part';

/** Placeholder until the Graph gateway lands: the Microsoft 365 part of the server. */
export function createMicrosoft365Part(_ctx: PartContext): AppPart {
  return { name: 'm365', handlers: {}, routes: [] };
}
