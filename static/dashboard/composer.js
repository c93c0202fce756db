/*
 * What the agent does in the open chat: writing (Enter sends, through the
 * socket's outbox), the typing indicator the customer sees, and the chat
 * menu (a keyboard-operable menu button) with "Create request" and "End
 * chat" behind a confirmation dialog. Offers stopTyping, forgetTyping and
 * closeMenu.
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
    if (!chat || chat.status === 'ended') { return; }
    var body = ui.input.value.trim();
    if (!body) { return; }
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

  var typing = { chatId: null, active: false, lastSent: 0, idleTimer: null };

  function onComposerInput() {
    var chat = selected();
    if (!chat || chat.status === 'ended') { return; }
    chat.draft = ui.input.value;
    if (!ui.input.value.trim()) {
      stopTyping();
      return;
    }
    var now = Date.now();
    if (typing.chatId !== chat.id) { stopTyping(); }
    if (!typing.active || now - typing.lastSent >= TYPING_THROTTLE_MS) {
      if (D.socket.send({ type: 'typing', chat_id: chat.id, active: true })) {
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
        D.socket.send({ type: 'typing', chat_id: typing.chatId, active: false });
      }
    }
    typing.active = false;
    typing.chatId = null;
    typing.lastSent = 0;
  }

  /** The chat ended: its typing state goes without a frame (the server has closed it anyway). */
  function forgetTyping(chatId) {
    if (typing.chatId === chatId) {
      typing.active = false;
      stopTyping();
    }
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
          if (typing.chatId === chatId) { stopTyping(); }
          // After the agent's messages still waiting their turn, which the ended chat would refuse.
          D.socket.afterOutbox({ type: 'end', chat_id: chatId });
        }
      }
      // When the chat_state arrives the button is disabled and focus moves on (renderConversationState).
      if (!ui.menuButton.disabled) { ui.menuButton.focus(); }
    });
  });

  function confirmEnd(done) {
    var dialog = ui.endDialog;
    if (!dialog || typeof dialog.showModal !== 'function') {
      done(window.confirm(D.t('confirm_end')));
      return;
    }
    var onClose = function () {
      dialog.removeEventListener('close', onClose);
      done(dialog.returnValue === 'end');
    };
    dialog.returnValue = '';
    dialog.addEventListener('close', onClose);
    dialog.showModal();
    ui.endDialogCancel.focus();
  }

  D.stopTyping = stopTyping;
  D.forgetTyping = forgetTyping;
  D.closeMenu = closeMenu;
}());
