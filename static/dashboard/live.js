/*
 * Everything live on the dashboard (docs/protocol.md, "Live lists, alerts
 * and notifications"): the agent's channels in the top bar, "Recent chats"
 * (an ended chat opens again, read-only), "Open requests", each chat's last
 * message and its age in "My chats", and the alerts for a customer who has
 * waited, or whose message has stayed unanswered, longer than the channel's
 * threshold. An alert is marked in words and with an icon (not by colour
 * alone), announced once in the alert region and emitted once per crossing
 * as D.emit('live-alert', {kind, id, name, text}) for the notifications.
 * Offers openRecent and checkAlerts.
 */
(function () {
  'use strict';

  var D = window.helpdeskDashboard;
  var state = D.state;
  var ui = D.ui;
  var t = D.t;
  var el = D.el;

  // Alerts are about minutes: a check every 15 seconds is on time within a
  // quarter of a minute, and ages shown in minutes move when they should.
  var CHECK_MS = 15000;
  // What "My chats" shows of the last message: its first words.
  var PREVIEW_WORDS = 8;
  var PREVIEW_CHARS = 60;

  var nodes = {
    channels: document.getElementById('topbar-channels'),
    recentList: document.getElementById('recent-list'),
    recentEmpty: document.getElementById('recent-empty'),
    requestsList: document.getElementById('requests-list'),
    requestsEmpty: document.getElementById('requests-empty'),
    requestsCount: document.getElementById('requests-count')
  };

  function clear(node) {
    while (node.firstChild) { node.removeChild(node.firstChild); }
  }

  function timeNode(value, text) {
    var node = el('time', null, text);
    if (value) { node.setAttribute('datetime', value); }
    return node;
  }

  // ---------------------------------------------------------------------------
  // Channels, recent chats and open requests

  function renderChannels(channels) {
    if (!Array.isArray(channels)) { return; }
    nodes.channels.textContent = channels.map(function (channel) { return channel.name; }).join(', ');
  }

  var endedByKey = { customer: 'live_ended_by_customer', agent: 'live_ended_by_agent', system: 'live_ended_by_system' };

  function renderRecent(entries) {
    if (!Array.isArray(entries)) { return; }
    var focusedId = focusedEntry(nodes.recentList);
    clear(nodes.recentList);
    entries.forEach(function (entry) {
      var li = el('li', 'recent__item');
      li.dataset.id = String(entry.id);
      var open = el('button', 'recent__open', entry.customer_name || '');
      open.type = 'button';
      open.addEventListener('click', function () { openRecent(entry.id); });
      li.appendChild(open);
      var meta = el('span', 'recent__meta', (entry.channel || '') + ' · ');
      meta.appendChild(timeNode(entry.ended_at, D.formatClock(entry.ended_at)));
      if (endedByKey[entry.ended_by]) { meta.appendChild(document.createTextNode(' · ' + t(endedByKey[entry.ended_by]))); }
      li.appendChild(meta);
      if (entry.rating) { li.appendChild(el('span', 'recent__rating', t('live_rating', { rating: entry.rating }))); }
      if (entry.rating_comment) { li.appendChild(el('q', 'recent__comment', entry.rating_comment)); }
      nodes.recentList.appendChild(li);
    });
    nodes.recentList.hidden = entries.length === 0;
    nodes.recentEmpty.hidden = entries.length > 0;
    refocus(nodes.recentList, focusedId, '.recent__open');
  }

  function renderRequests(entries) {
    if (!Array.isArray(entries)) { return; }
    var focusedId = focusedEntry(nodes.requestsList);
    clear(nodes.requestsList);
    entries.forEach(function (entry) {
      var li = el('li', 'recent__item');
      li.dataset.id = String(entry.id);
      li.appendChild(el('span', 'recent__name', (entry.number || '') + ' · ' + (entry.customer_name || '')));
      var meta = el('span', 'recent__meta', (entry.channel || '') + ' · ');
      var mail = el('a', null, entry.customer_email || '');
      mail.href = 'mailto:' + (entry.customer_email || '');
      meta.appendChild(mail);
      meta.appendChild(document.createTextNode(' · '));
      meta.appendChild(timeNode(entry.created_at, formatDateTime(entry.created_at)));
      li.appendChild(meta);
      li.appendChild(el('span', 'recent__meta', entry.question || ''));
      nodes.requestsList.appendChild(li);
    });
    nodes.requestsList.hidden = entries.length === 0;
    nodes.requestsEmpty.hidden = entries.length > 0;
    nodes.requestsCount.textContent = String(entries.length);
    refocus(nodes.requestsList, focusedId, 'a');
  }

  function formatDateTime(value) {
    var ms = D.parseTime(value);
    if (ms === null) { return ''; }
    try {
      return new Date(ms).toLocaleString(document.documentElement.lang || undefined, { dateStyle: 'short', timeStyle: 'short' });
    } catch (e) {
      return new Date(ms).toLocaleString();
    }
  }

  // A list drawn again keeps the agent's place: focus goes back to the same entry.
  function focusedEntry(list) {
    var item = list.contains(document.activeElement) && document.activeElement.closest('li');
    return item ? item.dataset.id : null;
  }

  function refocus(list, id, selector) {
    if (id === null) { return; }
    var item = list.querySelector('li[data-id="' + id + '"]');
    var target = item && item.querySelector(selector);
    if (target) { target.focus(); }
  }

  // ---------------------------------------------------------------------------
  // An ended chat, read-only

  var openingId = null;

  function openRecent(chatId) {
    if (state.chats.has(chatId)) {
      D.selectChat(chatId, { focusComposer: false });
      return;
    }
    openingId = chatId;
    D.socket.send({ type: 'recent_open', chat_id: chatId });
  }

  D.frameHandlers.recent_chat = function (frame) {
    if (!frame.chat || typeof frame.chat.id !== 'number') { return; }
    state.dismissed.delete(frame.chat.id);
    var chat = D.upsertChat(frame.chat);
    if (openingId === chat.id) {
      openingId = null;
      D.selectChat(chat.id, { focusComposer: false });
      if (chat.log) { chat.log.focus(); }
    }
  };

  D.frameHandlers.recent = function (frame) { renderRecent(frame.recent); };
  D.frameHandlers.requests = function (frame) { renderRequests(frame.requests); };

  D.on('state', function (frame) {
    renderChannels(frame.channels);
    renderRecent(frame.recent);
    renderRequests(frame.requests);
  });

  // ---------------------------------------------------------------------------
  // Each chat's last message and its age

  function preview(text) {
    var words = String(text || '').trim().split(/\s+/);
    var short = words.slice(0, PREVIEW_WORDS).join(' ');
    if (short.length > PREVIEW_CHARS) { short = short.slice(0, PREVIEW_CHARS); }
    return short.length < String(text || '').trim().length ? short + '…' : short;
  }

  function liveNodes(chat) {
    if (!chat.item) { return null; }
    var box = chat.item.querySelector('.chats__live');
    if (!box) {
      box = el('span', 'chats__live');
      box.appendChild(el('span', 'chats__last'));
      box.appendChild(el('span', 'chats__age'));
      var alert = el('span', 'live-alert');
      alert.appendChild(el('span', 'live-alert__icon', '⚠')).setAttribute('aria-hidden', 'true');
      alert.appendChild(el('span', 'live-alert__text'));
      alert.hidden = true;
      box.appendChild(alert);
      chat.item.querySelector('.chats__open').appendChild(box);
    }
    return box;
  }

  function renderLast(chat, now) {
    var box = liveNodes(chat);
    if (!box) { return; }
    var last = chat.lastMessage;
    var text = '';
    if (last) {
      var said = preview(D.summary(last));
      text = last.author === 'agent' ? t('live_you', { text: said }) : said;
    }
    var lastNode = box.querySelector('.chats__last');
    if (lastNode.textContent !== text) { lastNode.textContent = text; }
    var since = last ? D.parseTime(last.created_at) : null;
    var age = since === null ? '' : ageText(now - since);
    var ageNode = box.querySelector('.chats__age');
    if (ageNode.textContent !== age) { ageNode.textContent = age; }
  }

  function ageText(ms) {
    return ms < 60000 ? t('live_now') : t('live_ago', { time: D.formatDuration(ms) });
  }

  D.on('message', function (chat, message) {
    if (message.kind === 'event' || !D.summary(message)) { return; }
    var seq = chat.lastMessage ? chat.lastMessage.seq : 0;
    if (message.seq >= seq) { chat.lastMessage = message; }
    renderLast(chat, Date.now());
    checkChat(chat, Date.now());
  });

  D.on('chat', function (chat) {
    renderLast(chat, Date.now());
    checkChat(chat, Date.now());
  });

  D.on('chat-forgotten', function (chatId) {
    alerted.delete('unanswered:' + chatId);
  });

  // ---------------------------------------------------------------------------
  // Alerts

  // kind:id -> what crossed (a queue entry's queued_at, a chat's message seq):
  // each crossing alerts once; once it is over (taken, answered), the next may alert again.
  var alerted = new Map();

  function overdue(minutes, since, now) {
    return typeof minutes === 'number' && minutes > 0 && since !== null && now - since >= minutes * 60000;
  }

  function crossing(kind, id, mark, name, text) {
    var key = kind + ':' + id;
    if (mark === null) {
      alerted.delete(key);
      return;
    }
    if (alerted.get(key) === mark) { return; }
    alerted.set(key, mark);
    D.showAlert(text);
    D.emit('live-alert', { kind: kind, id: id, name: name, text: text });
  }

  function setMark(node, text) {
    node.hidden = !text;
    var textNode = node.querySelector('.live-alert__text');
    if (textNode.textContent !== text) { textNode.textContent = text; }
  }

  function queueAlertNode(li) {
    var node = li.querySelector('.live-alert');
    if (!node) {
      node = el('span', 'live-alert');
      node.appendChild(el('span', 'live-alert__icon', '⚠')).setAttribute('aria-hidden', 'true');
      node.appendChild(el('span', 'live-alert__text'));
      li.querySelector('.queue__foot').insertBefore(node, li.querySelector('.queue__foot button'));
    }
    return node;
  }

  function checkQueue(now) {
    var waiting = new Set();
    state.queue.forEach(function (entry) {
      waiting.add(entry.id);
      var li = ui.queueList.querySelector('li[data-id="' + entry.id + '"]');
      var since = D.parseTime(entry.queued_at);
      var over = overdue(entry.wait_alert_minutes, since, now);
      var time = over ? D.formatDuration(now - since) : '';
      if (li) {
        li.classList.toggle('is-overdue', over);
        setMark(queueAlertNode(li), over ? t('live_waiting', { time: time }) : '');
        // The mark says the same as the plain waiting time, louder: one of them is enough.
        li.querySelector('.queue__wait').hidden = over;
      }
      crossing('wait', entry.id, over ? entry.queued_at : null, entry.customer_name,
        t('live_waiting_alert', { name: entry.customer_name || '', time: time }));
    });
    alerted.forEach(function (mark, key) {
      if (key.indexOf('wait:') === 0 && !waiting.has(Number(key.slice(5)))) { alerted.delete(key); }
    });
  }

  /** The customer's last message that no agent message follows: [seq, time], or null. */
  function unansweredSince(chat) {
    var customer = null;
    var agent = 0;
    chat.messages.forEach(function (message, seq) {
      if (message.kind === 'event') { return; }
      if (message.author === 'agent' && seq > agent) { agent = seq; }
      if (message.author === 'customer' && (customer === null || seq > customer.seq)) { customer = message; }
    });
    if (customer === null || customer.seq < agent) { return null; }
    return customer;
  }

  function checkChat(chat, now) {
    var box = liveNodes(chat);
    var threshold = chat.summary ? chat.summary.unanswered_alert_minutes : null;
    var waiting = chat.status === 'ended' ? null : unansweredSince(chat);
    var since = waiting ? D.parseTime(waiting.created_at) : null;
    var over = overdue(threshold, since, now);
    var time = over ? D.formatDuration(now - since) : '';
    if (box) {
      chat.item.classList.toggle('is-overdue', over);
      setMark(box.querySelector('.live-alert'), over ? t('live_unanswered', { time: time }) : '');
    }
    crossing('unanswered', chat.id, over ? waiting.seq : null, chat.customerName,
      t('live_unanswered_alert', { name: chat.customerName || '', time: time }));
  }

  function checkAlerts() {
    var now = Date.now();
    checkQueue(now);
    state.chats.forEach(function (chat) {
      renderLast(chat, now);
      checkChat(chat, now);
    });
  }

  D.on('queue', function () { checkQueue(Date.now()); });
  setInterval(checkAlerts, CHECK_MS);

  D.openRecent = openRecent;
  D.checkAlerts = checkAlerts;
}());
