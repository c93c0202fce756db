/*
 * The live chat in the widget: the customer's socket (static/common/socket.js
 * does the reliable part), the queue, the composer with its typing indicator,
 * ending the chat and writing again. Loaded by core.js (loadChat) after
 * socket.js, log.js and files.js. Offers window.helpdeskWidget.beginChat,
 * resumeChat and what the post-chat form needs (chatToken, chatStatus,
 * applyState, endChat, backToChat...).
 */
(function () {
  'use strict';

  var W = window.helpdeskWidget;
  var S = W.strings;
  var hooks = W.hooks;
  var log = W.log;
  var chat = W.chat;
  var TOKEN_KEY = W.tokenKey;
  // Typing: at most one "typing" frame every 2 s, and "stopped" after 3 s
  // without a key, so the agent's indicator neither floods nor sticks.
  var TYPING_THROTTLE_MS = 2000;
  var TYPING_IDLE_MS = 3000;
  // After the chat ended, the socket stays a moment for the ended event that
  // follows the state change, then hangs up.
  var HANG_UP_MS = 2000;

  function $(id) { return document.getElementById('hd-' + id); }

  var el = {
    agent: $('agent'), end: W.endButton, queue: $('queue'), queueText: $('queue-text'),
    ended: $('ended'), endedTitle: $('ended-title'), newChat: $('new'),
    writeAgain: $('write-again'), composer: $('composer'), message: $('message'), send: $('send'),
    dialog: W.dialog, dialogYes: $('dialog-yes'), dialogNo: $('dialog-no')
  };

  var endRequested = false;
  // The customer chose "Write again" in a chat the agent ended: the composer
  // is back, and the next message reopens the chat (docs/protocol.md).
  var reopening = false;

  var socket = window.HelpdeskSocket.open({
    path: '/ws/chat/',
    welcome: 'welcome',
    hello: function () {
      return { type: 'hello', token: chat.token, last_seq: chat.id ? socket.lastSeq(chat.id) : 0 };
    },
    onFrame: handleFrame,
    onDown: function (code) {
      if (code === 4401) {
        forgetUnknownChat();
        return 'stop';
      }
      if (!chat.token || (chat.status === 'ended' && !reopening)) return 'stop';
      if (code === 4429) {
        // Open in too many windows: try again slowly, in case some are closed.
        W.setConnection(S.too_many_windows);
        return 'slow';
      }
      W.setConnection(S.reconnecting);
    },
    storage: function () { return window.localStorage; },
    storageKey: TOKEN_KEY + '.outbox'
  });

  function setComposer(open) {
    el.composer.hidden = !open;
    el.message.disabled = !open;
    el.send.disabled = !open;
    W.files.setOpen(open);
  }

  // ---------------------------------------------------------------- chat state

  function resetChat() {
    socket.stop();
    socket.discard();
    socket.forget();
    chat.id = null;
    chat.token = null;
    chat.status = null;
    chat.agentName = '';
    endRequested = false;
    reopening = false;
    W.storageSet(TOKEN_KEY, null);
    W.storageSet(W.expiresKey, null);
    log.clear();
    W.files.reset();
    el.agent.hidden = true;
    el.agent.textContent = '';
    el.queue.hidden = true;
    log.hideTyping();
    W.setConnection('');
  }

  function beginChat(token, state) {
    chat.token = token;
    W.storageSet(TOKEN_KEY, token);
    log.clear();
    el.ended.hidden = true;
    setComposer(true);
    chat.status = null;
    socket.pending().forEach(log.pending);
    if (state) applyState(state);
    else W.setConnection(S.connecting);
    W.showScreen('chat', state ? el.message : null);
    socket.start();
  }

  /** A chat this browser left open (a reload, another page of the site) goes on. */
  function resumeChat() {
    var token = W.storageGet(TOKEN_KEY);
    if (!token) return;
    socket.restore();
    beginChat(token, null);
  }

  function applyState(state) {
    var previous = chat.status;
    // When an ended chat's token stops working, on this browser's clock (the
    // server gives the seconds left, so a wrong clock does not matter):
    // core.js forgets the chat after that. Gone again when the chat reopens.
    if (chat.token) {
      var left = state.token_expires_in_seconds;
      W.storageSet(W.expiresKey, typeof left === 'number' ? String(Date.now() + left * 1000) : null);
    }
    if (state.chat_id) chat.id = state.chat_id;
    chat.status = state.status;
    if (state.agent_name) chat.agentName = state.agent_name;
    if (state.status === 'active' && chat.agentName) {
      el.agent.textContent = W.format(S.chatting_with, { agent: chat.agentName });
      el.agent.hidden = false;
    }
    if (state.status === 'queued') {
      // Back in the queue (the agent left the channel): nobody to chat with yet.
      el.agent.hidden = true;
      showQueue(state.queue_text);
    } else {
      el.queue.hidden = true;
    }
    if (state.status === 'ended') {
      showEnded(state, previous !== 'ended' && previous !== null);
    } else if (!el.ended.hidden) {
      // Reopened (the customer wrote again): back to the composer.
      reopening = false;
      el.ended.hidden = true;
      setComposer(true);
    }
    el.end.hidden = !(W.currentScreen() === 'chat' && state.status !== 'ended');
    // The channel's file settings (static/widget/files.js): the chat may have moved to another channel.
    W.files.applyState(state);
    if (hooks.stateChanged) hooks.stateChanged(state);
  }

  function showQueue(text) {
    el.queueText.textContent = text || '';
    el.queue.hidden = false;
  }

  function showEnded(state, live) {
    log.hideTyping();
    // Who ended it is said once, by the "ended" event in the log (and announced from there).
    el.ended.hidden = false;
    el.agent.hidden = true;
    if (!state.can_reopen) reopening = false;
    el.writeAgain.hidden = !state.can_reopen || reopening;
    setComposer(reopening);
    el.end.hidden = true;
    if (el.dialog.open) el.dialog.close();
    if (!reopening) {
      // Messages never acknowledged cannot be delivered to an ended chat.
      socket.discard();
      log.failAll(S.not_sent);
      W.setConnection('');
      // Learnt over HTTP (the post-chat form) while the socket was down: no more reconnecting.
      if (!socket.isOpen()) socket.stop();
    }
    log.scrollToBottom();
    window.setTimeout(function () { if (chat.status === 'ended' && !reopening) socket.stop(); }, HANG_UP_MS);
    // The post-chat form (static/widget/postchat.js) shows itself here.
    if (hooks.ended) hooks.ended(state, live);
    var active = document.activeElement;
    if (live && (active === el.message || active === el.send || active === el.end || active === document.body)) {
      el.endedTitle.focus();
    }
    W.toParent('helpdesk:ended');
  }

  function forgetUnknownChat() {
    resetChat();
    el.ended.hidden = true;
    W.showChatGone();
  }

  // ---------------------------------------------------------------- frames

  function handleFrame(frame) {
    switch (frame.type) {
      case 'welcome':
        W.setConnection('');
        if (frame.state) applyState(frame.state);
        if (endRequested && (chat.status !== 'ended' || reopening)) socket.afterOutbox({ type: 'end' });
        break;
      case 'message':
        if (frame.message) log.render(frame.message);
        break;
      case 'ack':
        if (typeof frame.client_id === 'string') log.acked(frame.client_id);
        break;
      case 'state':
        if (frame.state) applyState(frame.state);
        break;
      case 'queue':
        if (chat.status === 'queued') {
          showQueue(frame.text);
          // The offer to leave a request may change as the queue moves.
          if (hooks.stateChanged) {
            hooks.stateChanged({ status: 'queued', request_offer_in_seconds: frame.request_offer_in_seconds });
          }
        }
        break;
      case 'typing':
        if (frame.party === 'agent') {
          if (frame.active) log.showTyping(frame.name);
          else log.hideTyping(frame.name);
        }
        break;
      case 'error':
        // Errors that a resend can heal never get here (the socket retries).
        if (typeof frame.client_id !== 'string') break;
        if (frame.code === 'chat_ended' && reopening) {
          // Too late to reopen (or already rated): the chat stays ended.
          reopening = false;
          setComposer(false);
        }
        log.failed(frame.client_id, frame.message || frame.code);
        break;
      default:
        break;  // anything newer
    }
  }

  // ---------------------------------------------------------------- typing

  var typingSentAt = 0;
  var typingActive = false;
  var typingIdleTimer = null;

  function stopTyping() {
    window.clearTimeout(typingIdleTimer);
    if (typingActive) {
      typingActive = false;
      typingSentAt = 0;
      socket.send({ type: 'typing', active: false });
    }
  }

  el.message.addEventListener('input', function () {
    if (!el.message.value.trim()) { stopTyping(); return; }
    var now = Date.now();
    if (now - typingSentAt >= TYPING_THROTTLE_MS && socket.send({ type: 'typing', active: true })) {
      typingSentAt = now;
      typingActive = true;
    }
    window.clearTimeout(typingIdleTimer);
    typingIdleTimer = window.setTimeout(stopTyping, TYPING_IDLE_MS);
  });

  // ---------------------------------------------------------------- composer

  W.enterSubmits(el.message, el.composer);

  el.composer.addEventListener('submit', function (event) {
    event.preventDefault();
    var body = el.message.value.trim();
    if (!body || (chat.status === 'ended' && !reopening)) return;
    el.message.value = '';
    stopTyping();
    log.pending(socket.post({ body: body }));
    el.message.focus();
  });

  // ---------------------------------------------------------------- ending

  var dialogReturn = null;

  el.end.addEventListener('click', function () {
    // With the post-chat form on, closing an active chat shows the form first.
    if (hooks.beforeEnd && hooks.beforeEnd({ status: chat.status })) return;
    dialogReturn = el.end;
    if (typeof el.dialog.showModal === 'function') el.dialog.showModal();
    else el.dialog.setAttribute('open', '');
    el.dialogNo.focus();
  });

  function closeDialog() {
    if (el.dialog.open) {
      if (typeof el.dialog.close === 'function') el.dialog.close();
      else el.dialog.removeAttribute('open');
    }
  }

  el.dialog.addEventListener('close', function () {
    // "close" comes in a task of its own: a dialog opened again meanwhile is not closed.
    if (el.dialog.open) return;
    if (chat.status !== 'ended' && dialogReturn && !dialogReturn.hidden) dialogReturn.focus();
    dialogReturn = null;
  });

  el.dialog.addEventListener('keydown', function (event) {
    if (event.key === 'Escape') {
      event.preventDefault();
      event.stopPropagation();
      closeDialog();
    }
  });

  // On the document, not the dialog: focus may have fallen to the body (a click on the dialog's text).
  document.addEventListener('keydown', function (event) {
    if (event.key === 'Tab' && el.dialog.open) keepFocusInDialog(event);
  });

  /**
   * showModal() makes the rest of the widget inert, but Tab past the
   * dialog's last button still leaves the document: in the iframe, into the
   * host page behind the modal. So Tab and Shift+Tab wrap at its ends.
   */
  function keepFocusInDialog(event) {
    var controls = Array.prototype.filter.call(
      el.dialog.querySelectorAll('button, [href], input, select, textarea'),
      function (control) { return !control.disabled && !control.hidden; }
    );
    if (!controls.length) return;
    var first = controls[0];
    var last = controls[controls.length - 1];
    var active = document.activeElement;
    var inside = el.dialog.contains(active) && active !== el.dialog;
    if (event.shiftKey && (active === first || !inside)) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && (active === last || !inside)) {
      event.preventDefault();
      first.focus();
    }
  }

  el.dialogNo.addEventListener('click', closeDialog);

  el.dialogYes.addEventListener('click', function () {
    dialogReturn = null;
    closeDialog();
    endChat();
  });

  function endChat() {
    endRequested = true;
    // After the messages still in the outbox, which an ended chat would refuse;
    // without a connection, right after the next welcome.
    if (!socket.afterOutbox({ type: 'end' })) socket.start();
  }

  el.writeAgain.addEventListener('click', function () {
    reopening = true;
    el.writeAgain.hidden = true;
    setComposer(true);
    el.message.focus();
    socket.resetBackoff();
    socket.start();
  });

  /**
   * For core.js (W.forget): the chat is dropped from the screen, the socket
   * and storage. A chat still going on is ended first, so its agent is not
   * left waiting for someone who has gone.
   */
  function forgetChat() {
    if (chat.token && chat.status !== 'ended') socket.send({ type: 'end' });
    resetChat();
    el.ended.hidden = true;
    if (el.dialog.open) closeDialog();
  }

  el.newChat.addEventListener('click', function () {
    resetChat();
    el.ended.hidden = true;
    W.showScreen('form', W.firstFormFocus());
  });

  // For prechat.js, core.js and the post-chat form (static/widget/postchat.js):
  // hooks beforeEnd({status}) -> true when handled, ended(state, live).
  W.beginChat = beginChat;
  W.forgetChat = forgetChat;
  W.resumeChat = resumeChat;
  W.messageBox = el.message;
  W.chatToken = function () { return chat.token; };
  W.chatStatus = function () { return chat.status; };
  W.applyState = applyState;
  W.endChat = endChat;
  W.backToChat = function () { W.showScreen('chat', el.message); };
  W.endedBox = el.ended;
  W.newChatButton = el.newChat;
  W.writeAgainButton = el.writeAgain;
})();
