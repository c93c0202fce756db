/*
 * What the agent does in the open chat: writing (Enter sends, through the
 * socket's outbox), the typing indicator the customer sees, and the chat
 * menu (a keyboard-operable menu button) with "Create request" and "End
 * chat" behind a confirmation dialog. Offers stopTyping, forgetTyping,
 * typingIndicator and closeMenu.
 */
(function () {
  'use strict';

  var D = window.helpdeskDashboard;
  var state = D.state;
  var ui = D.ui;
  // Typing: at most one frame every 2 s while typing, "stopped" after 3 s
  // idle or on send, so the customer's indicator neither floods nor sticks.
  var TYPING_THROTTLE_MS = 2000;
  var TYPING_IDLE_MS = 3000;

  function selected() {
    return state.chats.get(state.selectedId);
  }

  // ---------------------------------------------------------------------------
  // Sending

  function sendMessage() {
    var chat = selected();
    if (!chat) { return; }
    var body = ui.input.value.trim();
    if (!body) { return; }
    // First the workspace's parts: a note may still be written to an ended chat.
    for (var i = 0; i < D.beforeSend.length; i++) {
      if (D.beforeSend[i](chat, body)) {
        ui.input.value = '';
        chat.draft = '';
        stopTyping();
        return;
      }
    }
    if (chat.status === 'ended') { return; }
    ui.input.value = '';
    chat.draft = '';
    stopTyping();
    var item = D.socket.post({ chat_id: chat.id, body: body });
    D.addPending(chat, item.client_id, body);
  }

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

  // ---------------------------------------------------------------------------
  // Typing

  /**
   * The typing indicator the customer sees, for one composer (this one, and
   * a manager's who joined a chat: listen.js). `stillOpen(chatId)` says
   * whether a "stopped" frame still means anything for that chat.
   */
  function typingIndicator(stillOpen) {
    var typing = { chatId: null, active: false, lastSent: 0, idleTimer: null };

    function stop() {
      clearTimeout(typing.idleTimer);
      typing.idleTimer = null;
      if (typing.active && typing.chatId !== null && stillOpen(typing.chatId)) {
        D.socket.send({ type: 'typing', chat_id: typing.chatId, active: false });
      }
      typing.active = false;
      typing.chatId = null;
      typing.lastSent = 0;
    }

    /** The composer of chat `chatId` now holds `text`. */
    function input(chatId, text) {
      if (!text.trim()) {
        stop();
        return;
      }
      var now = Date.now();
      if (typing.chatId !== chatId) { stop(); }
      if (!typing.active || now - typing.lastSent >= TYPING_THROTTLE_MS) {
        if (D.socket.send({ type: 'typing', chat_id: chatId, active: true })) {
          typing.chatId = chatId;
          typing.active = true;
          typing.lastSent = now;
        }
      }
      clearTimeout(typing.idleTimer);
      typing.idleTimer = setTimeout(stop, TYPING_IDLE_MS);
    }

    /** The chat ended: its typing state goes without a frame (the server has closed it anyway). */
    function forget(chatId) {
      if (typing.chatId === chatId) {
        typing.active = false;
        stop();
      }
    }

    return {
      input: input,
      stop: stop,
      forget: forget,
      stopFor: function (chatId) { if (typing.chatId === chatId) { stop(); } }
    };
  }

  var typing = typingIndicator(function (chatId) {
    var chat = state.chats.get(chatId);
    return !!chat && chat.status !== 'ended';
  });
  var stopTyping = typing.stop;

  function onComposerInput() {
    var chat = selected();
    if (!chat || chat.status === 'ended') { return; }
    chat.draft = ui.input.value;
    typing.input(chat.id, ui.input.value);
  }

  ui.input.addEventListener('input', onComposerInput);
  ui.input.addEventListener('blur', function () {
    if (!ui.input.value.trim()) { stopTyping(); }
  });

  // ---------------------------------------------------------------------------
  // Chat menu

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
    if (!ui.menu.hidden && !ui.menuWrap.contains(event.target)) { closeMenu(false); }
  });

  // Turn the chat into a request: its ID comes back as an event in the log.
  ui.createRequestItem.addEventListener('click', function () {
    var chat = selected();
    closeMenu(true);
    if (chat && chat.status !== 'ended') { D.socket.send({ type: 'create_request', chat_id: chat.id }); }
  });

  // ---------------------------------------------------------------------------
  // Ending

  ui.endItem.addEventListener('click', function () {
    var chatId = state.selectedId;
    closeMenu(false);
    confirmEnd(function (yes) {
      if (yes) {
        var chat = state.chats.get(chatId);
        if (chat && chat.status !== 'ended') {
          typing.stopFor(chatId);
          // After the agent's messages still waiting their turn, which the ended chat would refuse.
          D.socket.afterOutbox({ type: 'end', chat_id: chatId });
        }
      }
      // When the chat_state arrives the button is disabled and focus moves on (renderConversationState).
      if (!ui.menuButton.disabled) { ui.menuButton.focus(); }
    });
  });

  // One question at a time: asking again (the shortcut while a stale close is
  // still on its way) answers the earlier question "no" first.
  var pendingEnd = null;

  if (ui.endDialog && typeof ui.endDialog.showModal === 'function') {
    D.onDialogClosed(ui.endDialog, function () {
      var done = pendingEnd;
      pendingEnd = null;
      if (done) { done(ui.endDialog.returnValue === 'end'); }
    });
  }

  function confirmEnd(done) {
    var dialog = ui.endDialog;
    if (!dialog || typeof dialog.showModal !== 'function') {
      done(window.confirm(D.t('confirm_end')));
      return;
    }
    var earlier = pendingEnd;
    pendingEnd = null;
    if (earlier) { earlier(false); }
    pendingEnd = done;
    dialog.returnValue = '';
    if (!dialog.open) { dialog.showModal(); }
    ui.endDialogCancel.focus();
  }

  D.stopTyping = stopTyping;
  D.forgetTyping = typing.forget;
  D.typingIndicator = typingIndicator;
  D.closeMenu = closeMenu;
}());
