/**
 * Exchange's sendMail as the simulator serves it (learn.microsoft.com/graph/api/user-sendmail):
 * authorised by Mail.Send, only from a mailbox of the tenant, within the Exchange admin's mailbox
 * restriction (learn.microsoft.com/graph/auth-limit-mailbox-access), body checked against the
 * v1.0 CSDL's message type; delivered copies shown per recipient.
 */
import { MESSAGE_PROPERTIES, SEND_MAIL_PARAMETERS } from '../../src/m365-simulator/graph/mail';
import { allProperties, loadCsdl } from './csdl';
import { startFixture, type Fixture } from './helpers';

let f: Fixture;
let mailer: { clientId: string; token: () => Promise<string> };
beforeAll(async () => {
  f = await startFixture();
  const app = await f.sim.admin.createApp(f.tenantId, { graphAppRoles: ['Mail.Send'] });
  mailer = { clientId: app.clientId, token: () => f.sim.admin.token({ tenantId: f.tenantId, clientId: app.clientId }) };
});
afterAll(() => f.close());

type GraphErrorBody = { error: { code: string; message: string } };

const message = (to: string, extra: Record<string, unknown> = {}) => ({
  message: {
    subject: 'New in your case',
    body: { contentType: 'HTML', content: '<p>Open <a href="https://firm.example/tab/portal/cases/c1">P-1 &amp; Co</a></p><script>alert(1)</script>' },
    toRecipients: [{ emailAddress: { address: to, name: 'Ada Client' } }],
    ...extra,
  },
  saveToSentItems: false,
});

describe('POST /users/{id}/sendMail', () => {
  test('the body the simulator accepts is the v1.0 CSDL message type and sendMail parameters', () => {
    const model = loadCsdl();
    expect([...allProperties(model, 'message').keys()].sort()).toEqual([...MESSAGE_PROPERTIES].sort());
    const action = model.actions.find((a) => a.name === 'sendMail' && a.bindingType === 'microsoft.graph.user');
    expect([...(action?.parameters.keys() ?? [])].map((name) => name.toLowerCase()).sort()).toEqual(SEND_MAIL_PARAMETERS.map((name) => name.toLowerCase()).sort());
  });

  test('an app with Mail.Send sends from a staff mailbox (by id or UPN): 202, one copy per recipient, shown on the mailbox page', async () => {
    const token = await mailer.token();
    const sent = await f.graph('POST', `/users/${f.staff.id}/sendMail`, { token, body: message('ada@client.example') });
    expect(sent.status).toBe(202);
    const byUpn = await f.graph('POST', `/users/${encodeURIComponent(f.staff.mail)}/sendMail`, { token, body: message('ada@client.example', { ccRecipients: [{ emailAddress: { address: 'ben@expert.example' } }] }) });
    expect(byUpn.status).toBe(202);
    const delivered = (await f.sim.admin.mail('ADA@client.example')).value;
    expect(delivered).toHaveLength(2);
    expect(delivered[0]).toMatchObject({ subject: 'New in your case', from: { address: f.staff.mail }, contentType: 'html', to: 'ada@client.example' });
    expect((await f.sim.admin.mail('ben@expert.example')).value).toHaveLength(1);

    const index = await (await fetch(`${f.sim.httpUrl}/mail`)).text();
    expect(index).toContain('/mail/ada%40client.example');
    const mailbox = await (await fetch(`${f.sim.httpUrl}/mail/ada%40client.example`)).text();
    expect(mailbox).toContain('href="https://firm.example/tab/portal/cases/c1"');
    expect(mailbox).toContain('P-1 &amp; Co');
    expect(mailbox).not.toContain('<script>');
  });

  test('an app without Mail.Send is refused with Exchange 403 ErrorAccessDenied (learn.microsoft.com/graph/api/user-sendmail#permissions)', async () => {
    const response = await f.graph<GraphErrorBody>('POST', `/users/${f.staff.id}/sendMail`, { body: message('ada@client.example') });
    expect(response.status).toBe(403);
    expect(response.json.error.code).toBe('ErrorAccessDenied');
  });

  test('unknown sender 404 ErrorInvalidUser; a guest has no mailbox: 404 MailboxNotEnabledForRESTAPI (microsoft-graph-docs-contrib#405)', async () => {
    const token = await mailer.token();
    const unknown = await f.graph<GraphErrorBody>('POST', '/users/nobody@contoso.onmicrosoft.com/sendMail', { token, body: message('ada@client.example') });
    expect([unknown.status, unknown.json.error.code]).toEqual([404, 'ErrorInvalidUser']);
    const guest = await f.graph<GraphErrorBody>('POST', `/users/${f.acceptedGuest.id}/sendMail`, { token, body: message('x@client.example') });
    expect([guest.status, guest.json.error.code]).toEqual([404, 'MailboxNotEnabledForRESTAPI']);
  });

  test('invalid bodies are 400: unknown message property, no recipient, bad address, bad contentType', async () => {
    const token = await mailer.token();
    const send = (body: unknown) => f.graph<GraphErrorBody>('POST', `/users/${f.staff.id}/sendMail`, { token, body });
    expect((await send(message('ada@client.example', { colour: 'red' }))).status).toBe(400);
    expect((await send({ message: { subject: 'x', toRecipients: [] } })).json.error.code).toBe('ErrorInvalidRecipients');
    expect((await send(message('not-an-address'))).json.error.code).toBe('ErrorInvalidRecipients');
    expect((await send({ message: { subject: 'x', body: { contentType: 'markdown', content: '' }, toRecipients: [{ emailAddress: { address: 'a@b.example' } }] } })).status).toBe(400);
    expect((await send({ ...message('ada@client.example'), sendNow: true })).status).toBe(400);
  });

  test('once the Exchange admin restricts the app to one mailbox, any other mailbox is 403 ErrorAccessDenied (learn.microsoft.com/graph/auth-limit-mailbox-access)', async () => {
    const other = await f.sim.admin.createUser(f.tenantId, { displayName: 'Other Staff', mail: 'other@contoso.onmicrosoft.com' });
    await f.sim.admin.setMailboxScope(f.tenantId, mailer.clientId, [f.staff.mail]);
    try {
      const token = await mailer.token();
      const refused = await f.graph<GraphErrorBody>('POST', `/users/${other.id}/sendMail`, { token, body: message('ada@client.example') });
      expect(refused.status).toBe(403);
      expect(refused.json.error).toMatchObject({ code: 'ErrorAccessDenied', message: 'Access to OData is disabled.' });
      expect((await f.graph('POST', `/users/${f.staff.id}/sendMail`, { token, body: message('ada@client.example') })).status).toBe(202);
    } finally {
      await f.sim.admin.setMailboxScope(f.tenantId, mailer.clientId, null);
    }
  });
});
