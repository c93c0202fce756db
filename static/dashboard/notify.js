/*
 * Desktop notifications (the browser's Notification API) for what the agent
 * must not miss while looking elsewhere: a chat arriving in the queue, a
 * transfer offered ('transfer-offered'), a customer's message in a chat that
 * is not in front, and the alerts of live.js ('live-alert'). Permission is
 * asked only from the agent's click. Each kind has a tag, so that a repeat
 * replaces the notification before it; a click brings the tab forward and
 * opens what it is about. Nothing for an agent who is away. The sound and
 * the tab title stay alerts.js's.
 */
(function () {
  'use strict';

  var D = window.helpdeskDashboard;
  var state = D.state;
  var ui = D.ui;
  var t = D.t;

  // A customer message older than this when it arrives is a log caught up
  // after a reload, not news.
  var FRESH_MESSAGE_MS = 2 * 60 * 1000;

  var button = document.getElementById('notify-enable');
  var status = document.getElementById('notify-status');
  var supported = typeof window.Notification === 'function';

  function permission() {
    return supported ? window.Notification.permission : 'unsupported';
  }

  function renderStatus() {
    var current = permission();
    button.hidden = current !== 'default';
    var text = { granted: t('notify_on'), denied: t('notify_blocked'), unsupported: t('notify_unsupported') }[current] || '';
    status.textContent = text;
    status.hidden = !text;
    status.dataset.state = current;
  }

  button.addEventListener('click', function () {
    if (!supported) { return; }
    var settle = function (result) {
      renderStatus();
      if (result === 'denied') { D.showAlert(t('notify_blocked_hint')); }
    };
    try {
      var asked = window.Notification.requestPermission(settle);
      if (asked && typeof asked.then === 'function') { asked.then(settle, renderStatus); }
    } catch (e) {
      renderStatus();
    }
  });

  function show(tag, title, body, open) {
    if (permission() !== 'granted' || state.presence === 'away') { return; }
    try {
      var note = new window.Notification(title, { body: body || '', tag: tag, lang: document.documentElement.lang || '' });
      note.onclick = function () {
        window.focus();
        note.close();
        open();
      };
    } catch (e) { /* e.g. Android Chrome allows them only from a service worker: the sound and title remain */ }
  }

  function focusQueueEntry(chatId) {
    var item = ui.queueList.querySelector('li[data-id="' + chatId + '"] button');
    (item || ui.takeNext).focus();
  }

  function openChat(chatId) {
    if (state.chats.has(chatId)) { D.selectChat(chatId, { focusComposer: true }); }
  }

  // A chat arriving in the queue. The first queue of a connection is what
  // is waiting already, not an arrival.
  var queued = null;
  D.on('queue', function (queue, initial) {
    var ids = new Set(queue.map(function (entry) { return entry.id; }));
    if (queued && !initial) {
      queue.forEach(function (entry) {
        if (queued.has(entry.id)) { return; }
        // One tag for the queue: a burst of arrivals shows the newest, not a pile.
        show('queue', t('notify_new_chat', { name: entry.customer_name || '' }), entry.question || '', function () {
          focusQueueEntry(entry.id);
        });
      });
    }
    queued = ids;
  });

  D.on('transfer-offered', function (detail) {
    var transfer = detail && detail.transfer;
    if (!transfer) { return; }
    var customer = (transfer.chat && transfer.chat.customer_name) || '';
    show('transfer-' + transfer.id, t('notify_transfer', { agent: transfer.from_name || '', name: customer }),
      transfer.note || '', function () { D.emit('transfer-open', transfer); });
  });

  D.on('message', function (chat, message) {
    if (message.author !== 'customer' || message.kind === 'event' || chat.status === 'ended') { return; }
    if (message.seq <= chat.readSeq) { return; }
    var sent = D.parseTime(message.created_at);
    if (sent !== null && Date.now() - sent > FRESH_MESSAGE_MS) { return; }
    if (chat.id === state.selectedId && D.pageVisible()) { return; }
    show('chat-' + chat.id, t('notify_message', { name: chat.customerName || '' }), D.summary(message), function () {
      openChat(chat.id);
    });
  });

  D.on('live-alert', function (alert) {
    show(alert.kind + '-' + alert.id, alert.text, '', function () {
      if (alert.kind === 'wait') { focusQueueEntry(alert.id); } else { openChat(alert.id); }
    });
  });

  renderStatus();
}());
