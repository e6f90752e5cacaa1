// Validates Adaptive Cards with the official renderer (`adaptivecards`) under jsdom, in plain
// Node: Jest's module loader cannot load jsdom 29 (ESM dependencies), so tests run this script.
// stdin: JSON array of cards; stdout: JSON array of { parseErrors, validationErrors, text, html }.
const { JSDOM } = require('jsdom');

const dom = new JSDOM('<!doctype html><html><body></body></html>', { pretendToBeVisual: true });
for (const key of Object.getOwnPropertyNames(dom.window)) {
  if (key in globalThis) continue;
  try {
    globalThis[key] = dom.window[key];
  } catch {
    /* read-only globals stay as Node has them */
  }
}
globalThis.window = dom.window;
globalThis.document = dom.window.document;
globalThis.HTMLElement = dom.window.HTMLElement;
Object.defineProperty(dom.window.HTMLElement.prototype, 'innerText', {
  get() {
    return this.textContent;
  },
  set(value) {
    this.textContent = value;
  },
});
const AdaptiveCards = require('adaptivecards/dist/adaptivecards.js');

let input = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk) => (input += chunk));
process.stdin.on('end', () => {
  const results = JSON.parse(input).map((card) => {
    const adaptive = new AdaptiveCards.AdaptiveCard();
    const context = new AdaptiveCards.SerializationContext(AdaptiveCards.Versions.v1_5);
    adaptive.parse(card, context);
    const parseErrors = [];
    for (let i = 0; i < context.eventCount; i++) parseErrors.push(String(context.getEventAt(i).message));
    const validationErrors = adaptive.validateProperties().validationEvents.map((e) => e.message);
    const rendered = adaptive.render();
    return { parseErrors, validationErrors, text: rendered ? rendered.textContent : '', html: rendered ? rendered.outerHTML : '' };
  });
  process.stdout.write(JSON.stringify(results));
});
