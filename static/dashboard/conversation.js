/*
 * The open conversation: one message log per chat (an aria-live region,
 * shown for the selected chat), messages in seq order with the agent's own
 * ones marked until stored, the customer's details, the typing notice and
 * the ended state. Offers createLog, onMessage, onAck, addPending,
 * failPending, renderConversation, renderConversationState and renderTyping.
 */
(function () {
  'use strict';

  var D = window.helpdeskDashboard;
  var state = D.state;
  var ui = D.ui;
  var config = D.config;
  var t = D.t;
  var el = D.el;

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
      if (message.event === 'participant_joined') { return t('participant_joined', { agent: params.agent || '' }); }
      if (message.event === 'participant_left') { return t('participant_left', { agent: params.agent || '' }); }
      if (message.event === 'ended') {
        if (params.by === 'customer') { return t('ended_customer'); }
        if (params.by === 'agent') { return t('ended_agent', { agent: params.agent || chat.agentName || config.agentName || '' }); }
        return t('ended_system');
      }
      if (message.event === 'reopened') { return t('reopened'); }
      if (message.event === 'transferred') {
        if (params.to_channel) { return t('transferred_channel', { from: params.from || '', channel: params.to_channel }); }
        // A manager who listened in and took the chat over (docs/protocol.md, "Listening in").
        if (params.by && params.by === params.to) { return t('taken_over_by', { from: params.from || '', to: params.to }); }
        return t(params.by ? 'transferred_by' : 'transferred', { from: params.from || '', to: params.to || '', by: params.by || '' });
      }
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
      node.appendChild(el('span', 'msg__time', D.formatClock(message.created_at)));
    } else {
      var author = message.author === 'agent' ? 'agent' : 'customer';
      node = el('div', 'msg msg--' + author);
      var meta = el('div', 'msg__meta');
      meta.appendChild(el('span', 'msg__author', message.author_name || (author === 'customer' ? chat.customerName : '')));
      meta.appendChild(el('span', 'msg__time', D.formatClock(message.created_at)));
      node.appendChild(meta);
      var render = D.messageRenderers[message.kind];
      node.appendChild(render ? render(chat, message) : el('p', 'msg__body', message.body || ''));
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
    // Shown already from its ack (the socket drops repeated frames itself).
    if (chat.messages.has(message.seq)) { return; }
    if (message.client_id && chat.pending.has(message.client_id)) {
      finalizePending(chat, message);
      return;
    }
    chat.messages.set(message.seq, message);
    chat.lastSeq = Math.max(chat.lastSeq, message.seq);
    var stick = D.isScrolledDown(chat.log);
    placeNode(chat, buildMessageNode(chat, message), message.seq);
    if (stick) { D.scrollDown(chat.log); }
    if (message.kind === 'event' && message.event === 'ended') {
      chat.status = 'ended';
    } else if (message.kind === 'event' && message.event === 'reopened') {
      // A whole log sent again for a reopened chat: its old end is not the last word.
      chat.status = 'active';
    }
    D.emit('message', chat, message);
  }

  function onMessage(chatId, message) {
    var chat = state.chats.get(chatId);
    if (!chat) {
      if (state.dismissed.has(chatId)) {
        // Should the chat come back, its whole log is wanted again.
        D.socket.forget(chatId);
      } else {
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
    if (chat.id === state.selectedId && D.pageVisible()) {
      D.markRead(chat);
    }
    D.renderChatItem(chat);
    if (chat.id === state.selectedId) { renderConversationState(); }
    D.updateTitle();
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
    D.scrollDown(chat.log);
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
    // The agent's own message is in the log now, stored: for the parts that follow the log.
    D.emit('message', chat, message);
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

  /** `item`: the outbox entry the ack settles (the socket has dropped it from the outbox). */
  function onAck(frame, item) {
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

  // ---------------------------------------------------------------------------
  // The selected chat

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
    // An ended chat takes no message, but still a note for the follow-up (static/dashboard/notes.js).
    var writable = !ended || (typeof D.noteMode === 'function' && D.noteMode());
    var active = document.activeElement;
    var focusLost = ended && (
      (!writable && (active === ui.input || active === ui.send)) || active === ui.menuButton || ui.menu.contains(active)
    );
    ui.ended.hidden = !ended;
    ui.input.disabled = !writable;
    ui.send.disabled = !writable;
    ui.menuButton.disabled = ended;
    ui.composer.classList.toggle('is-disabled', !writable);
    if (ended) {
      D.closeMenu(false);
      D.forgetTyping(chat.id);
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

  D.createLog = createLog;
  D.messageText = messageText;
  D.buildMessageNode = buildMessageNode;
  D.addMessage = addMessage;
  D.onMessage = onMessage;
  D.onAck = onAck;
  D.addPending = addPending;
  D.failPending = failPending;
  D.renderConversation = renderConversation;
  D.renderConversationState = renderConversationState;
  D.renderTyping = renderTyping;
}());
