/*
 * Handing a chat on (docs/protocol.md, "Transfers and reassignment"): the
 * chat menu's "Transfer…" opens a dialog to choose a present colleague of
 * the chat's channel (with their load, from team.js) or another channel's
 * queue, with an optional note. The receiver gets an offer dialog with the
 * customer, the note, a countdown and Accept / Decline. The sender sees the
 * open offer above the log (and may withdraw it), and is told how it ended;
 * a chat that went to someone else leaves "My chats".
 * Emits 'transfer-offered' (offer) when an offer arrives.
 */
(function () {
  'use strict';

  var D = window.helpdeskDashboard;
  var state = D.state;
  var ui = D.ui;
  var t = D.t;
  var el = D.el;
  function $(id) { return document.getElementById(id); }

  var menuItem = $('transfer-item');
  var dialog = $('transfer-dialog');
  var kindAgent = $('transfer-kind-agent');
  var kindChannel = $('transfer-kind-channel');
  var agentField = $('transfer-agent-field');
  var agentSelect = $('transfer-agent');
  var agentNone = $('transfer-agent-none');
  var channelField = $('transfer-channel-field');
  var channelSelect = $('transfer-channel');
  var note = $('transfer-note');
  var formError = $('transfer-error');
  var submit = $('transfer-submit');
  var offerDialog = $('offer-dialog');
  var offerDetail = $('offer-dialog-detail');
  var offerNote = $('offer-dialog-note');
  var offerCountdown = $('offer-dialog-countdown');
  var liveStatus = $('transfer-status');
  var waitingList = $('transfer-offers');

  var transferChatId = null;   // the chat the transfer dialog is for
  var outgoing = new Map();    // chat id -> pending transfer this agent sent
  var offers = [];             // offers waiting for this agent's answer, oldest first
  var shownOffer = null;
  var unanswered = new Map();  // offers closed with Escape and not over yet
  var countdownTimer = null;

  // ---------------------------------------------------------------------------
  // The transfer dialog

  function teamChannel(chat) {
    var team = D.team;
    if (!team || !chat) { return null; }
    return (team.channels || []).filter(function (c) { return c.id === chat.summary.channel_id; })[0] || null;
  }

  function fillAgents(chat) {
    agentSelect.textContent = '';
    var channel = teamChannel(chat);
    var me = D.config.agentId;
    (channel ? channel.members : []).forEach(function (member) {
      if (!member.available || member.id === me || member.open_chats >= channel.max_chats) { return; }
      var option = el('option', '', t('team_agent_option', { name: member.name, open: member.open_chats, max: channel.max_chats }));
      option.value = String(member.id);
      agentSelect.appendChild(option);
    });
    agentNone.hidden = agentSelect.options.length > 0;
  }

  function fillChannels(chat) {
    channelSelect.textContent = '';
    var destinations = (D.team && D.team.destinations) || [];
    destinations.forEach(function (channel) {
      if (channel.id === chat.summary.channel_id) { return; }
      var option = el('option', '', channel.name);
      option.value = String(channel.id);
      channelSelect.appendChild(option);
    });
  }

  function showKind() {
    var toAgent = kindAgent.checked;
    agentField.hidden = !toAgent;
    channelField.hidden = toAgent;
    formError.textContent = '';
  }

  function openTransfer() {
    var chat = state.chats.get(state.selectedId);
    if (!chat || chat.status !== 'active') { return; }
    transferChatId = chat.id;
    fillAgents(chat);
    fillChannels(chat);
    note.value = '';
    formError.textContent = '';
    kindAgent.checked = true;
    showKind();
    dialog.returnValue = '';
    dialog.showModal();
    (agentSelect.options.length ? agentSelect : kindAgent).focus();
  }

  kindAgent.addEventListener('change', showKind);
  kindChannel.addEventListener('change', showKind);

  // The lists follow the team while the dialog is open.
  D.on('team', function () {
    var chat = state.chats.get(transferChatId);
    if (!dialog.open || !chat) { return; }
    var chosen = agentSelect.value;
    fillAgents(chat);
    if (chosen) { agentSelect.value = chosen; }
  });

  submit.addEventListener('click', function (event) {
    var select = kindAgent.checked ? agentSelect : channelSelect;
    if (!select.value) {
      event.preventDefault();
      formError.textContent = kindAgent.checked ? t('transfer_no_agent') : t('transfer_no_channel');
      select.focus();
    }
  });

  D.onDialogClosed(dialog, function () {
    var chatId = transferChatId;
    transferChatId = null;
    if (dialog.returnValue !== 'transfer' || chatId === null) { return; }
    var frame = { type: 'transfer', chat_id: chatId, note: note.value.trim() };
    if (kindAgent.checked) {
      frame.to_agent_id = Number(agentSelect.value);
    } else {
      frame.to_channel_id = Number(channelSelect.value);
    }
    D.socket.send(frame);
    ui.input.focus();
  });

  menuItem.addEventListener('click', function () {
    if (menuItem.getAttribute('aria-disabled') === 'true') { return; }
    D.closeMenu(false);
    openTransfer();
  });

  // Only a chat that can be handed on (active, not offered already). aria-disabled,
  // not disabled: the menu's arrow keys still reach the item, as in any menu.
  function updateMenuItem() {
    var chat = state.chats.get(state.selectedId);
    var off = !chat || chat.status !== 'active' || outgoing.has(chat.id);
    menuItem.setAttribute('aria-disabled', off ? 'true' : 'false');
    renderBanner();
  }
  D.on('select', updateMenuItem);
  D.on('chat-state', updateMenuItem);
  D.on('chat', updateMenuItem);

  // ---------------------------------------------------------------------------
  // Above the log: the offer this agent sent, or the note that came with a chat.

  var banner = el('div', 'transfer-banner');
  banner.hidden = true;
  var bannerText = el('span', 'transfer-banner__text');
  var withdraw = el('button', 'button button--small button--quiet', t('transfer_withdraw'));
  withdraw.type = 'button';
  banner.appendChild(bannerText);
  banner.appendChild(withdraw);
  ui.logs.parentNode.insertBefore(banner, ui.logs);

  withdraw.addEventListener('click', function () {
    var pending = outgoing.get(state.selectedId);
    if (pending) { D.socket.send({ type: 'transfer_cancel', transfer_id: pending.id }); }
  });

  function renderBanner() {
    var chat = state.chats.get(state.selectedId);
    var pending = chat && outgoing.get(chat.id);
    if (pending) {
      bannerText.textContent = t('transfer_offered', { agent: pending.to_name });
      withdraw.hidden = false;
      banner.hidden = false;
    } else if (chat && chat.transferNote) {
      bannerText.textContent = chat.transferNote;
      withdraw.hidden = true;
      banner.hidden = false;
    } else {
      banner.hidden = true;
    }
  }

  // ---------------------------------------------------------------------------
  // Offers to this agent

  D.frameHandlers.transfer_offer = function (frame) {
    var offer = frame.transfer;
    if (!offer || typeof offer.id !== 'number') { return; }
    if (offers.some(function (o) { return o.id === offer.id; })) { return; }
    offers.push(offer);
    D.emit('transfer-offered', offer);
    D.notify();
    if (!shownOffer) { showNextOffer(); }
  };

  function secondsLeft(offer) {
    var until = D.parseTime(offer.expires_at);
    return until === null ? 0 : Math.max(0, Math.ceil((until - Date.now()) / 1000));
  }

  function showNextOffer() {
    clearInterval(countdownTimer);
    shownOffer = offers.shift() || null;
    if (!shownOffer) { return; }
    var offer = shownOffer;
    var detail = t('transfer_offer', { agent: offer.from_name, name: offer.chat.customer_name, channel: offer.chat.channel });
    offerDetail.textContent = detail;
    offerNote.textContent = offer.note ? t('transfer_offer_note', { note: offer.note }) : '';
    offerNote.hidden = !offer.note;
    liveStatus.textContent = detail;
    tick();
    countdownTimer = setInterval(tick, 1000);
    offerDialog.returnValue = '';
    if (!offerDialog.open) { offerDialog.showModal(); }
    $('offer-accept').focus();
  }

  function tick() {
    if (!shownOffer) { return; }
    var left = secondsLeft(shownOffer);
    offerCountdown.textContent = t('transfer_countdown', { n: left });
    if (left <= 0) { closeOffer(shownOffer.id); }
  }

  /** The offer is over (answered elsewhere, withdrawn, expired): close it without an answer. */
  function closeOffer(id) {
    offers = offers.filter(function (o) { return o.id !== id; });
    if (unanswered.delete(id)) { renderWaiting(); }
    if (!shownOffer || shownOffer.id !== id) { return; }
    liveStatus.textContent = t('transfer_offer_over', { name: shownOffer.chat.customer_name });
    shownOffer = null;
    offerDialog.returnValue = '';
    offerDialog.close();
  }

  D.onDialogClosed(offerDialog, function () {
    var offer = shownOffer;
    shownOffer = null;
    clearInterval(countdownTimer);
    if (offer) {
      // Escape is no answer: the offer runs out or is answered from another tab.
      var answer = offerDialog.returnValue;
      if (answer !== 'accept' && answer !== 'decline' && secondsLeft(offer) > 0) {
        unanswered.set(offer.id, offer);
        renderWaiting();
      }
      if (answer === 'accept' || answer === 'decline') {
        if (answer === 'accept') {
          // Open the chat when it arrives, as after a take (chats.js).
          state.takeRequested = offer.chat.id;
          state.lastTakeAt = Date.now();
        }
        D.socket.send({ type: 'transfer_answer', transfer_id: offer.id, accept: answer === 'accept' });
      }
    }
    if (offers.length) { setTimeout(showNextOffer, 0); }
  });

  /** The offers put aside with Escape, each a button that brings it back while it runs. */
  function renderWaiting() {
    waitingList.textContent = '';
    unanswered.forEach(function (offer) {
      if (secondsLeft(offer) <= 0) { unanswered.delete(offer.id); return; }
      var li = el('li', 'team__offer');
      var button = el('button', 'button button--small', t('transfer_offer', {
        agent: offer.from_name, name: offer.chat.customer_name, channel: offer.chat.channel
      }));
      button.type = 'button';
      button.addEventListener('click', function () {
        unanswered.delete(offer.id);
        renderWaiting();
        offers.unshift(offer);
        if (!shownOffer) { showNextOffer(); }
      });
      li.appendChild(button);
      waitingList.appendChild(li);
    });
    waitingList.hidden = unanswered.size === 0;
  }
  setInterval(function () { if (unanswered.size) { renderWaiting(); } }, 5000);

  // ---------------------------------------------------------------------------
  // How transfers ended

  D.frameHandlers.transfer_result = function (frame) {
    var transfer = frame.transfer || {};
    var chatName = (transfer.chat && transfer.chat.customer_name) || '';
    if (frame.receiver) {
      closeOffer(frame.transfer_id);
      if (frame.status === 'accepted') {
        var chat = state.chats.get(frame.chat_id);
        if (transfer.note) {
          var text = t('transfer_note_from', { agent: transfer.by_name || transfer.from_name, note: transfer.note });
          if (chat) { chat.transferNote = text; } else { pendingNotes.set(frame.chat_id, text); }
        }
        // A manager's reassignment says who gave it; one who took it over themselves (listening in) needs no telling.
        if (transfer.by_name && transfer.by_name !== transfer.from_name && transfer.by_name !== transfer.to_name) {
          D.showAlert(t('transfer_given', { agent: transfer.by_name, name: chatName }));
        }
        renderBanner();
      }
      return;
    }
    if (frame.status === 'pending') {
      outgoing.set(frame.chat_id, transfer);
      updateMenuItem();
      return;
    }
    outgoing.delete(frame.chat_id);
    updateMenuItem();
    var messages = {
      declined: 'transfer_declined',
      expired: 'transfer_expired',
      cancelled: 'transfer_cancelled',
      accepted: 'transfer_accepted',
      queued: 'transfer_queued'
    };
    if (messages[frame.status]) {
      D.showAlert(t(messages[frame.status], { agent: transfer.to_name, name: chatName, channel: transfer.to_channel }));
    }
  };

  // A note that came before the chat itself.
  var pendingNotes = new Map();
  D.on('chat', function (chat) {
    if (pendingNotes.has(chat.id)) {
      chat.transferNote = pendingNotes.get(chat.id);
      pendingNotes.delete(chat.id);
      renderBanner();
    }
  });

  /** The chat went to someone else: it leaves "My chats" (the server no longer sends it here). */
  D.frameHandlers.chat_released = function (frame) {
    var chat = state.chats.get(frame.chat_id);
    if (!chat) { return; }
    var wasSelected = state.selectedId === chat.id;
    var hadFocus = chat.item && chat.item.contains(document.activeElement);
    if (chat.item && chat.item.parentNode) { chat.item.parentNode.removeChild(chat.item); }
    if (chat.log && chat.log.parentNode) { chat.log.parentNode.removeChild(chat.log); }
    clearTimeout(chat.typingTimer);
    state.chats.delete(chat.id);
    state.order = state.order.filter(function (id) { return id !== chat.id; });
    outgoing.delete(chat.id);
    // Like a closed chat: a message still on its way is dropped, and should the chat come back, its whole log comes.
    state.dismissed.add(chat.id);
    D.socket.forget(chat.id);
    if (wasSelected) {
      state.selectedId = null;
      D.renderConversation();
    }
    D.renderChatList();
    D.updateTitle();
    if (wasSelected || hadFocus) {
      var first = ui.chatList.querySelector('.chats__open');
      (first || ui.takeNext).focus();
    }
    renderBanner();
  };
}());
