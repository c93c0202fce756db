/*
 * Internal notes (docs/protocol.md, "Internal notes and FAQ entries"): a
 * toggle turns the composer into note mode, and Send then goes to the `note`
 * frame (through D.beforeSend) instead of the customer; an ended chat's
 * composer opens in note mode only, for the follow-up. Notes show in the
 * chat's log at their time, marked "Internal note"; the log is an aria-live
 * region, so they are announced. Notes and FAQ entries are not `send`
 * frames, so the socket's own outbox does not keep them: this file keeps
 * its own (per tab, in sessionStorage) and sends what is not acked again
 * after every hello. Offers D.workspaceOutbox.post(frame) (faq.js uses it)
 * and D.noteMode() (conversation.js asks it whether an ended chat's
 * composer is open).
 */
(function () {
  'use strict';

  var D = window.helpdeskDashboard;
  var state = D.state;
  var ui = D.ui;
  var t = D.t;
  var el = D.el;
  var STORAGE_KEY = 'helpdesk.dashboard.workspace-outbox';

  var toggle = document.getElementById('note-toggle');
  var label = ui.composer.querySelector('.composer__label');
  var messageLabel = label.textContent;

  // ---------------------------------------------------------------------------
  // The outbox of note and send_faq frames

  var outbox = [];
  try {
    outbox = JSON.parse(window.sessionStorage.getItem(STORAGE_KEY) || '[]');
    if (!Array.isArray(outbox)) { outbox = []; }
  } catch (e) { outbox = []; }

  function save() {
    try {
      if (outbox.length) { window.sessionStorage.setItem(STORAGE_KEY, JSON.stringify(outbox)); } else { window.sessionStorage.removeItem(STORAGE_KEY); }
    } catch (e) { /* blocked storage: the outbox lives in memory only */ }
  }

  function post(frame) {
    frame.client_id = window.HelpdeskSocket.newClientId();
    outbox.push(frame);
    save();
    D.socket.send(frame);  // when down, it goes after the next hello
    return frame;
  }

  function settle(clientId) {
    for (var i = 0; i < outbox.length; i++) {
      if (outbox[i].client_id === clientId) {
        var frame = outbox.splice(i, 1)[0];
        save();
        return frame;
      }
    }
    return null;
  }

  // Every answer to a hello (a new connection): what was not acked goes again.
  // The server stores each client id once.
  D.on('state', function () {
    outbox.forEach(function (frame) { D.socket.send(frame); });
  });

  // Acks and errors of these frames are the socket's ordinary `ack` and
  // `error` frames: hear them before the page's own handler does. The socket
  // is connection.js's, which runs after this file; frames arrive only after
  // the page has started, so DOMContentLoaded is early enough.
  document.addEventListener('DOMContentLoaded', function () {
    var pageHandler = D.socket.options.onFrame;
    D.socket.options.onFrame = function (frame, item) {
      var settles = frame.type === 'ack' || frame.type === 'error' || frame.type === 'note_ack';
      var mine = settles && frame.client_id ? settle(frame.client_id) : null;
      if (mine && frame.type === 'error') { refused(mine, frame); }
      if (frame.type === 'note_ack') { return; }
      pageHandler(frame, item);
    };
  });

  D.on('message', function (chat, message) {
    if (message.client_id) { settle(message.client_id); }
  });

  function refused(frame, error) {
    var reason = error.message || error.code || '';
    if (frame.type === 'note') {
      var chat = state.chats.get(frame.chat_id);
      var node = chat && pendingNode(chat, frame.client_id);
      if (node) {
        node.classList.remove('msg--pending');
        node.classList.add('msg--failed');
        node.querySelector('.msg__status').textContent = t('note_failed', { reason: reason });
      }
    }
    D.emit('workspace-refused', frame, error);
  }

  D.workspaceOutbox = { post: post, pending: function () { return outbox.slice(); } };

  // ---------------------------------------------------------------------------
  // Note mode

  function setNoteMode(on) {
    toggle.checked = on;
    ui.composer.classList.toggle('composer--note', on);
    label.textContent = on ? t('note_label') : messageLabel;
    // An ended chat's composer opens for a note and closes again without one.
    if (D.state.selectedId !== null) { D.renderConversationState(); }
  }

  D.noteMode = function () { return toggle.checked; };

  toggle.addEventListener('change', function () {
    setNoteMode(toggle.checked);
    ui.input.focus();
  });
  // A note meant for one chat must not go to the customer of the next one by mistake.
  D.on('select', function () { setNoteMode(false); });

  D.beforeSend.push(function (chat, body) {
    if (!toggle.checked) { return false; }
    var frame = post({ type: 'note', chat_id: chat.id, body: body });
    addPendingNote(chat, frame);
    return true;
  });

  // ---------------------------------------------------------------------------
  // Notes in the log

  function chatNotes(chat) {
    if (!chat.notes) { chat.notes = new Map(); }
    return chat.notes;
  }

  function pendingNode(chat, clientId) {
    var nodes = chat.log.querySelectorAll('.msg--note[data-client-id]');
    for (var i = 0; i < nodes.length; i++) {
      if (nodes[i].dataset.clientId === clientId) { return nodes[i]; }
    }
    return null;
  }

  function buildNote(authorName, body, createdAt) {
    var node = el('div', 'msg msg--note');
    var meta = el('div', 'msg__meta');
    meta.appendChild(el('span', 'msg__badge', t('internal_note')));
    meta.appendChild(el('span', 'msg__author', authorName));
    meta.appendChild(el('span', 'msg__time', createdAt ? D.formatClock(createdAt) : ''));
    node.appendChild(meta);
    node.appendChild(el('p', 'msg__body', body));
    return node;
  }

  function addPendingNote(chat, frame) {
    var node = buildNote(chat.agentName || D.config.agentName || '', frame.body, null);
    node.classList.add('msg--pending');
    node.querySelector('.msg__time').replaceWith(el('span', 'msg__status', t('not_sent')));
    node.dataset.clientId = frame.client_id;
    chat.log.appendChild(node);
    D.scrollDown(chat.log);
  }

  /**
   * The seq a note sits after: that of the last message written before it. Its
   * node carries seq + 0.5, so that conversation.js places later messages after
   * it and earlier ones before it.
   */
  function seqBefore(chat, createdAt) {
    var at = D.parseTime(createdAt);
    var before = 0;
    chat.messages.forEach(function (message, seq) {
      var time = D.parseTime(message.created_at);
      if (time !== null && at !== null && time <= at && seq > before) { before = seq; }
    });
    return before;
  }

  function placeNote(chat, node, position) {
    var log = chat.log;
    var child = log.lastElementChild;
    while (child && (child.classList.contains('msg--pending') || Number(child.dataset.seq) > position)) {
      child = child.previousElementSibling;
    }
    log.insertBefore(node, child ? child.nextElementSibling : log.firstElementChild);
  }

  function addNote(chatId, note, live) {
    var chat = state.chats.get(chatId);
    if (!chat || !note || typeof note.id !== 'number' || chatNotes(chat).has(note.id)) { return; }
    chatNotes(chat).set(note.id, note);
    var stick = D.isScrolledDown(chat.log);
    var node = buildNote(note.author_name || '', note.body || '', note.created_at);
    node.dataset.noteId = String(note.id);
    node.dataset.seq = String(seqBefore(chat, note.created_at) + 0.5);
    var pending = note.client_id ? pendingNode(chat, note.client_id) : null;
    if (pending) {
      pending.parentNode.replaceChild(node, pending);
    } else {
      placeNote(chat, node, Number(node.dataset.seq));
    }
    if (stick) { D.scrollDown(chat.log); }
    // The log of the chat on screen is an aria-live region: a note arriving
    // there is announced with its "Internal note" mark.
    D.emit('note', chat, note, live);
  }

  D.frameHandlers.note = function (frame) { addNote(frame.chat_id, frame.note, true); };
  D.frameHandlers.notes = function (frame) {
    (frame.notes || []).forEach(function (note) { addNote(frame.chat_id, note, false); });
  };

  // What a previous page of this tab left unsent shows as pending again.
  D.on('chat', function (chat) {
    outbox.forEach(function (frame) {
      if (frame.type === 'note' && frame.chat_id === chat.id && chat.log && !pendingNode(chat, frame.client_id)) {
        addPendingNote(chat, frame);
      }
    });
  });
}());
