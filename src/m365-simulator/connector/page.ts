/**
 * The channel pages: what a Teams client would show of each channel, with the bot's cards
 * rendered by the official `adaptivecards` renderer. The server writes only escaped text; posts
 * are drawn in the browser with textContent and the renderer (which never interprets card
 * text as HTML), and refreshed live over server-sent events.
 */
import type { ChannelLog } from './state';

const escapeHtml = (value: unknown): string => String(value ?? '').replace(/[&<>"']/g, (char) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[char] as string);

const STYLE = `
  body { font-family: "Segoe UI", system-ui, sans-serif; margin: 0; background: #f5f5f5; color: #242424; }
  header { background: #464775; color: #fff; padding: 0.7rem 1.2rem; }
  header a { color: #fff; }
  main { max-width: 52rem; margin: 1rem auto; padding: 0 1rem; }
  .thread { background: #fff; border-radius: 6px; box-shadow: 0 1px 2px #0002; margin: 0 0 1rem; padding: 0.6rem 0.9rem; }
  .activity { padding: 0.4rem 0; }
  .activity + .activity { border-top: 1px solid #eee; margin-left: 1.5rem; }
  .who { font-weight: 600; font-size: 0.9rem; }
  .when { color: #616161; font-size: 0.8rem; margin-left: 0.5rem; }
  .text { white-space: pre-wrap; margin: 0.2rem 0; }
  .note { color: #616161; font-size: 0.85rem; }
  .composer { position: sticky; bottom: 0; background: #fff; border-top: 1px solid #ddd; padding: 0.6rem 1rem; display: flex; gap: 0.5rem; align-items: center; flex-wrap: wrap; }
  .composer textarea { flex: 1 1 20rem; min-height: 2.2rem; font: inherit; }
  button { font: inherit; }
  .ac-adaptiveCard { border: 1px solid #e0e0e0; border-radius: 4px; margin-top: 0.3rem; }
  ul { padding-left: 1.2rem; }
`;

function shell(title: string, body: string, scripts = ''): string {
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeHtml(title)}</title><style>${STYLE}</style></head>
<body>${body}${scripts}</body>
</html>`;
}

/** A team of the tenant and the catalog apps that could be installed in it (the Teams "Add an app to a team" act). */
export interface TeamAppsRow {
  teamId: string;
  teamName: string;
  apps: Array<{ teamsAppId: string; name: string; installationId: string | null }>;
}

function teamAppsSection(teams: TeamAppsRow[]): string {
  if (teams.length === 0) return '';
  const rows = teams
    .map((team) => {
      const buttons = team.apps
        .map((app) => {
          const action = app.installationId ? 'uninstall' : 'install';
          return `<form method="post" action="/channels/_apps" style="display:inline"><input type="hidden" name="teamId" value="${escapeHtml(team.teamId)}"><input type="hidden" name="teamsAppId" value="${escapeHtml(app.teamsAppId)}"><input type="hidden" name="installationId" value="${escapeHtml(app.installationId ?? '')}"><input type="hidden" name="action" value="${action}"><button type="submit">${app.installationId ? 'Uninstall' : 'Install'} ${escapeHtml(app.name)}</button></form>`;
        })
        .join(' ');
      return `<li><strong>${escapeHtml(team.teamName)}</strong> ${buttons || '<span class="note">no app in the catalog</span>'}</li>`;
    })
    .join('');
  return `<h2>Teams and their apps</h2><p class="note">As a team owner: add an app to a team (grants its resource-specific permissions there and tells its bot), or remove it.</p><ul>${rows}</ul>`;
}

export function channelsIndexPage(channels: ChannelLog[], teams: TeamAppsRow[], problem?: string): string {
  const byTeam = new Map<string, ChannelLog[]>();
  for (const c of channels) byTeam.set(c.teamId, [...(byTeam.get(c.teamId) ?? []), c]);
  const channelList = [...byTeam.entries()]
    .map(
      ([teamId, list]) =>
        `<h2>${escapeHtml(list[0].teamName || teamId)}</h2><ul>${list
          .map((c) => `<li><a href="/channels/${encodeURIComponent(teamId)}/${encodeURIComponent(c.channelId)}">${escapeHtml(c.name)}</a> <span class="note">${c.threads.length} threads</span></li>`)
          .join('')}</ul>`,
    )
    .join('');
  return shell(
    'Channels · Microsoft 365 simulator',
    `<header>Teams channels (simulated)</header><main>${problem ? `<p>${escapeHtml(problem)}</p>` : ''}${teamAppsSection(teams)}${channelList || '<p>No channel has posts yet. The bot posts here once its app is installed in a team (the Install buttons above).</p>'}</main>`,
  );
}

export function channelPage(channel: ChannelLog): string {
  return shell(
    `${channel.name} · ${channel.teamName}`,
    `<header><a href="/channels">Channels</a> › ${escapeHtml(channel.teamName)} › <strong>${escapeHtml(channel.name)}</strong></header>
<main id="app" data-channel="${escapeHtml(channel.channelId)}" data-team="${escapeHtml(channel.teamId)}"><p class="note">Loading…</p></main>
<form class="composer" id="composer">
  <label>As <select id="person"></select></label>
  <span id="replying" class="note"></span>
  <textarea id="text" placeholder="Write in the channel, or reply in a thread"></textarea>
  <label><input type="checkbox" id="mention" checked> @CaseRoom</label>
  <button type="submit">Send</button>
</form>`,
    '<script src="/botconnector/_assets/adaptivecards.min.js"></script><script src="/botconnector/_assets/channel.js"></script>',
  );
}

/** Browser script for the channel page (served as a file so the page needs no inline script). */
export const CHANNEL_PAGE_SCRIPT = String.raw`(function () {
  'use strict';
  var app = document.getElementById('app');
  var channelId = app.getAttribute('data-channel');
  var api = '/botconnector/_admin/channels/' + encodeURIComponent(channelId);
  var replyTo = null;
  var people = [];

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }
  function person() {
    var select = document.getElementById('person');
    var chosen = people.filter(function (p) { return p.id === select.value; })[0];
    return chosen ? { aadObjectId: chosen.id, name: chosen.name } : { aadObjectId: 'local-user', name: 'Local user' };
  }
  function post(url, body) {
    return fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }).then(function (r) { return r.json(); });
  }
  function renderCard(thread, activity, content, into) {
    var card = new AdaptiveCards.AdaptiveCard();
    card.onExecuteAction = function (action) {
      if (action instanceof AdaptiveCards.OpenUrlAction) { window.open(action.url, '_blank', 'noopener'); return; }
      if (action instanceof AdaptiveCards.ExecuteAction || action instanceof AdaptiveCards.SubmitAction) {
        post('/botconnector/_admin/invoke', { conversationId: thread.conversationId, activityId: activity.id, from: person(), action: { verb: action.verb, data: action.data } })
          .then(function (answer) {
            var r = answer.response || {};
            if (r.type === 'application/vnd.microsoft.activity.message') alert(String(r.value));
            else if (r.type === 'application/vnd.microsoft.error') alert('Error: ' + String((r.value || {}).message));
            load();
          });
      }
    };
    try {
      card.parse(content);
      into.appendChild(card.render());
    } catch (e) {
      into.appendChild(el('p', 'note', 'Card could not be rendered: ' + e));
    }
  }
  function renderActivity(thread, a) {
    var box = el('div', 'activity');
    var head = el('div');
    head.appendChild(el('span', 'who', a.from.name + (a.from.role === 'bot' ? ' (bot)' : '')));
    head.appendChild(el('span', 'when', new Date(a.updatedAt || a.createdAt).toLocaleString() + (a.version > 1 ? ' · edited ' + (a.version - 1) + '×' : '')));
    box.appendChild(head);
    if (a.text) box.appendChild(el('div', 'text', a.text.replace(/<at>(.*?)<\/at>/g, '@$1')));
    (a.attachments || []).forEach(function (att) {
      if (att.contentType === 'application/vnd.microsoft.card.adaptive') renderCard(thread, a, att.content, box);
    });
    return box;
  }
  function render(data) {
    people = data.people || [];
    var select = document.getElementById('person');
    if (select.options.length === 0) {
      people.forEach(function (p) { var o = el('option', '', p.name); o.value = p.id; select.appendChild(o); });
      if (people.length === 0) { var o = el('option', '', 'Local user'); o.value = 'local-user'; select.appendChild(o); }
    }
    app.textContent = '';
    if (!data.threads.length) app.appendChild(el('p', 'note', 'No posts yet.'));
    data.threads.slice().reverse().forEach(function (thread) {
      var box = el('section', 'thread');
      thread.activities.forEach(function (a) { box.appendChild(renderActivity(thread, a)); });
      var reply = el('button', '', 'Reply in thread');
      reply.type = 'button';
      reply.onclick = function () {
        replyTo = thread.conversationId;
        document.getElementById('replying').textContent = 'Replying in a thread · ';
        document.getElementById('mention').checked = false;
        document.getElementById('text').focus();
      };
      box.appendChild(reply);
      app.appendChild(box);
    });
  }
  function load() {
    return fetch(api).then(function (r) { return r.ok ? r.json() : { threads: [], people: [] }; }).then(render);
  }
  document.getElementById('composer').addEventListener('submit', function (event) {
    event.preventDefault();
    var text = document.getElementById('text');
    if (!text.value.trim()) return;
    post(api + '/messages', { from: person(), text: text.value, mentionBot: document.getElementById('mention').checked, conversationId: replyTo })
      .then(function () { text.value = ''; replyTo = null; document.getElementById('replying').textContent = ''; load(); });
  });
  load();
  if (window.EventSource) {
    var source = new EventSource(api + '/events');
    source.addEventListener('change', function (e) {
      try { if (JSON.parse(e.data).channelId === channelId) load(); } catch (err) { load(); }
    });
  } else {
    setInterval(load, 3000);
  }
})();
`;
