import { type AppPart, definePart, requiresPart, usesPartIfPresent } from '../../src/app-part';
import { checkPartOrder } from '../../src/app';

/** The composition root checks the parts' declared dependencies once, before building any part. */

const plain = (name: string): AppPart => ({ name, handlers: {}, routes: [] });
const m365 = definePart({ name: 'm365', build: () => plain('m365') });
const bot = definePart({ name: 'bot', needs: { m365: requiresPart<AppPart>('m365') }, build: () => plain('bot') });
const tab = definePart({ name: 'tab', needs: { m365: usesPartIfPresent<AppPart>('m365') }, build: () => plain('tab') });

test('a part whose required part is missing stops start-up, naming the missing part', () => {
  expect(() => checkPartOrder([bot])).toThrow('part bot needs part m365, which this composition does not have');
});

test('a part listed before the part it needs stops start-up, saying which goes first', () => {
  expect(() => checkPartOrder([bot, m365])).toThrow('list m365 before bot');
  expect(() => checkPartOrder([tab, m365])).toThrow('list m365 before tab');
});

test('dependencies built before their users, and optional ones left out, pass', () => {
  expect(() => checkPartOrder([m365, bot, tab])).not.toThrow();
  expect(() => checkPartOrder([tab])).not.toThrow();
});

test('two parts under one name are refused', () => {
  expect(() => checkPartOrder([m365, m365])).toThrow('two parts are named m365');
});
