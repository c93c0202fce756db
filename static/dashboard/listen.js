/*
 * Listening in (docs/protocol.md, "Listening in"): for a manager who may
 * listen in, "All active chats" of their channels (templates/agent/parts/
 * listen_chats.html) from `listen_chats` frames, and the chat they listen in
 * on (listen_view.html), read-only, in the conversation's place, with the
 * banner, Whisper, Join (then Leave and a composer to the customer), Take
 * over and Stop listening. Its frames are `listen_*`, never `message`, so the
 * agent's own chats (state.chats) never see a listened one. For the handling
 * agent, a manager's whisper among the notes is marked and, when its chat is
 * not in front, announced.
 */
(function () {
  'use strict';

  var D = window.helpdeskDashboard;
  var state = D.state;
  var t = D.t;
  var el = D.el;

  function $(id) { return document.getElementById(id); }

  var ui = {
    panel: $('listen-chats-panel'),
    list: $('listen-chats-list'),
    empty: $('listen-chats-empty'),
    count: $('listen-chats-count'),
    conversation: $('conversation'),
    view: $('listen-view'),
    banner: $('listen-banner'),
    name: $('listen-name'),
    meta: $('listen-meta'),
    log: $('listen-log'),
    typing: $('listen-typing'),
    whisperOpen: $('listen-whisper-open'),
    join: $('listen-join'),
    takeOver: $('listen-take-over'),
    stop: $('listen-stop'),
    whisperForm: $('listen-whisper'),
    whisperLabel: $('listen-whisper-label'),
    whisperInput: $('listen-whisper-input'),
    whisperCancel: $('listen-whisper-cancel'),
    composer: $('listen-composer'),
    input: $('listen-input'),
    dialog: $('take-over-dialog'),
    dialogTitle: $('take-over-title'),
    dialogDetail: $('take-over-detail'),
    status: $('transfer-status')  // the workspace's polite status line (team.html)
  };

  var overview = [];
  // The listened chat: {id, customerName, agentName, channel, joined, messages: Map(seq -> message), notes: Set(id)}
  var current = null;
  // A chat taken over: opened in "My chats" once it arrives there.
  var takenOver = null;
  var typingTimer = null;  // the listened chat's indicator
  // The manager's own typing, once joined (D.typingIndicator: composer.js).
  var typing = D.typingIndicator(function (chatId) {
    return !!current && current.id === chatId && current.joined;
  });

  // ---------------------------------------------------------------------------
  // "All active chats"

  D.on('state', function () {
    D.socket.send({ type: 'listen_chats' });
    // A new connection: listen again, the whole log comes afresh.
    if (current) { D.socket.send({ type: 'listen', chat_id: current.id }); }
  });

  D.frameHandlers.listen_chats = function (frame) {
    overview = frame.chats || [];
    ui.panel.hidden = !frame.allowed;
    renderOverview();
  };

  function lastText(chat) {
    if (!chat.last_body) { return ''; }
    return t(chat.last_author === 'customer' ? 'listen_last_customer' : 'listen_last_agent', { text: chat.last_body });
  }

  function age(chat) {
    var at = D.parseTime(chat.last_at);
    if (at === null) { return ''; }
    var ms = Date.now() - at;
    return ms < 60000 ? t('live_now') : t('live_ago', { time: D.formatDuration(ms) });
  }

  function renderOverview() {
    var hadFocus = ui.list.contains(document.activeElement) ? document.activeElement.dataset.chatId : null;
    ui.list.textContent = '';
    overview.forEach(function (chat) {
      var li = el('li', 'listen-chats__item' + (current && current.id === chat.id ? ' is-current' : ''));
      var text = el('span', 'listen-chats__text');
      text.appendChild(el('span', 'listen-chats__name', chat.customer_name));
      text.appendChild(el('span', 'listen-chats__who', t('listen_with', { agent: chat.agent_name, channel: chat.channel })));
      var last = el('span', 'listen-chats__last');
      var when = el('span', 'listen-chats__age', age(chat));
      when.dataset.at = chat.last_at || '';
      last.appendChild(document.createTextNode(lastText(chat) + (chat.last_at ? ' · ' : '')));
      last.appendChild(when);
      text.appendChild(last);
      li.appendChild(text);
      var button = el('button', 'button button--small', t('listen_button'));
      button.type = 'button';
      button.dataset.chatId = String(chat.id);
      button.setAttribute('aria-label', t('listen_in_on', { name: chat.customer_name, agent: chat.agent_name }));
      if (current && current.id === chat.id) { button.setAttribute('aria-current', 'true'); }
      button.addEventListener('click', function () { listen(chat.id); });
      li.appendChild(button);
      ui.list.appendChild(li);
    });
    ui.list.hidden = overview.length === 0;
    ui.empty.hidden = overview.length > 0;
    ui.count.textContent = String(overview.length);
    if (hadFocus) {
      var again = ui.list.querySelector('button[data-chat-id="' + hadFocus + '"]');
      (again || ui.panel.querySelector('h2')).focus();
    }
  }

  // The ages tick without a frame.
  window.setInterval(function () {
    overview.forEach(function (chat) {
      var node = ui.list.querySelector('button[data-chat-id="' + chat.id + '"]');
      var when = node && node.parentNode.querySelector('.listen-chats__age');
      if (when) { when.textContent = age(chat); }
    });
  }, 15000);

  // ---------------------------------------------------------------------------
  // The listened chat

  function listen(chatId) {
    D.socket.send({ type: 'listen', chat_id: chatId });
  }

  function show(on) {
    ui.view.hidden = !on;
    ui.conversation.classList.toggle('is-listening', on);
  }

  D.frameHandlers.listen_chat = function (frame) {
    var chat = frame.chat;
    if (!chat || typeof chat.id !== 'number') { return; }
    var fresh = !current || current.id !== chat.id;
    if (fresh) {
      current = { id: chat.id, messages: new Map(), notes: new Set() };
      ui.log.textContent = '';
      ui.whisperForm.hidden = true;
      ui.whisperOpen.setAttribute('aria-expanded', 'false');
      ui.typing.textContent = '';
    }
    current.customerName = chat.customer_name || '';
    current.agentName = chat.agent_name || '';
    current.channel = chat.channel || '';
    current.joined = !!chat.joined;
    renderHead();
    show(true);
    renderOverview();
    if (fresh) { ui.name.focus(); }
  };

  function renderHead() {
    ui.name.textContent = t('listen_chat_of', { name: current.customerName, agent: current.agentName });
    ui.meta.textContent = current.channel;
    ui.view.classList.toggle('is-joined', current.joined);
    ui.banner.textContent = current.joined ? t('listen_banner_joined') : t('listen_banner');
    ui.join.textContent = current.joined ? t('listen_leave') : t('listen_join');
    ui.whisperLabel.textContent = t('listen_whisper_label', { agent: current.agentName });
    var hadFocus = ui.composer.contains(document.activeElement);
    if (!current.joined) { typing.forget(current.id); }
    ui.composer.hidden = !current.joined;
    if (hadFocus && ui.composer.hidden) { ui.join.focus(); }
  }

  /** A node's place in the log: messages by seq, notes (seq + 0.5) after the message before them. */
  function place(node, position) {
    var child = ui.log.lastElementChild;
    while (child && Number(child.dataset.seq) > position) { child = child.previousElementSibling; }
    ui.log.insertBefore(node, child ? child.nextElementSibling : ui.log.firstElementChild);
  }

  function chatLike() {
    return { customerName: current.customerName, agentName: current.agentName };
  }

  D.frameHandlers.listen_message = function (frame) {
    var message = frame.message;
    if (!current || frame.chat_id !== current.id || !message || typeof message.seq !== 'number') { return; }
    if (current.messages.has(message.seq)) { return; }
    current.messages.set(message.seq, message);
    if (message.client_id) { D.socket.remove(message.client_id); }  // our own, stored: out of the outbox
    var stick = D.isScrolledDown(ui.log);
    var node = D.buildMessageNode(chatLike(), message);
    place(node, message.seq);
    if (stick) { D.scrollDown(ui.log); }
    if (message.author === 'customer') { ui.typing.textContent = ''; }
  };

  function seqBefore(createdAt) {
    var at = D.parseTime(createdAt);
    var before = 0;
    current.messages.forEach(function (message, seq) {
      var time = D.parseTime(message.created_at);
      if (time !== null && at !== null && time <= at && seq > before) { before = seq; }
    });
    return before;
  }

  function noteNode(note) {
    var node = el('div', 'msg msg--note' + (note.whisper ? ' msg--whisper' : ''));
    var meta = el('div', 'msg__meta');
    meta.appendChild(el('span', 'msg__badge', note.whisper ? t('whisper_badge') : t('internal_note')));
    meta.appendChild(el('span', 'msg__author', note.author_name || ''));
    meta.appendChild(el('span', 'msg__time', D.formatClock(note.created_at)));
    node.appendChild(meta);
    node.appendChild(el('p', 'msg__body', note.body || ''));
    return node;
  }

  function addNote(chatId, note) {
    if (!current || chatId !== current.id || !note || current.notes.has(note.id)) { return; }
    current.notes.add(note.id);
    var stick = D.isScrolledDown(ui.log);
    var node = noteNode(note);
    var position = seqBefore(note.created_at) + 0.5;
    node.dataset.seq = String(position);
    place(node, position);
    if (stick) { D.scrollDown(ui.log); }
  }

  D.frameHandlers.listen_note = function (frame) { addNote(frame.chat_id, frame.note); };
  D.frameHandlers.listen_notes = function (frame) {
    (frame.notes || []).forEach(function (note) { addNote(frame.chat_id, note); });
    D.scrollDown(ui.log);
  };

  D.frameHandlers.listen_typing = function (frame) {
    if (!current || frame.chat_id !== current.id) { return; }
    clearTimeout(typingTimer);
    var text = '';
    if (frame.active) {
      text = frame.party === 'customer' ? t('typing') : t('listen_agent_typing', { name: frame.name || current.agentName });
      typingTimer = setTimeout(function () { ui.typing.textContent = ''; }, 6000);
    }
    if (ui.typing.textContent !== text) { ui.typing.textContent = text; }
  };

  D.frameHandlers.listen_state = function (frame) {
    if (!current || frame.chat_id !== current.id || !frame.state) { return; }
    if (frame.state.agent_name !== undefined) { current.agentName = frame.state.agent_name; }
    renderHead();
  };

  var STOPPED = {
    stopped: 'listen_stopped',
    ended: 'listen_stopped_ended',
    moved: 'listen_stopped_moved',
    not_allowed: 'listen_stopped_not_allowed',
    taken_over: 'listen_stopped_taken_over'
  };

  D.frameHandlers.listen_stopped = function (frame) {
    if (!current || frame.chat_id !== current.id) { return; }
    var hadFocus = ui.view.contains(document.activeElement);
    typing.forget(current.id);
    current = null;
    show(false);
    clearTimeout(typingTimer);
    ui.log.textContent = '';
    renderOverview();
    ui.status.textContent = t(STOPPED[frame.reason] || 'listen_stopped');
    if (frame.reason === 'taken_over') {
      takenOver = frame.chat_id;
      if (state.chats.has(frame.chat_id)) { openTakenOver(); }
    } else if (hadFocus) {
      var first = ui.list.querySelector('button');
      (first || ui.panel.querySelector('h2') || document.body).focus();
    }
  };

  function openTakenOver() {
    var id = takenOver;
    takenOver = null;
    D.selectChat(id, { focusComposer: true });
  }

  D.on('chat', function (chat) {
    if (takenOver !== null && chat.id === takenOver) { openTakenOver(); }
  });

  // One of the agent's own chats chosen: the conversation takes its place back.
  D.on('select', function (chat) {
    if (current && chat) { D.socket.send({ type: 'listen_stop', chat_id: current.id }); }
  });

  // ---------------------------------------------------------------------------
  // The buttons

  ui.stop.addEventListener('click', function () {
    if (current) { D.socket.send({ type: 'listen_stop', chat_id: current.id }); }
  });

  ui.join.addEventListener('click', function () {
    if (!current) { return; }
    if (current.joined) { typing.stop(); }
    D.socket.send({ type: current.joined ? 'leave' : 'join', chat_id: current.id });
  });

  ui.whisperOpen.addEventListener('click', function () {
    var open = ui.whisperForm.hidden;
    ui.whisperForm.hidden = !open;
    ui.whisperOpen.setAttribute('aria-expanded', open ? 'true' : 'false');
    if (open) { ui.whisperInput.focus(); }
  });

  function closeWhisper() {
    ui.whisperForm.hidden = true;
    ui.whisperOpen.setAttribute('aria-expanded', 'false');
    ui.whisperOpen.focus();
  }

  ui.whisperCancel.addEventListener('click', closeWhisper);

  function submitOnEnter(input, form) {
    input.addEventListener('keydown', function (event) {
      if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        form.requestSubmit();
      } else if (event.key === 'Escape' && form === ui.whisperForm) {
        event.preventDefault();
        closeWhisper();
      }
    });
  }
  submitOnEnter(ui.whisperInput, ui.whisperForm);
  submitOnEnter(ui.input, ui.composer);

  ui.whisperForm.addEventListener('submit', function (event) {
    event.preventDefault();
    var body = ui.whisperInput.value.trim();
    if (!current || !body) { return; }
    if (D.socket.send({ type: 'whisper', chat_id: current.id, client_id: window.HelpdeskSocket.newClientId(), body: body })) {
      ui.whisperInput.value = '';
    }
  });

  // Typing in a chat the manager joined shows to the customer as the agent's does.
  ui.input.addEventListener('input', function () {
    if (current && current.joined) { typing.input(current.id, ui.input.value); }
  });
  ui.input.addEventListener('blur', function () {
    if (!ui.input.value.trim()) { typing.stop(); }
  });

  ui.composer.addEventListener('submit', function (event) {
    event.preventDefault();
    var body = ui.input.value.trim();
    if (!current || !current.joined || !body) { return; }
    typing.stop();
    // Through the socket's outbox as any message: resent until acked, stored once.
    D.socket.post({ chat_id: current.id, body: body });
    ui.input.value = '';
  });

  ui.takeOver.addEventListener('click', function () {
    if (!current) { return; }
    ui.dialogTitle.textContent = t('listen_confirm_take_over', { name: current.customerName });
    ui.dialogDetail.textContent = t('listen_confirm_take_over_detail', { agent: current.agentName });
    ui.dialog.returnValue = '';
    ui.dialog.showModal();
  });

  D.onDialogClosed(ui.dialog, function () {
    if (ui.dialog.returnValue === 'take_over' && current) {
      D.socket.send({ type: 'take_over', chat_id: current.id });
    } else {
      ui.takeOver.focus();
    }
  });

  // ---------------------------------------------------------------------------
  // The handling agent: a manager's whisper among the notes

  D.on('note', function (chat, note, live) {
    if (!note || !note.whisper) { return; }
    var node = chat.log.querySelector('[data-note-id="' + note.id + '"]');
    if (node) {
      node.classList.add('msg--whisper');
      var badge = node.querySelector('.msg__badge');
      if (badge) { badge.textContent = t('whisper_badge'); }
    }
    if (!live || (chat.id === state.selectedId && D.pageVisible())) { return; }
    var text = t('whisper_alert', { agent: note.author_name || '', name: chat.customerName || '', text: note.body || '' });
    D.showAlert(text);
    if (typeof window.Notification === 'function' && window.Notification.permission === 'granted' && state.presence !== 'away') {
      try {
        var shown = new window.Notification(text, { tag: 'whisper-' + chat.id, lang: document.documentElement.lang || '' });
        shown.onclick = function () { window.focus(); shown.close(); D.selectChat(chat.id, { focusComposer: true }); };
      } catch (e) { /* no notifications outside a service worker here: the alert remains */ }
    }
  });
}());
