import type { AppPart, PartContext } from '../src/app-part';

/** Placeholder until the bot lands. */
export function createBotPart(_ctx: PartContext): AppPart {
  return { name: 'bot', handlers: {}, routes: [] };
}
