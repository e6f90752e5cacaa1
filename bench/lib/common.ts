import os from 'node:os';

export { freePort } from '../../tests/support/free-port';

/** What every scenario returns: figures, or why it was not run (never invented numbers). */
export type ScenarioResult = { status: 'ok'; seconds: number; [figure: string]: unknown } | { status: 'not run'; why: string };

export interface Scenario {
  key: 'P1' | 'P2' | 'P3' | 'P4' | 'P5' | 'P7';
  title: string;
  run(): Promise<ScenarioResult>;
}

export function machine() {
  const cpus = os.cpus();
  return { cores: cpus.length, cpuModel: cpus[0]?.model ?? 'unknown', memoryGiB: Math.round(os.totalmem() / 2 ** 30), node: process.version, platform: `${os.platform()} ${os.release()}` };
}

export const round = (v: number, digits = 1) => Math.round(v * 10 ** digits) / 10 ** digits;
export const log = (message: string) => process.stderr.write(`[bench] ${message}\n`);
