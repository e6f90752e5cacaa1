import { spawnSync } from 'node:child_process';
import path from 'node:path';

/**
 * The official Adaptive Cards renderer (`adaptivecards`, what Teams' web client builds on) as
 * a validator: its browser bundle runs under jsdom in a plain Node child process
 * (validate-cards.cjs), because Jest's loader cannot load jsdom's ESM dependencies.
 */
export interface CardCheck {
  parseErrors: string[];
  validationErrors: string[];
  /** The rendered card's text, as a person would read it. */
  text: string;
  /** The rendered card's HTML (to prove user text never became markup). */
  html: string;
}

export function checkCards(cards: unknown[]): CardCheck[] {
  if (cards.length === 0) return [];
  const run = spawnSync(process.execPath, [path.join(__dirname, 'validate-cards.cjs')], { input: JSON.stringify(cards), encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, env: { ...process.env, NODE_OPTIONS: '' } });
  if (run.status !== 0) throw new Error(`card validator failed: ${run.stderr}`);
  return JSON.parse(run.stdout) as CardCheck[];
}

export const checkCard = (card: unknown): CardCheck => checkCards([card])[0];

/** Every string in a card that sits where Teams renders markdown (TextBlock text, Fact title/value). */
export function markdownTexts(node: unknown, out: string[] = []): string[] {
  if (Array.isArray(node)) node.forEach((n) => markdownTexts(n, out));
  else if (node && typeof node === 'object') {
    const o = node as Record<string, unknown>;
    if (o.type === 'TextBlock' && typeof o.text === 'string') out.push(o.text);
    if (typeof o.title === 'string' && typeof o.value === 'string') out.push(o.title, o.value);
    Object.values(o).forEach((v) => markdownTexts(v, out));
  }
  return out;
}
