import { parseEvents, reconnectDelayMs } from '../../tab/shell/live';

/** The tab's reading of the change stream: events split however the network chunks them, and reconnect backoff. */
describe('the tab reading a live stream', () => {
  it('parses events across chunk boundaries, ignoring heartbeats', () => {
    const text = 'event: ready\ndata: {}\n\n: keep-alive\n\nevent: change\ndata: {"caseId":"c1"}\n\nevent: change\r\ndata: {"caseId":nu';
    const first = parseEvents(text.slice(0, 17));
    expect(first.events).toEqual([]);
    const second = parseEvents(first.rest + text.slice(17));
    expect(second.events).toEqual([
      { event: 'ready', data: '{}' },
      { event: 'change', data: '{"caseId":"c1"}' },
    ]);
    const third = parseEvents(`${second.rest}ll}\n\n`);
    expect(third.events).toEqual([{ event: 'change', data: '{"caseId":null}' }]);
    expect(third.rest).toBe('');
  });

  it('backs off from about a second to at most a minute, and honours Retry-After', () => {
    expect(reconnectDelayMs(0, null)).toBeGreaterThanOrEqual(800);
    expect(reconnectDelayMs(0, null)).toBeLessThanOrEqual(1200);
    expect(reconnectDelayMs(3, null)).toBeGreaterThanOrEqual(6400);
    expect(reconnectDelayMs(50, null)).toBeLessThanOrEqual(72_000);
    expect(reconnectDelayMs(0, 30)).toBeGreaterThanOrEqual(24_000);
  });
});
