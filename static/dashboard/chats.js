/*
 * "My chats": a record per chat of the agent (from `state`, `chat` and
 * `chat_state` frames), the list with unread counts and typing, choosing
 * one, and what has been read. An ended chat leaves the list at once (it is
 * in "Recent chats", static/dashboard/live.js); the selected one stays shown,
 * read-only, until the agent picks another or closes it.
 * Offers upsertChat, onChat, onChatState, onTyping, onRead, markRead,
 * unreadCount, renderChatList, renderChatItem and selectChat.
 */
(function () {
  'use strict';

  var D = window.helpdeskDashboard;
  var state = D.state;
  var ui = D.ui;
  var t = D.t;
  var el = D.el;
  // A customer who stopped typing without a word may have closed the tab:
  // the notice goes away by itself after this long.
  var CUSTOMER_TYPING_HIDE_MS = 6000;
  // A `chat` frame this soon after this tab's take is the answer to it (and
  // opens the chat); later, or unasked, it is an assignment that rings.
  var OWN_TAKE_WINDOW_MS = 8000;

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
      D.createLog(chat);
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
      early.forEach(function (message) { D.addMessage(chat, message); });
    }
    // Messages of this chat still waiting in the outbox (e.g. after a reload).
    D.socket.pending().forEach(function (item) {
      if (item.chat_id === chat.id && !chat.pending.has(item.client_id)) {
        D.addPending(chat, item.client_id, item.body);
      }
    });
    renderChatItem(chat);
    if (chat.id === state.selectedId) { D.renderConversation(); }
    chat.summary = summary;
    D.emit('chat', chat, summary);
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
      if (seenWaiting && !reopened) { D.updateTitle(); } else { D.notify(); }
    }
    if (reopened && chat.id === state.selectedId) { D.renderConversation(); }
    D.updateTitle();
  }

  function onChatState(frame) {
    var chat = state.chats.get(frame.chat_id);
    if (!chat || !frame.state) { return; }
    applyState(chat, frame.state);
    renderChatItem(chat);
    renderChatList();
    if (chat.id === state.selectedId) { D.renderConversation(); }
    D.updateTitle();
    D.emit('chat-state', chat, frame.state);
  }

  /** The chats the server lists after a hello; one we hold as open that it no longer lists ended while we were away. */
  function syncChats(summaries) {
    var open = new Set();
    summaries.forEach(function (summary) {
      open.add(summary.id);
      upsertChat(summary);
    });
    state.chats.forEach(function (chat) {
      if (chat.status !== 'ended' && !open.has(chat.id)) {
        chat.status = 'ended';
        renderChatItem(chat);
        if (chat.id === state.selectedId) { D.renderConversation(); }
      }
    });
  }

  function onTyping(frame) {
    var chat = state.chats.get(frame.chat_id);
    if (!chat || frame.party !== 'customer') { return; }
    clearTimeout(chat.typingTimer);
    chat.customerTyping = !!frame.active && chat.status !== 'ended';
    if (chat.customerTyping) {
      chat.typingTimer = setTimeout(function () {
        chat.customerTyping = false;
        D.renderTyping();
        renderChatItem(chat);
      }, CUSTOMER_TYPING_HIDE_MS);
    }
    D.renderTyping();
    renderChatItem(chat);
  }

  // ---------------------------------------------------------------------------
  // Read and unread

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
    D.updateTitle();
  }

  function markRead(chat) {
    if (chat.lastSeq > chat.readSeq) { chat.readSeq = chat.lastSeq; }
    if (chat.readSeq > chat.sentReadSeq && chat.status !== 'ended') {
      if (D.socket.send({ type: 'read', chat_id: chat.id, seq: chat.readSeq })) {
        chat.sentReadSeq = chat.readSeq;
      }
    }
    renderChatItem(chat);
    D.updateTitle();
  }

  document.addEventListener('visibilitychange', function () {
    if (D.pageVisible()) {
      var chat = state.chats.get(state.selectedId);
      if (chat) { markRead(chat); }
    }
  });

  // ---------------------------------------------------------------------------
  // The list

  function renderChatList() {
    releaseEndedChats();
    var visible = 0;
    state.order.forEach(function (id) {
      var chat = state.chats.get(id);
      if (!chat) { return; }
      if (!chat.item) { renderChatItem(chat); }
      if (chat.status === 'ended') { return; }
      if (chat.item.parentNode !== ui.chatList) { ui.chatList.appendChild(chat.item); }
      visible += 1;
    });
    ui.chatsEmpty.hidden = visible > 0;
    ui.chatList.hidden = visible === 0;
    var open = 0;
    state.chats.forEach(function (chat) { if (chat.status !== 'ended') { open += 1; } });
    ui.chatsCount.textContent = String(open);
  }

  function buildChatItem(chat) {
    var li = el('li', 'chats__item');
    var open = el('button', 'chats__open');
    open.type = 'button';
    var top = el('span', 'chats__top');
    top.appendChild(el('span', 'chats__name'));
    top.appendChild(el('span', 'badge badge--unread'));
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
    return li;
  }

  function renderChatItem(chat) {
    if (!chat.item) { chat.item = buildChatItem(chat); }
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
    if (ended && item.parentNode) {
      // Out of "My chats" at once; should focus have been on it, it goes to the next chat.
      var hadFocus = item.contains(document.activeElement);
      var next = item.nextElementSibling || item.previousElementSibling;
      item.parentNode.removeChild(item);
      if (hadFocus) { ((next && next.querySelector('.chats__open')) || ui.takeNext).focus(); }
    }
  }

  function selectChat(id, options) {
    var chat = state.chats.get(id);
    if (!chat) { return; }
    var previous = state.chats.get(state.selectedId);
    if (previous && previous.id !== id) {
      previous.draft = ui.input.value;
      D.stopTyping();
    }
    state.selectedId = id;
    // An ended chat that stayed shown is let go once the agent looks elsewhere.
    releaseEndedChats();
    state.chats.forEach(function (other) {
      if (other.log) { other.log.hidden = other.id !== id; }
      renderChatItem(other);
    });
    ui.input.value = chat.draft || '';
    D.closeMenu(false);
    D.renderConversation();
    D.scrollDown(chat.log);
    if (D.pageVisible()) { markRead(chat); }
    if (options && options.focusComposer && !ui.input.disabled) {
      ui.input.focus();
    }
    D.emit('select', chat);
  }

  /** Ended chats leave the page's records, except the one shown. */
  function releaseEndedChats() {
    state.chats.forEach(function (chat) {
      if (chat.status === 'ended' && chat.id !== state.selectedId) { forgetChat(chat.id); }
    });
  }

  function forgetChat(id) {
    var chat = state.chats.get(id);
    if (chat.item && chat.item.parentNode) { chat.item.parentNode.removeChild(chat.item); }
    if (chat.log && chat.log.parentNode) { chat.log.parentNode.removeChild(chat.log); }
    clearTimeout(chat.typingTimer);
    state.chats.delete(id);
    state.order = state.order.filter(function (other) { return other !== id; });
    state.dismissed.add(id);
    // Should the customer write again, the chat comes back with its whole log.
    D.socket.forget(id);
    D.emit('chat-forgotten', id);
  }

  /** The "Close" of an ended chat shown read-only. */
  function dismissChat(id) {
    var chat = state.chats.get(id);
    if (!chat || chat.status !== 'ended') { return; }
    var hadFocus = chat.item && chat.item.contains(document.activeElement);
    var wasSelected = state.selectedId === id;
    forgetChat(id);
    if (wasSelected) {
      state.selectedId = null;
      D.renderConversation();
    }
    renderChatList();
    D.updateTitle();
    if (hadFocus || wasSelected) {
      var first = ui.chatList.querySelector('.chats__open');
      (first || ui.takeNext).focus();
    }
  }

  ui.dismiss.addEventListener('click', function () {
    if (state.selectedId !== null) { dismissChat(state.selectedId); }
  });

  D.upsertChat = upsertChat;
  D.syncChats = syncChats;
  D.onChat = onChat;
  D.onChatState = onChatState;
  D.onTyping = onTyping;
  D.onRead = onRead;
  D.markRead = markRead;
  D.unreadCount = unreadCount;
  D.renderChatList = renderChatList;
  D.renderChatItem = renderChatItem;
  D.selectChat = selectChat;
}());
