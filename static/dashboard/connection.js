/*
 * The dashboard's socket to /ws/agent/ (docs/protocol.md): the hello with the
 * last seq of every open chat, the connection status, and each frame from
 * the server handed to the part it is about. Reconnecting, the watchdog, the
 * outbox and dropping repeats are static/common/socket.js's. Offers socket
 * and setConnection.
 */
(function () {
  'use strict';

  var D = window.helpdeskDashboard;
  var state = D.state;
  var ui = D.ui;

  function setConnection(kind) {
    ui.connection.dataset.state = kind;
    ui.connection.textContent = D.t(kind);
    ui.presenceSelect.disabled = kind !== 'connected';
  }

  var socket = window.HelpdeskSocket.open({
    path: '/ws/agent/',
    welcome: 'state',
    hello: function () {
      var seen = {};
      state.chats.forEach(function (chat) {
        if (chat.status !== 'ended') { seen[String(chat.id)] = socket.lastSeq(chat.id); }
      });
      return { type: 'hello', chats: seen };
    },
    onFrame: handleFrame,
    onDown: function (code) {
      // 4401: not logged in (any more); 4403: no longer an agent of any channel.
      if (code === 4401 || code === 4403) {
        setConnection(code === 4401 ? 'logged_out' : 'not_an_agent');
        return 'stop';
      }
      setConnection('reconnecting');
    },
    // Per tab: a second dashboard of the same agent has an outbox of its own.
    storage: function () { return window.sessionStorage; },
    storageKey: 'helpdesk.dashboard.outbox'
  });

  function handleFrame(frame, item) {
    switch (frame.type) {
      case 'state': onState(frame); break;
      case 'queue': D.onQueue(frame.queue || []); break;
      case 'chat': D.onChat(frame); break;
      case 'chat_state': D.onChatState(frame); break;
      case 'message': D.onMessage(frame.chat_id, frame.message); break;
      case 'ack': D.onAck(frame, item); break;
      case 'typing': D.onTyping(frame); break;
      case 'presence': D.setPresence(frame.status); break;
      case 'read': D.onRead(frame); break;
      case 'error': onError(frame, item); break;
      default:
        if (Object.prototype.hasOwnProperty.call(D.frameHandlers, frame.type)) {
          D.frameHandlers[frame.type](frame, item);
        }
        break;
    }
  }

  /** The answer to hello: who the agent is, the queue and the open chats. */
  function onState(frame) {
    setConnection('connected');
    D.setPresence(frame.presence);
    D.syncChats(frame.chats || []);
    D.onQueue(frame.queue || [], true);
    D.renderChatList();
    D.emit('state', frame);
  }

  /** Errors a resend can heal never get here (the socket retries them); `item` is the message refused for good. */
  function onError(frame, item) {
    var message = frame.message || frame.code || '';
    if (item) {
      var chat = state.chats.get(item.chat_id);
      if (chat) { D.failPending(chat, item.client_id, message); }
    }
    if (frame.code === 'rate_limited' && !frame.client_id) { return; }
    if (frame.code === 'chat_taken' || frame.code === 'at_limit' || frame.code === 'queue_empty' || frame.code === 'chat_ended') {
      state.takeRequested = null;
    }
    D.showAlert(message);
  }

  D.socket = socket;
  D.setConnection = setConnection;
}());
