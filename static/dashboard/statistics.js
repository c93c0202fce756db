'use strict';
/* The statistics page's live numbers: asked for every few seconds from
   /agent/statistics/live and written into the page. The status line
   (role="status") speaks only when the queue, the team or the active chats
   change, never for the longest wait, which grows on every refresh. */
(function () {
  const configElement = document.getElementById('statistics-config');
  if (!configElement) return;
  const config = JSON.parse(configElement.textContent);
  const status = document.getElementById('live-status');
  const fields = {
    waiting: document.getElementById('live-waiting'),
    longest: document.getElementById('live-longest'),
    agents: document.getElementById('live-agents'),
    active: document.getElementById('live-active'),
  };
  let last = {waiting: fields.waiting.textContent, agents: fields.agents.textContent, active: fields.active.textContent};
  let failed = false;

  function clock(seconds) {
    const hours = Math.floor(seconds / 3600);
    const minutes = Math.floor((seconds % 3600) / 60);
    const secs = seconds % 60;
    const pad = (n) => String(n).padStart(2, '0');
    return hours ? `${hours}:${pad(minutes)}:${pad(secs)}` : `${minutes}:${pad(secs)}`;
  }

  function fill(text, values) {
    return text.replace(/%\((\w+)\)s/g, (_match, key) => values[key]);
  }

  function show(numbers) {
    const now = {
      waiting: String(numbers.waiting),
      agents: String(numbers.agents_present),
      active: String(numbers.active_chats),
    };
    fields.waiting.textContent = now.waiting;
    fields.agents.textContent = now.agents;
    fields.active.textContent = now.active;
    fields.longest.textContent = clock(numbers.longest_wait_seconds);
    if (now.waiting !== last.waiting || now.agents !== last.agents || now.active !== last.active || failed) {
      status.textContent = fill(config.strings.live_announcement, now);
    }
    last = now;
    failed = false;
  }

  async function refresh() {
    try {
      const response = await fetch(config.url, {headers: {Accept: 'application/json'}, credentials: 'same-origin'});
      if (!response.ok) throw new Error(String(response.status));
      show(await response.json());
    } catch (_error) {
      if (!failed) status.textContent = config.strings.live_failed;
      failed = true;
    }
  }

  window.setInterval(refresh, config.refreshSeconds * 1000);
}());
