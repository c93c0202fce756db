/*
 * The agents' dashboard: one websocket to /ws/agent/ (docs/protocol.md).
 *
 * Plain JavaScript, no build step. Every text from the server or a customer
 * reaches the page through textContent, never as HTML.
 */
(function () {
  'use strict';

  var configNode = document.getElementById('dashboard-config');
  var config = configNode ? JSON.parse(configNode.textContent) : {};
  var S = config.strings || {};

  var PING_MS = 25000;
  var PONG_TIMEOUT_MS = 10000;
  var NOT_STORED_RETRIES = 3;
  var BACKOFF_START_MS = 1000;
  var BACKOFF_MAX_MS = 15000;
  var TYPING_THROTTLE_MS = 2000;
  var TYPING_IDLE_MS = 3000;
  var CUSTOMER_TYPING_HIDE_MS = 6000;
  var ALERT_HIDE_MS = 10000;
  var OWN_TAKE_WINDOW_MS = 8000;
  var OUTBOX_KEY = 'helpdesk.dashboard.outbox';

  // ---------------------------------------------------------------------------
  // Small helpers

  function $(id) { return document.getElementById(id); }

  function t(key, params) {
    var text = S[key] || key;
    if (params) {
      text = text.replace(/%\((\w+)\)s/g, function (all, name) {
        return Object.prototype.hasOwnProperty.call(params, name) ? String(params[name]) : all;
      });
    }
    return text;
  }

  /** Create an element; `text` goes in as textContent, never as HTML. */
  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    return node;
  }

  function newClientId() {
    try {
      if (window.crypto && typeof window.crypto.randomUUID === 'function') {
        return window.crypto.randomUUID();
      }
      if (window.crypto && window.crypto.getRandomValues) {
        var bytes = new Uint8Array(16);
        window.crypto.getRandomValues(bytes);
        bytes[6] = (bytes[6] & 0x0f) | 0x40;
        bytes[8] = (bytes[8] & 0x3f) | 0x80;
        var hex = Array.prototype.map.call(bytes, function (b) { return (b + 0x100).toString(16).slice(1); }).join('');
        return hex.slice(0, 8) + '-' + hex.slice(8, 12) + '-' + hex.slice(12, 16) + '-' + hex.slice(16, 20) + '-' + hex.slice(20);
      }
    } catch (e) { /* fall through */ }
    return 'c-' + Date.now().toString(36) + '-' + Math.random().toString(36).slice(2) + Math.random().toString(36).slice(2);
  }

  function parseTime(value) {
    var ms = value ? Date.parse(value) : NaN;
    return isNaN(ms) ? null : ms;
  }

  function formatDuration(ms) {
    var seconds = Math.max(0, Math.floor(ms / 1000));
    if (seconds < 60) { return t('seconds', { n: seconds }); }
    var minutes = Math.floor(seconds / 60);
    if (minutes < 60) { return t('minutes', { n: minutes }); }
    return t('hours', { n: Math.floor(minutes / 60) });
  }

  var lang = document.documentElement.lang || undefined;

  function formatClock(value) {
    var ms = parseTime(value);
    if (ms === null) { return ''; }
    try {
      return new Date(ms).toLocaleTimeString(lang, { hour: '2-digit', minute: '2-digit' });
    } catch (e) {
      return new Date(ms).toLocaleTimeString();
    }
  }

  // ---------------------------------------------------------------------------
  // State

  var state = {
    presence: 'away',
    queue: [],              // queue entries from the server, oldest first
    queueIds: null,         // ids seen in the last queue frame (null: none yet)
    everQueued: new Set(),  // ids this page has seen waiting (they rang when they arrived)
    chats: new Map(),       // chat id -> chat record
    order: [],              // chat ids in list order
    selectedId: null,
    dismissed: new Set(),
    earlyMessages: new Map(), // chat id -> [message] that came before the chat's summary
    outbox: new Map(),      // client_id -> {chat_id, client_id, body}
    lastTakeAt: 0,
    takeRequested: null     // chat id asked for with `take`, or 'next'
  };

  function loadOutbox() {
    try {
      var raw = window.sessionStorage.getItem(OUTBOX_KEY);
      var list = raw ? JSON.parse(raw) : [];
      if (Array.isArray(list)) {
        list.forEach(function (item) {
          if (item && typeof item.client_id === 'string' && typeof item.body === 'string' && typeof item.chat_id === 'number') {
            state.outbox.set(item.client_id, { chat_id: item.chat_id, client_id: item.client_id, body: item.body });
          }
        });
      }
    } catch (e) { /* storage blocked: the outbox lives in memory only */ }
  }

  function saveOutbox() {
    try {
      var list = Array.from(state.outbox.values());
      if (list.length) {
        window.sessionStorage.setItem(OUTBOX_KEY, JSON.stringify(list));
      } else {
        window.sessionStorage.removeItem(OUTBOX_KEY);
      }
    } catch (e) { /* ignore */ }
  }

  // ---------------------------------------------------------------------------
  // Elements

  var ui = {
    presenceSelect: $('presence-select'),
    presenceDot: $('presence-dot'),
    connection: $('connection-status'),
    alert: $('alert'),
    alertBox: $('alert-box'),
    alertClose: $('alert-close'),
    takeNext: $('take-next'),
    queueList: $('queue-list'),
    queueEmpty: $('queue-empty'),
    queueCount: $('queue-count'),
    chatList: $('chat-list'),
    chatsEmpty: $('chats-empty'),
    chatsCount: $('chats-count'),
    convEmpty: $('conversation-empty'),
    convBody: $('conversation-body'),
    convName: $('conv-name'),
    convEmail: $('conv-email'),
    convUnverified: $('conv-unverified'),
    convChannel: $('conv-channel'),
    formdataWrap: $('conv-formdata-wrap'),
    formdata: $('conv-formdata'),
    logs: $('logs'),
    typing: $('conv-typing'),
    ended: $('conv-ended'),
    dismiss: $('conv-dismiss'),
    composer: $('composer'),
    input: $('composer-input'),
    send: $('composer-send'),
    menuButton: $('chat-menu-button'),
    menu: $('chat-menu'),
    endItem: $('end-chat-item'),
    endDialog: $('end-dialog')
  };

  var baseTitle = document.title;

  // ---------------------------------------------------------------------------
  // Socket

  var socket = null;
  var connected = false;
  var attempt = 0;
  var reconnectTimer = null;
  var pingTimer = null;
  var pongTimer = null;
  var loggedOut = false;

  function socketUrl() {
    return (window.location.protocol === 'https:' ? 'wss://' : 'ws://') + window.location.host + '/ws/agent/';
  }

  function setConnection(kind) {
    ui.connection.dataset.state = kind;
    var key = {
      connecting: 'connecting', connected: 'connected', reconnecting: 'reconnecting',
      logged_out: 'logged_out', not_an_agent: 'not_an_agent'
    }[kind];
    ui.connection.textContent = t(key);
    ui.presenceSelect.disabled = kind !== 'connected';
  }

  function connect() {
    if (loggedOut) { return; }
    clearTimeout(reconnectTimer);
    reconnectTimer = null;
    var ws;
    try {
      ws = new WebSocket(socketUrl());
    } catch (e) {
      scheduleReconnect();
      return;
    }
    socket = ws;
    ws.onopen = function () {
      if (ws !== socket) { return; }
      var seen = {};
      state.chats.forEach(function (chat) {
        if (chat.status !== 'ended') { seen[String(chat.id)] = chat.lastSeq; }
      });
      rawSend({ type: 'hello', chats: seen });
      startPing();
    };
    ws.onmessage = function (event) {
      if (ws !== socket) { return; }
      var frame;
      try { frame = JSON.parse(event.data); } catch (e) { return; }
      if (!frame || typeof frame.type !== 'string') { return; }
      try {
        handleFrame(frame);
      } catch (err) {
        if (window.console) { window.console.error(err); }
      }
    };
    ws.onclose = function (event) {
      if (ws !== socket) { return; }
      socket = null;
      connected = false;
      stopPing();
      // 4401: not logged in (any more); 4403: no longer an agent of any channel.
      if (event.code === 4401 || event.code === 4403) {
        loggedOut = true;
        setConnection(event.code === 4401 ? 'logged_out' : 'not_an_agent');
        return;
      }
      setConnection('reconnecting');
      scheduleReconnect();
    };
    ws.onerror = function () { /* onclose follows */ };
  }

  function scheduleReconnect() {
    if (reconnectTimer || loggedOut) { return; }
    var delay = Math.min(BACKOFF_MAX_MS, BACKOFF_START_MS * Math.pow(2, attempt));
    attempt += 1;
    delay = delay * (0.75 + Math.random() * 0.5); // jitter: ±25 %
    reconnectTimer = setTimeout(function () {
      reconnectTimer = null;
      connect();
    }, Math.round(delay));
  }

  function dropSocket() {
    // A socket that stopped answering: close it and reconnect.
    var ws = socket;
    if (!ws) { return; }
    socket = null;
    connected = false;
    stopPing();
    try { ws.close(); } catch (e) { /* ignore */ }
    setConnection('reconnecting');
    scheduleReconnect();
  }

  function startPing() {
    stopPing();
    pingTimer = setInterval(function () {
      if (!rawSend({ type: 'ping' })) { return; }
      if (!pongTimer) {
        pongTimer = setTimeout(function () { pongTimer = null; dropSocket(); }, PONG_TIMEOUT_MS);
      }
    }, PING_MS);
  }

  function stopPing() {
    clearInterval(pingTimer);
    clearTimeout(pongTimer);
    pingTimer = null;
    pongTimer = null;
  }

  function rawSend(frame) {
    if (!socket || socket.readyState !== WebSocket.OPEN) { return false; }
    try {
      socket.send(JSON.stringify(frame));
      return true;
    } catch (e) {
      return false;
    }
  }

  /** Frames that need the hello first. */
  function send(frame) {
    if (!connected) { return false; }
    return rawSend(frame);
  }

  window.addEventListener('online', function () {
    if (!socket && !loggedOut) {
      attempt = 0;
      connect();
    }
  });

  // ---------------------------------------------------------------------------
  // Frames

  function handleFrame(frame) {
    switch (frame.type) {
      case 'state': onState(frame); break;
      case 'queue': onQueue(frame.queue || []); break;
      case 'chat': onChat(frame); break;
      case 'chat_state': onChatState(frame); break;
      case 'message': onMessage(frame.chat_id, frame.message); break;
      case 'ack': onAck(frame); break;
      case 'typing': onTyping(frame); break;
      case 'presence': setPresence(frame.status); break;
      case 'read': onRead(frame); break;
      case 'error': onError(frame); break;
      case 'pong':
        clearTimeout(pongTimer);
        pongTimer = null;
        break;
      default: break;
    }
  }

  function onState(frame) {
    connected = true;
    attempt = 0;
    setConnection('connected');
    setPresence(frame.presence);

    var open = new Set();
    (frame.chats || []).forEach(function (summary) {
      open.add(summary.id);
      upsertChat(summary);
    });
    // A chat we hold as open that the server no longer lists ended while we were away.
    state.chats.forEach(function (chat) {
      if (chat.status !== 'ended' && !open.has(chat.id)) {
        chat.status = 'ended';
        renderChatItem(chat);
        if (chat.id === state.selectedId) { renderConversation(); }
      }
    });
    onQueue(frame.queue || [], true);
    renderChatList();
    resendOutbox();
  }

  function onQueue(queue, initial) {
    var previous = state.queueIds;
    var ids = new Set(queue.map(function (entry) { return entry.id; }));
    var arrived = false;
    if (previous && !initial) {
      ids.forEach(function (id) { if (!previous.has(id)) { arrived = true; } });
    }
    state.queue = queue;
    state.queueIds = ids;
    ids.forEach(function (id) { state.everQueued.add(id); });
    renderQueue();
    updateTitle();
    if (arrived) { notify(); }
  }

  function onChat(frame) {
    var summary = frame.chat;
    if (!summary || typeof summary.id !== 'number') { return; }
    var known = state.chats.has(summary.id);
    // A chat of ours that had ended and comes back: the customer wrote again.
    var reopened = known && state.chats.get(summary.id).status === 'ended';
    // A chat this tab saw waiting has already rung once when it entered the queue.
    var seenWaiting = state.everQueued.has(summary.id);
    state.dismissed.delete(summary.id);
    var chat = upsertChat(summary);
    renderChatList();
    var mine = state.takeRequested !== null && Date.now() - state.lastTakeAt < OWN_TAKE_WINDOW_MS &&
      (state.takeRequested === 'next' || state.takeRequested === summary.id);
    if (frame.assigned && mine) {
      state.takeRequested = null;
      selectChat(chat.id, { focusComposer: true });
    } else if (frame.assigned && (!known || reopened)) {
      if (seenWaiting && !reopened) { updateTitle(); } else { notify(); }
    }
    if (reopened && chat.id === state.selectedId) { renderConversation(); }
    updateTitle();
  }

  function onChatState(frame) {
    var chat = state.chats.get(frame.chat_id);
    if (!chat || !frame.state) { return; }
    applyState(chat, frame.state);
    renderChatItem(chat);
    renderChatList();
    if (chat.id === state.selectedId) { renderConversation(); }
    updateTitle();
  }

  function onAck(frame) {
    var item = state.outbox.get(frame.client_id);
    state.outbox.delete(frame.client_id);
    saveOutbox();
    var chat = state.chats.get(frame.chat_id !== undefined ? frame.chat_id : (item && item.chat_id));
    if (!chat || typeof frame.seq !== 'number') { return; }
    if (chat.messages.has(frame.seq)) {
      removePending(chat, frame.client_id);
      return;
    }
    var pending = chat.pending.get(frame.client_id);
    if (pending) {
      // The message frame will follow; show the message as sent already.
      finalizePending(chat, {
        seq: frame.seq,
        kind: 'text',
        author: 'agent',
        author_name: chat.agentName || config.agentName || '',
        body: pending.body,
        event: '',
        params: {},
        client_id: frame.client_id,
        created_at: new Date().toISOString()
      });
    }
  }

  function onTyping(frame) {
    var chat = state.chats.get(frame.chat_id);
    if (!chat || frame.party !== 'customer') { return; }
    clearTimeout(chat.typingTimer);
    chat.customerTyping = !!frame.active && chat.status !== 'ended';
    if (chat.customerTyping) {
      chat.typingTimer = setTimeout(function () {
        chat.customerTyping = false;
        renderTyping();
        renderChatItem(chat);
      }, CUSTOMER_TYPING_HIDE_MS);
    }
    renderTyping();
    renderChatItem(chat);
  }

  function onError(frame) {
    var message = frame.message || frame.code || '';
    if (frame.client_id && state.outbox.has(frame.client_id)) {
      var item = state.outbox.get(frame.client_id);
      // Still unsent: try again shortly with the same client_id (a message the
      // server could not store for reasons of its own, a few times only).
      var retry = frame.code === 'rate_limited' ||
        (frame.code === 'not_stored' && (item.retries = (item.retries || 0) + 1) <= NOT_STORED_RETRIES);
      if (retry) {
        setTimeout(function () {
          if (state.outbox.has(item.client_id)) { send({ type: 'send', chat_id: item.chat_id, client_id: item.client_id, body: item.body }); }
        }, 1500);
        return;
      }
      state.outbox.delete(frame.client_id);
      saveOutbox();
      var chat = state.chats.get(item.chat_id);
      if (chat) { failPending(chat, frame.client_id, message); }
    }
    if (frame.code === 'rate_limited' && !frame.client_id) { return; }
    if (frame.code === 'chat_taken' || frame.code === 'at_limit' || frame.code === 'queue_empty' || frame.code === 'chat_ended') {
      state.takeRequested = null;
    }
    showAlert(message);
  }

  // ---------------------------------------------------------------------------
  // Chats and messages

  function upsertChat(summary) {
    var chat = state.chats.get(summary.id);
    if (!chat) {
      chat = {
        id: summary.id,
        messages: new Map(),     // seq -> message
        pending: new Map(),      // client_id -> {body, node}
        lastSeq: 0,
        readSeq: 0,
        sentReadSeq: 0,
        customerTyping: false,
        typingTimer: null,
        draft: '',
        log: null,
        item: null
      };
      state.chats.set(summary.id, chat);
      state.order.push(summary.id);
      createLog(chat);
    }
    chat.customerName = summary.customer_name || '';
    chat.customerEmail = summary.customer_email || '';
    chat.emailVerified = summary.email_domain_verified !== false;
    chat.channel = summary.channel || '';
    chat.formData = Array.isArray(summary.form_data) ? summary.form_data : [];
    chat.queuedAt = summary.queued_at;
    chat.acceptedAt = summary.accepted_at;
    if (typeof summary.read_seq === 'number') {
      chat.readSeq = Math.max(chat.readSeq, summary.read_seq);
      chat.sentReadSeq = Math.max(chat.sentReadSeq, summary.read_seq);
    }
    applyState(chat, summary);

    var early = state.earlyMessages.get(chat.id);
    if (early) {
      state.earlyMessages.delete(chat.id);
      early.forEach(function (message) { addMessage(chat, message); });
    }
    // Messages of this chat still waiting in the outbox (e.g. after a reload).
    state.outbox.forEach(function (item) {
      if (item.chat_id === chat.id && !chat.pending.has(item.client_id)) {
        addPending(chat, item.client_id, item.body);
      }
    });
    renderChatItem(chat);
    if (chat.id === state.selectedId) { renderConversation(); }
    return chat;
  }

  function applyState(chat, st) {
    if (st.status) { chat.status = st.status; }
    if (st.agent_name !== undefined) { chat.agentName = st.agent_name; }
    if (st.ended_by !== undefined) { chat.endedBy = st.ended_by; }
    if (chat.status === 'ended') {
      chat.customerTyping = false;
      clearTimeout(chat.typingTimer);
    }
  }

  function createLog(chat) {
    var log = el('div', 'log');
    log.setAttribute('role', 'log');
    log.setAttribute('aria-live', 'polite');
    log.setAttribute('aria-label', t('messages'));
    log.tabIndex = 0;
    log.hidden = true;
    log.dataset.chatId = String(chat.id);
    chat.log = log;
    ui.logs.appendChild(log);
  }

  function messageText(chat, message) {
    if (message.kind === 'event') {
      var params = message.params || {};
      if (message.event === 'joined') {
        return t('joined', { agent: params.agent || chat.agentName || '' });
      }
      if (message.event === 'ended') {
        if (params.by === 'customer') { return t('ended_customer'); }
        if (params.by === 'agent') { return t('ended_agent', { agent: params.agent || chat.agentName || config.agentName || '' }); }
        return t('ended_system');
      }
      if (message.event === 'reopened') { return t('reopened'); }
      if (message.event === 'returned') { return t('returned', { agent: params.agent || '' }); }
      if (message.event === 'request_created') {
        return t('request_created', { request_id: params.request_id || '' });
      }
      return message.event || '';
    }
    return message.body || '';
  }

  function buildMessageNode(chat, message) {
    var node;
    if (message.kind === 'event') {
      node = el('div', 'msg msg--event');
      node.appendChild(el('span', 'msg__event', messageText(chat, message)));
      var time = el('span', 'msg__time', formatClock(message.created_at));
      node.appendChild(time);
    } else {
      var author = message.author === 'agent' ? 'agent' : 'customer';
      node = el('div', 'msg msg--' + author);
      var meta = el('div', 'msg__meta');
      meta.appendChild(el('span', 'msg__author', message.author_name || (author === 'customer' ? chat.customerName : '')));
      meta.appendChild(el('span', 'msg__time', formatClock(message.created_at)));
      node.appendChild(meta);
      node.appendChild(el('p', 'msg__body', message.body || ''));
    }
    node.dataset.seq = String(message.seq);
    return node;
  }

  /** Put a stored message's node into the log at its seq position (before pending ones). */
  function placeNode(chat, node, seq) {
    var log = chat.log;
    var child = log.lastElementChild;
    // Walk back past pending messages and messages with a higher seq.
    while (child && (child.classList.contains('msg--pending') || Number(child.dataset.seq) > seq)) {
      child = child.previousElementSibling;
    }
    var next = child ? child.nextElementSibling : log.firstElementChild;
    if (next === node) { return; }
    if (child === node) { return; }
    log.insertBefore(node, next);
  }

  function addMessage(chat, message) {
    if (!message || typeof message.seq !== 'number') { return; }
    if (chat.messages.has(message.seq)) { return; } // exactly once: drop repeats
    if (message.client_id && chat.pending.has(message.client_id)) {
      finalizePending(chat, message);
      state.outbox.delete(message.client_id);
      saveOutbox();
      return;
    }
    chat.messages.set(message.seq, message);
    chat.lastSeq = Math.max(chat.lastSeq, message.seq);
    var stick = isScrolledDown(chat.log);
    placeNode(chat, buildMessageNode(chat, message), message.seq);
    if (stick) { scrollDown(chat.log); }
    if (message.kind === 'event' && message.event === 'ended') {
      chat.status = 'ended';
    } else if (message.kind === 'event' && message.event === 'reopened') {
      // A whole log sent again for a reopened chat: its old end is not the last word.
      chat.status = 'active';
    }
  }

  function onMessage(chatId, message) {
    var chat = state.chats.get(chatId);
    if (!chat) {
      if (!state.dismissed.has(chatId)) {
        var list = state.earlyMessages.get(chatId) || [];
        list.push(message);
        state.earlyMessages.set(chatId, list);
      }
      return;
    }
    var had = chat.messages.has(message && message.seq);
    addMessage(chat, message);
    if (had) { return; }
    if (message.author === 'customer') {
      chat.customerTyping = false;
      clearTimeout(chat.typingTimer);
      if (chat.id === state.selectedId) { renderTyping(); }
    }
    if (chat.id === state.selectedId && pageVisible()) {
      markRead(chat);
    }
    renderChatItem(chat);
    if (chat.id === state.selectedId) { renderConversationState(); }
    updateTitle();
  }

  function addPending(chat, clientId, body) {
    var node = el('div', 'msg msg--agent msg--pending');
    var meta = el('div', 'msg__meta');
    meta.appendChild(el('span', 'msg__author', chat.agentName || config.agentName || ''));
    meta.appendChild(el('span', 'msg__status', t('not_sent')));
    node.appendChild(meta);
    node.appendChild(el('p', 'msg__body', body));
    node.dataset.clientId = clientId;
    chat.pending.set(clientId, { body: body, node: node });
    chat.log.appendChild(node);
    scrollDown(chat.log);
  }

  function finalizePending(chat, message) {
    var pending = chat.pending.get(message.client_id);
    chat.pending.delete(message.client_id);
    chat.messages.set(message.seq, message);
    chat.lastSeq = Math.max(chat.lastSeq, message.seq);
    var fresh = buildMessageNode(chat, message);
    if (pending && pending.node.parentNode) {
      // Swap in place, then make sure the order by seq holds.
      pending.node.parentNode.replaceChild(fresh, pending.node);
    }
    placeNode(chat, fresh, message.seq);
  }

  function removePending(chat, clientId) {
    var pending = chat.pending.get(clientId);
    if (!pending) { return; }
    chat.pending.delete(clientId);
    if (pending.node.parentNode) { pending.node.parentNode.removeChild(pending.node); }
  }

  function failPending(chat, clientId, reason) {
    var pending = chat.pending.get(clientId);
    if (!pending) { return; }
    chat.pending.delete(clientId);
    pending.node.classList.remove('msg--pending');
    pending.node.classList.add('msg--failed');
    var status = pending.node.querySelector('.msg__status');
    if (status) { status.textContent = t('send_failed', { reason: reason }); }
  }

  function unreadCount(chat) {
    var n = 0;
    chat.messages.forEach(function (message, seq) {
      if (message.author === 'customer' && seq > chat.readSeq) { n += 1; }
    });
    return n;
  }

  // Another tab of this agent has read the chat up to frame.seq.
  function onRead(frame) {
    var chat = state.chats.get(frame.chat_id);
    if (!chat) { return; }
    chat.readSeq = Math.max(chat.readSeq, frame.seq);
    chat.sentReadSeq = Math.max(chat.sentReadSeq, frame.seq);
    renderChatItem(chat);
    updateTitle();
  }

  function markRead(chat) {
    if (chat.lastSeq > chat.readSeq) { chat.readSeq = chat.lastSeq; }
    if (chat.readSeq > chat.sentReadSeq && chat.status !== 'ended') {
      if (send({ type: 'read', chat_id: chat.id, seq: chat.readSeq })) {
        chat.sentReadSeq = chat.readSeq;
      }
    }
    renderChatItem(chat);
    updateTitle();
  }

  function pageVisible() {
    return document.visibilityState !== 'hidden';
  }

  function isScrolledDown(node) {
    return node.hidden || node.scrollHeight - node.scrollTop - node.clientHeight < 40;
  }

  function scrollDown(node) {
    node.scrollTop = node.scrollHeight;
  }

  // ---------------------------------------------------------------------------
  // Sending

  function sendMessage() {
    var chat = state.chats.get(state.selectedId);
    if (!chat || chat.status === 'ended') { return; }
    var body = ui.input.value.trim();
    if (!body) { return; }
    var clientId = newClientId();
    var item = { chat_id: chat.id, client_id: clientId, body: body };
    state.outbox.set(clientId, item);
    saveOutbox();
    addPending(chat, clientId, body);
    ui.input.value = '';
    chat.draft = '';
    stopTyping();
    send({ type: 'send', chat_id: chat.id, client_id: clientId, body: body });
  }

  function resendOutbox() {
    // Spread the resends out a little: the server allows 10 frames a second.
    var delay = 0;
    state.outbox.forEach(function (item) {
      setTimeout(function () {
        if (state.outbox.has(item.client_id)) {
          send({ type: 'send', chat_id: item.chat_id, client_id: item.client_id, body: item.body });
        }
      }, delay);
      delay += 150;
    });
  }

  // Typing indicator for the customer: at most one frame every 2 s while
  // typing, "stopped" after 3 s idle or on send.
  var typing = { chatId: null, active: false, lastSent: 0, idleTimer: null };

  function onComposerInput() {
    var chat = state.chats.get(state.selectedId);
    if (!chat || chat.status === 'ended') { return; }
    chat.draft = ui.input.value;
    if (!ui.input.value.trim()) {
      stopTyping();
      return;
    }
    var now = Date.now();
    if (typing.chatId !== chat.id) { stopTyping(); }
    if (!typing.active || now - typing.lastSent >= TYPING_THROTTLE_MS) {
      if (send({ type: 'typing', chat_id: chat.id, active: true })) {
        typing.chatId = chat.id;
        typing.active = true;
        typing.lastSent = now;
      }
    }
    clearTimeout(typing.idleTimer);
    typing.idleTimer = setTimeout(stopTyping, TYPING_IDLE_MS);
  }

  function stopTyping() {
    clearTimeout(typing.idleTimer);
    typing.idleTimer = null;
    if (typing.active && typing.chatId !== null) {
      var chat = state.chats.get(typing.chatId);
      if (chat && chat.status !== 'ended') {
        send({ type: 'typing', chat_id: typing.chatId, active: false });
      }
    }
    typing.active = false;
    typing.chatId = null;
    typing.lastSent = 0;
  }

  // ---------------------------------------------------------------------------
  // Rendering: queue

  var queueNodes = new Map(); // chat id -> li

  function renderQueue() {
    var focusedInside = ui.queueList.contains(document.activeElement);
    var keep = new Set();
    state.queue.forEach(function (entry) { keep.add(entry.id); });
    queueNodes.forEach(function (node, id) {
      if (!keep.has(id)) {
        node.parentNode && node.parentNode.removeChild(node);
        queueNodes.delete(id);
      }
    });
    var previous = null;
    state.queue.forEach(function (entry) {
      var node = queueNodes.get(entry.id);
      if (!node) {
        node = buildQueueItem(entry);
        queueNodes.set(entry.id, node);
      } else {
        updateQueueItem(node, entry);
      }
      var wanted = previous ? previous.nextSibling : ui.queueList.firstChild;
      if (wanted !== node) { ui.queueList.insertBefore(node, wanted); }
      previous = node;
    });
    if (focusedInside && !ui.queueList.contains(document.activeElement)) {
      ui.takeNext.focus();
    }
    ui.queueEmpty.hidden = state.queue.length > 0;
    ui.queueList.hidden = state.queue.length === 0;
    ui.queueCount.textContent = String(state.queue.length);
    tick();
  }

  function buildQueueItem(entry) {
    var li = el('li', 'queue__item');
    li.dataset.id = String(entry.id);
    var head = el('div', 'queue__head');
    var name = el('span', 'queue__name');
    var channel = el('span', 'queue__channel');
    head.appendChild(name);
    head.appendChild(channel);
    li.appendChild(head);
    li.appendChild(el('p', 'queue__question'));
    var foot = el('div', 'queue__foot');
    foot.appendChild(el('span', 'queue__wait'));
    var button = el('button', 'button button--small', t('take'));
    button.type = 'button';
    button.addEventListener('click', function () {
      take(Number(li.dataset.id));
    });
    foot.appendChild(button);
    li.appendChild(foot);
    updateQueueItem(li, entry);
    return li;
  }

  function updateQueueItem(li, entry) {
    li.querySelector('.queue__name').textContent = entry.customer_name || '';
    li.querySelector('.queue__channel').textContent = entry.channel || '';
    var question = li.querySelector('.queue__question');
    question.textContent = entry.question || '';
    question.hidden = !entry.question;
    li.querySelector('.queue__wait').dataset.since = entry.queued_at || '';
    li.querySelector('button').setAttribute('aria-label', t('take_customer', { name: entry.customer_name || '' }));
  }

  function tick() {
    var now = Date.now();
    ui.queueList.querySelectorAll('.queue__wait').forEach(function (node) {
      var since = parseTime(node.dataset.since);
      var text = since === null ? '' : t('waiting_for', { time: formatDuration(now - since) });
      if (node.textContent !== text) { node.textContent = text; }
    });
  }

  function take(chatId) {
    state.takeRequested = chatId;
    state.lastTakeAt = Date.now();
    clearAlert();
    send({ type: 'take', chat_id: chatId });
  }

  function takeNext() {
    state.takeRequested = 'next';
    state.lastTakeAt = Date.now();
    clearAlert();
    send({ type: 'take_next' });
  }

  // ---------------------------------------------------------------------------
  // Rendering: my chats

  function renderChatList() {
    var visible = 0;
    state.order.forEach(function (id) {
      var chat = state.chats.get(id);
      if (!chat) { return; }
      if (!chat.item) { renderChatItem(chat); }
      if (chat.item.parentNode !== ui.chatList) { ui.chatList.appendChild(chat.item); }
      visible += 1;
    });
    ui.chatsEmpty.hidden = visible > 0;
    ui.chatList.hidden = visible === 0;
    var open = 0;
    state.chats.forEach(function (chat) { if (chat.status !== 'ended') { open += 1; } });
    ui.chatsCount.textContent = String(open);
  }

  function renderChatItem(chat) {
    if (!chat.item) {
      var li = el('li', 'chats__item');
      var open = el('button', 'chats__open');
      open.type = 'button';
      var top = el('span', 'chats__top');
      top.appendChild(el('span', 'chats__name'));
      var badge = el('span', 'badge badge--unread');
      top.appendChild(badge);
      open.appendChild(top);
      var sub = el('span', 'chats__sub');
      sub.appendChild(el('span', 'chats__channel'));
      sub.appendChild(el('span', 'chats__typing'));
      sub.appendChild(el('span', 'badge badge--ended', t('ended')));
      open.appendChild(sub);
      open.addEventListener('click', function () {
        selectChat(chat.id, { focusComposer: false });
      });
      li.appendChild(open);
      var close = el('button', 'button button--small button--quiet chats__dismiss', t('dismiss'));
      close.type = 'button';
      close.addEventListener('click', function () { dismissChat(chat.id); });
      li.appendChild(close);
      chat.item = li;
    }
    var item = chat.item;
    var unread = unreadCount(chat);
    var ended = chat.status === 'ended';
    item.classList.toggle('is-ended', ended);
    item.classList.toggle('is-selected', chat.id === state.selectedId);
    item.classList.toggle('has-unread', unread > 0);
    var openButton = item.querySelector('.chats__open');
    if (chat.id === state.selectedId) {
      openButton.setAttribute('aria-current', 'true');
    } else {
      openButton.removeAttribute('aria-current');
    }
    item.querySelector('.chats__name').textContent = chat.customerName;
    var badge = item.querySelector('.badge--unread');
    badge.textContent = unread > 0 ? String(unread) : '';
    badge.hidden = unread === 0;
    badge.setAttribute('aria-label', t('unread_count', { n: unread }));
    badge.title = t('unread_count', { n: unread });
    item.querySelector('.chats__channel').textContent = chat.channel;
    var typingNode = item.querySelector('.chats__typing');
    typingNode.textContent = chat.customerTyping ? t('typing') : '';
    typingNode.hidden = !chat.customerTyping;
    item.querySelector('.badge--ended').hidden = !ended;
    var dismiss = item.querySelector('.chats__dismiss');
    dismiss.hidden = !ended;
    dismiss.setAttribute('aria-label', t('dismiss_chat', { name: chat.customerName }));
  }

  function selectChat(id, options) {
    var chat = state.chats.get(id);
    if (!chat) { return; }
    var previous = state.chats.get(state.selectedId);
    if (previous && previous.id !== id) {
      previous.draft = ui.input.value;
      stopTyping();
    }
    state.selectedId = id;
    state.chats.forEach(function (other) {
      if (other.log) { other.log.hidden = other.id !== id; }
      renderChatItem(other);
    });
    ui.input.value = chat.draft || '';
    closeMenu(false);
    renderConversation();
    scrollDown(chat.log);
    if (pageVisible()) { markRead(chat); }
    if (options && options.focusComposer && !ui.input.disabled) {
      ui.input.focus();
    }
  }

  function dismissChat(id) {
    var chat = state.chats.get(id);
    if (!chat || chat.status !== 'ended') { return; }
    var hadFocus = chat.item && chat.item.contains(document.activeElement);
    var wasSelected = state.selectedId === id;
    if (chat.item && chat.item.parentNode) { chat.item.parentNode.removeChild(chat.item); }
    if (chat.log && chat.log.parentNode) { chat.log.parentNode.removeChild(chat.log); }
    clearTimeout(chat.typingTimer);
    state.chats.delete(id);
    state.order = state.order.filter(function (other) { return other !== id; });
    state.dismissed.add(id);
    if (wasSelected) {
      state.selectedId = null;
      renderConversation();
    }
    renderChatList();
    updateTitle();
    if (hadFocus || wasSelected) {
      var first = ui.chatList.querySelector('.chats__open');
      (first || ui.takeNext).focus();
    }
  }

  // ---------------------------------------------------------------------------
  // Rendering: conversation

  function renderConversation() {
    var chat = state.chats.get(state.selectedId);
    ui.convEmpty.hidden = !!chat;
    ui.convBody.hidden = !chat;
    if (!chat) { return; }
    ui.convName.textContent = chat.customerName;
    ui.convEmail.textContent = chat.customerEmail;
    ui.convUnverified.textContent = t('email_unverified');
    ui.convUnverified.hidden = chat.emailVerified;
    ui.convChannel.textContent = chat.channel;

    while (ui.formdata.firstChild) { ui.formdata.removeChild(ui.formdata.firstChild); }
    chat.formData.forEach(function (field) {
      if (!field) { return; }
      var value = field.value;
      if (value === true) { value = t('yes'); } else if (value === false) { value = t('no'); } else if (Array.isArray(value)) { value = value.join(', '); } else if (value === null || value === undefined) { value = ''; }
      var row = el('div', 'formdata__row');
      row.appendChild(el('dt', null, field.label || field.key || ''));
      value = String(value);
      row.appendChild(el('dd', value.trim() ? null : 'formdata__none', value.trim() ? value : '—'));
      ui.formdata.appendChild(row);
    });
    ui.formdataWrap.hidden = chat.formData.length === 0;
    renderTyping();
    renderConversationState();
  }

  function renderConversationState() {
    var chat = state.chats.get(state.selectedId);
    if (!chat) { return; }
    var ended = chat.status === 'ended';
    var active = document.activeElement;
    var focusLost = ended && (active === ui.input || active === ui.send || active === ui.menuButton || ui.menu.contains(active));
    ui.ended.hidden = !ended;
    ui.input.disabled = ended;
    ui.send.disabled = ended;
    ui.menuButton.disabled = ended;
    ui.composer.classList.toggle('is-disabled', ended);
    if (ended) {
      closeMenu(false);
      if (typing.chatId === chat.id) { typing.active = false; stopTyping(); }
      if (focusLost) { ui.dismiss.focus(); }
    }
  }

  function renderTyping() {
    var chat = state.chats.get(state.selectedId);
    var show = !!(chat && chat.customerTyping);
    var text = show ? t('typing') : '';
    if (ui.typing.textContent !== text) { ui.typing.textContent = text; }
    ui.typing.classList.toggle('is-visible', show);
  }

  // ---------------------------------------------------------------------------
  // Chat menu and ending

  function openMenu() {
    if (ui.menuButton.disabled) { return; }
    ui.menu.hidden = false;
    ui.menuButton.setAttribute('aria-expanded', 'true');
    ui.menu.querySelector('[role="menuitem"]').focus();
  }

  function closeMenu(returnFocus) {
    if (ui.menu.hidden) { return; }
    ui.menu.hidden = true;
    ui.menuButton.setAttribute('aria-expanded', 'false');
    if (returnFocus) { ui.menuButton.focus(); }
  }

  ui.menuButton.addEventListener('click', function () {
    if (ui.menu.hidden) { openMenu(); } else { closeMenu(true); }
  });
  ui.menuButton.addEventListener('keydown', function (event) {
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      event.preventDefault();
      openMenu();
    } else if (event.key === 'Escape') {
      closeMenu(true);
    }
  });
  ui.menu.addEventListener('keydown', function (event) {
    var items = Array.prototype.slice.call(ui.menu.querySelectorAll('[role="menuitem"]'));
    var index = items.indexOf(document.activeElement);
    if (event.key === 'Escape') {
      event.preventDefault();
      closeMenu(true);
    } else if (event.key === 'ArrowDown') {
      event.preventDefault();
      items[(index + 1) % items.length].focus();
    } else if (event.key === 'ArrowUp') {
      event.preventDefault();
      items[(index - 1 + items.length) % items.length].focus();
    } else if (event.key === 'Home') {
      event.preventDefault();
      items[0].focus();
    } else if (event.key === 'End') {
      event.preventDefault();
      items[items.length - 1].focus();
    } else if (event.key === 'Tab') {
      closeMenu(false);
    }
  });
  document.addEventListener('click', function (event) {
    if (!ui.menu.hidden && !$('chat-menu-wrap').contains(event.target)) { closeMenu(false); }
  });

  // Turn the chat into a request: its ID comes back as an event in the log.
  $('create-request-item').addEventListener('click', function () {
    var chat = state.chats.get(state.selectedId);
    closeMenu(true);
    if (chat && chat.status !== 'ended') { send({ type: 'create_request', chat_id: chat.id }); }
  });

  ui.endItem.addEventListener('click', function () {
    var chatId = state.selectedId;
    closeMenu(false);
    confirmEnd(function (yes) {
      if (yes) {
        var chat = state.chats.get(chatId);
        if (chat && chat.status !== 'ended') {
          if (typing.chatId === chatId) { stopTyping(); }
          send({ type: 'end', chat_id: chatId });
        }
      }
      // When the chat_state arrives the button is disabled and focus moves on (renderConversationState).
      if (!ui.menuButton.disabled) { ui.menuButton.focus(); }
    });
  });

  function confirmEnd(done) {
    var dialog = ui.endDialog;
    if (!dialog || typeof dialog.showModal !== 'function') {
      done(window.confirm(t('confirm_end')));
      return;
    }
    var onClose = function () {
      dialog.removeEventListener('close', onClose);
      done(dialog.returnValue === 'end');
    };
    dialog.returnValue = '';
    dialog.addEventListener('close', onClose);
    dialog.showModal();
    $('end-dialog-cancel').focus();
  }

  // ---------------------------------------------------------------------------
  // Presence

  function setPresence(status) {
    if (status !== 'present' && status !== 'away') { return; }
    state.presence = status;
    ui.presenceSelect.value = status;
    ui.presenceDot.dataset.status = status;
  }

  ui.presenceSelect.addEventListener('change', function () {
    var status = ui.presenceSelect.value;
    if (send({ type: 'presence', status: status })) {
      setPresence(status);
    } else {
      ui.presenceSelect.value = state.presence;
    }
  });

  // ---------------------------------------------------------------------------
  // Alerts: the error region, a sound and the tab title

  var alertTimer = null;

  function showAlert(message) {
    clearTimeout(alertTimer);
    ui.alert.textContent = message || '';
    ui.alertClose.hidden = !message;
    ui.alertBox.classList.toggle('is-visible', !!message);
    if (message) { alertTimer = setTimeout(clearAlert, ALERT_HIDE_MS); }
  }

  function clearAlert() {
    clearTimeout(alertTimer);
    var hadFocus = document.activeElement === ui.alertClose;
    ui.alert.textContent = '';
    ui.alertClose.hidden = true;
    ui.alertBox.classList.remove('is-visible');
    if (hadFocus) { ui.takeNext.focus(); }
  }

  ui.alertClose.addEventListener('click', clearAlert);

  var audio = null;

  function audioContext() {
    if (audio) { return audio; }
    var Ctx = window.AudioContext || window.webkitAudioContext;
    if (!Ctx) { return null; }
    audio = new Ctx();
    return audio;
  }

  // Browsers start audio only after a user gesture: prepare the context then.
  function unlockAudio() {
    try {
      var ctx = audioContext();
      if (ctx && ctx.state === 'suspended' && ctx.resume) { ctx.resume().catch(function () {}); }
    } catch (e) { /* no audio */ }
  }
  document.addEventListener('pointerdown', unlockAudio, true);
  document.addEventListener('keydown', unlockAudio, true);

  function playSound() {
    try {
      var ctx = audioContext();
      if (!ctx) { return; }
      var play = function () {
        var start = ctx.currentTime + 0.02;
        [880, 1320].forEach(function (freq, i) {
          var osc = ctx.createOscillator();
          var gain = ctx.createGain();
          var at = start + i * 0.16;
          osc.type = 'sine';
          osc.frequency.setValueAtTime(freq, at);
          gain.gain.setValueAtTime(0.0001, at);
          gain.gain.exponentialRampToValueAtTime(0.2, at + 0.02);
          gain.gain.exponentialRampToValueAtTime(0.0001, at + 0.15);
          osc.connect(gain);
          gain.connect(ctx.destination);
          osc.start(at);
          osc.stop(at + 0.16);
        });
      };
      if (ctx.state === 'suspended' && ctx.resume) {
        ctx.resume().then(play, function () {});
      } else {
        play();
      }
    } catch (e) { /* audio blocked or missing: the title still shows it */ }
  }

  function notify() {
    // Away agents get no sound; the counts in the title still change.
    if (state.presence !== 'away') { playSound(); }
    updateTitle();
  }

  function updateTitle() {
    var count = state.queue.length;
    state.chats.forEach(function (chat) { count += unreadCount(chat); });
    var title = count > 0 ? '(' + count + ') ' + baseTitle : baseTitle;
    if (document.title !== title) { document.title = title; }
  }

  // ---------------------------------------------------------------------------
  // Wiring

  ui.takeNext.addEventListener('click', takeNext);

  ui.composer.addEventListener('submit', function (event) {
    event.preventDefault();
    sendMessage();
    ui.input.focus();
  });
  ui.input.addEventListener('keydown', function (event) {
    if (event.key === 'Enter' && !event.shiftKey && !event.isComposing && event.keyCode !== 229) {
      event.preventDefault();
      sendMessage();
    }
  });
  ui.input.addEventListener('input', onComposerInput);
  ui.input.addEventListener('blur', function () {
    if (!ui.input.value.trim()) { stopTyping(); }
  });

  ui.dismiss.addEventListener('click', function () {
    if (state.selectedId !== null) { dismissChat(state.selectedId); }
  });

  document.addEventListener('visibilitychange', function () {
    if (pageVisible()) {
      var chat = state.chats.get(state.selectedId);
      if (chat) { markRead(chat); }
      // A background tab's timers may have been throttled; check the socket now.
      if (!socket && !loggedOut && !reconnectTimer) { connect(); }
    }
  });

  setInterval(tick, 1000);

  // Recent chats come from the server; show their times in the agent's clock like the messages.
  document.querySelectorAll('.recent time[datetime]').forEach(function (node) {
    var text = formatClock(node.getAttribute('datetime'));
    if (text) { node.textContent = text; }
  });

  loadOutbox();
  setConnection('connecting');
  renderQueue();
  renderChatList();
  renderConversation();
  connect();
}());
