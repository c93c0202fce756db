/*
 * The customer panel under the conversation's head (a <details> region):
 * the page the chat started on, browser and operating system, the
 * customer's local time (a clock in their zone), when they gave their
 * consent (where the channel asks for it), and their previous chats
 * and requests in the agent's channels, each chat opening in the history.
 * Read lazily with `customer {chat_id}` when a chat is opened
 * (docs/protocol.md, "The customer and history"); kept per chat for the page's life.
 */
(function () {
  'use strict';

  var D = window.helpdeskDashboard;
  var t = D.t;
  var el = D.el;

  function $(id) { return document.getElementById(id); }

  var ui = {
    panel: $('customer-panel'),
    pageRow: $('customer-page-row'),
    page: $('customer-page'),
    pageUrl: $('customer-page-url'),
    softwareRow: $('customer-software-row'),
    software: $('customer-software'),
    timeRow: $('customer-time-row'),
    time: $('customer-time'),
    consentRow: $('customer-consent-row'),
    consent: $('customer-consent'),
    chats: $('customer-chats'),
    chatsNone: $('customer-chats-none'),
    requests: $('customer-requests'),
    requestsNone: $('customer-requests-none'),
    digest: $('customer-digest')
  };
  if (!ui.panel) { return; }

  // Open or folded as the agent last left it; at first open only where the
  // log keeps room beside it (at 768 px the open panel left the log a line).
  var OPEN_KEY = 'helpdesk.dashboard.customerOpen';
  var TALL_ENOUGH_PX = 900;
  function rememberedOpen() {
    try {
      var value = window.localStorage.getItem(OPEN_KEY);
      if (value === '1' || value === '0') { return value === '1'; }
    } catch (e) { /* storage may be off: fall back to the screen */ }
    return window.innerHeight >= TALL_ENOUGH_PX;
  }
  ui.panel.open = rememberedOpen();
  ui.panel.addEventListener('toggle', function () {
    try { window.localStorage.setItem(OPEN_KEY, ui.panel.open ? '1' : '0'); } catch (e) { /* not kept */ }
  });

  var historyUrl = ui.panel.getAttribute('data-history-url') || '';
  var known = new Map();   // chat id -> the `customer` frame
  var asked = new Set();   // chat ids asked for on this connection
  // A clock that moves is enough at a minute's grain; a few ticks a minute keep it close.
  var CLOCK_TICK_MS = 15000;

  function safeLink(url) {
    // Only pages a browser opens as pages (the server refuses the rest too).
    return typeof url === 'string' && /^https?:\/\//i.test(url);
  }

  function formatDate(value) {
    var ms = D.parseTime(value);
    if (ms === null) { return ''; }
    try {
      return new Date(ms).toLocaleDateString(document.documentElement.lang || undefined,
        { year: 'numeric', month: '2-digit', day: '2-digit' });
    } catch (e) {
      return new Date(ms).toLocaleDateString();
    }
  }

  function localTime(zone) {
    try {
      var clock = new Date().toLocaleTimeString(document.documentElement.lang || undefined,
        { hour: '2-digit', minute: '2-digit', timeZone: zone });
      return t('customer_local_time', { time: clock, zone: zone });
    } catch (e) {
      return '';  // a zone this browser does not know
    }
  }

  /** When the customer ticked the channel's consent checkbox, in the agent's language; hidden without. */
  function renderConsent(value) {
    var ms = value ? Date.parse(value) : NaN;
    ui.consentRow.hidden = isNaN(ms);
    if (isNaN(ms)) {
      ui.consent.textContent = '';
      ui.consent.removeAttribute('datetime');
      return;
    }
    ui.consent.dateTime = value;
    ui.consent.textContent = new Date(ms).toLocaleString(document.documentElement.lang || undefined,
      { dateStyle: 'short', timeStyle: 'short' });
  }

  function ask(chatId) {
    if (asked.has(chatId)) { return; }
    if (D.socket && D.socket.send({ type: 'customer', chat_id: chatId })) { asked.add(chatId); }
  }

  function selected() {
    return D.state.chats.get(D.state.selectedId) || null;
  }

  function clear(list) {
    while (list.firstChild) { list.removeChild(list.firstChild); }
  }

  function renderChats(items) {
    clear(ui.chats);
    ui.chatsNone.hidden = items.length > 0;
    items.forEach(function (item) {
      var li = el('li', 'customer__item');
      var link = el('a', null, formatDate(item.created_at) + ' · ' + item.channel);
      link.href = historyUrl + item.id + '/';
      link.target = '_blank';
      link.rel = 'noopener';
      li.appendChild(link);
      li.appendChild(el('span', 'customer__meta', ' · ' + item.status_label +
        (item.rating ? ' · ' + t('customer_rating', { rating: item.rating }) : '')));
      ui.chats.appendChild(li);
    });
  }

  function renderRequests(items) {
    clear(ui.requests);
    ui.requestsNone.hidden = items.length > 0;
    items.forEach(function (item) {
      var li = el('li', 'customer__item');
      var label = item.number + ' · ' + item.status_label + ' · ' + formatDate(item.created_at);
      if (item.chat_id) {
        var link = el('a', null, label);
        link.href = historyUrl + item.chat_id + '/';
        link.target = '_blank';
        link.rel = 'noopener';
        li.appendChild(link);
      } else {
        li.appendChild(el('span', null, label));
      }
      ui.requests.appendChild(li);
    });
  }

  function renderClock() {
    var chat = selected();
    var info = chat && known.get(chat.id);
    var text = info && info.time_zone ? localTime(info.time_zone) : '';
    ui.timeRow.hidden = !text;
    ui.time.textContent = text;
    renderDigest(info);
  }

  /** The summary line of the folded panel: browser, local time, earlier chats and requests. */
  function renderDigest(info) {
    if (!info) {
      ui.digest.textContent = '';
      return;
    }
    var parts = [];
    if (info.browser) { parts.push(info.browser); }
    if (info.time_zone) { parts.push(localTime(info.time_zone)); }
    var earlier = (info.previous_chats || []).length;
    var requests = (info.requests || []).length;
    if (earlier) { parts.push(t('customer_digest_chats', { n: earlier })); }
    if (requests) { parts.push(t('customer_digest_requests', { n: requests })); }
    ui.digest.textContent = parts.length ? '· ' + parts.join(' · ') : '';
  }

  function render() {
    var chat = selected();
    if (!chat) {
      ui.panel.hidden = true;
      return;
    }
    ui.panel.hidden = false;
    var info = known.get(chat.id);
    if (!info) {
      ask(chat.id);
      ui.pageRow.hidden = ui.softwareRow.hidden = ui.timeRow.hidden = ui.consentRow.hidden = true;
      clear(ui.chats);
      clear(ui.requests);
      ui.chatsNone.hidden = ui.requestsNone.hidden = true;
      renderDigest(null);
      return;
    }
    var hasPage = safeLink(info.page_url);
    ui.pageRow.hidden = !hasPage;
    if (hasPage) {
      ui.page.href = info.page_url;
      ui.page.textContent = info.page_title || info.page_url;
      ui.pageUrl.textContent = info.page_title ? info.page_url : '';
    } else {
      ui.page.removeAttribute('href');
      ui.page.textContent = '';
      ui.pageUrl.textContent = '';
    }
    var software = info.browser && info.os ? t('customer_software', { browser: info.browser, os: info.os })
      : (info.browser || info.os || '');
    ui.softwareRow.hidden = !software;
    ui.software.textContent = software;
    renderConsent(info.consent_at);
    renderClock();
    renderChats(info.previous_chats || []);
    renderRequests(info.requests || []);
  }

  D.frameHandlers.customer = function (frame) {
    if (typeof frame.chat_id !== 'number') { return; }
    known.set(frame.chat_id, frame);
    if (D.state.selectedId === frame.chat_id) { render(); }
  };

  D.on('select', render);
  // A new connection: what was asked on the old one may never have been answered.
  D.on('state', function () {
    asked.clear();
    render();
  });
  setInterval(renderClock, CLOCK_TICK_MS);
}());
