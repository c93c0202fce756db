/*
 * Canned replies (docs/protocol.md, "Canned replies").
 *
 * In the composer: "/" at the start or after a space, then a few letters,
 * opens a list of the replies the agent may use in the open chat, matched
 * on shortcut and title. The textarea controls that listbox
 * (aria-autocomplete, aria-controls, aria-activedescendant): focus stays in
 * the text while ArrowUp/ArrowDown move, Enter or Tab put the filled-in text in
 * place of "/query", Escape closes. The agent can edit the text before it
 * goes; a use is counted when the message is sent.
 *
 * The "Canned replies" button opens a dialog where an agent keeps their own
 * replies, and a manager those of the channels they manage.
 *
 * Offers openCannedReplies (focus the composer, open the list) and
 * openCannedManager.
 */
(function () {
  'use strict';

  var D = window.helpdeskDashboard;
  var state = D.state;
  var input = D.ui.input;
  var t = D.t;
  var el = D.el;

  function $(id) { return document.getElementById(id); }

  var list = $('canned-list');
  var status = $('canned-status');

  // "/" at the start or after white space, then anything but white space up to the caret.
  var TRIGGER = /(^|\s)\/([^\s/]*)$/;
  // A long list is no help when picking by keyboard; a few more letters narrow it.
  var MAX_SHOWN = 30;

  var replies = new Map();      // chat id -> replies from the server (text filled in for that chat)
  var insertedIn = new Map();   // chat id -> ids of replies inserted since the last send
  var popup = {
    open: false,
    chatId: null,
    start: 0,          // where "/query" (or, opened by openCannedReplies, the query) begins
    slash: true,       // false: opened by openCannedReplies, the query has no "/"
    matches: [],
    active: -1
  };
  // Set while this script changes the text itself, so that its own input event does not reopen the list.
  var inserting = false;

  // The composer stays a multi-line textbox (a combobox role would hide
  // that from screen readers); a textbox may point at the list it completes
  // from (aria-autocomplete, aria-controls) and at the option in focus
  // (aria-activedescendant), and the status region says how many match.
  input.setAttribute('aria-autocomplete', 'list');
  input.setAttribute('aria-controls', 'canned-list');

  function selectedChat() {
    var chat = state.chats.get(state.selectedId);
    return chat && chat.status !== 'ended' ? chat : null;
  }

  function requestReplies(chatId) {
    D.socket.send({ type: 'canned_replies', chat_id: chatId });
  }

  // ---------------------------------------------------------------------------
  // The list in the composer

  function matching(all, query) {
    var q = query.toLowerCase();
    var first = [];
    var rest = [];
    all.forEach(function (reply) {
      var shortcut = reply.shortcut.toLowerCase();
      if (shortcut.indexOf(q) === 0) {
        first.push(reply);
      } else if (shortcut.indexOf(q) > 0 || reply.title.toLowerCase().indexOf(q) >= 0) {
        rest.push(reply);
      }
    });
    return first.concat(rest).slice(0, MAX_SHOWN);
  }

  function optionId(reply) {
    return 'canned-option-' + reply.id;
  }

  function query() {
    var from = popup.slash ? popup.start + 1 : popup.start;
    return input.value.slice(from, input.selectionStart);
  }

  function render() {
    var all = replies.get(popup.chatId);
    list.textContent = '';
    if (!all) {
      popup.matches = [];
      status.textContent = t('canned_loading');
      showList(false);
      return;
    }
    var previous = popup.matches[popup.active];
    popup.matches = matching(all, query());
    // By id: the fresh list from the server (asked for at every opening) may
    // arrive after the agent has moved, and must not move the highlight.
    popup.active = previous ? popup.matches.findIndex(function (reply) { return reply.id === previous.id; }) : -1;
    popup.matches.forEach(function (reply, index) {
      var option = el('li', 'canned__option');
      option.id = optionId(reply);
      option.setAttribute('role', 'option');
      option.setAttribute('aria-selected', index === popup.active ? 'true' : 'false');
      option.appendChild(el('span', 'canned__shortcut', '/' + reply.shortcut));
      option.appendChild(el('span', 'canned__title', reply.title));
      if (reply.personal) { option.appendChild(el('span', 'canned__tag', t('canned_personal'))); }
      option.appendChild(el('span', 'canned__preview', reply.text));
      // Focus stays in the textarea; the click picks.
      option.addEventListener('mousedown', function (event) { event.preventDefault(); });
      option.addEventListener('click', function () { pick(index); });
      list.appendChild(option);
    });
    var count = popup.matches.length;
    status.textContent = count === 0 ? t('canned_no_match')
      : count === 1 ? t('canned_one_match') : t('canned_matches', { n: count });
    showList(count > 0);
    markActive();
  }

  function showList(visible) {
    list.hidden = !visible;
  }

  function markActive() {
    Array.prototype.forEach.call(list.children, function (option, index) {
      option.setAttribute('aria-selected', index === popup.active ? 'true' : 'false');
    });
    var reply = popup.matches[popup.active];
    if (reply) {
      input.setAttribute('aria-activedescendant', optionId(reply));
      var option = $(optionId(reply));
      if (option && option.scrollIntoView) { option.scrollIntoView({ block: 'nearest' }); }
    } else {
      input.removeAttribute('aria-activedescendant');
    }
  }

  function open(chat, start, slash) {
    var wasOpen = popup.open && popup.chatId === chat.id;
    popup.open = true;
    popup.chatId = chat.id;
    popup.start = start;
    popup.slash = slash;
    if (!wasOpen) {
      popup.matches = [];
      popup.active = -1;
      // Always ask again: a manager may have changed the channel's replies meanwhile.
      requestReplies(chat.id);
    }
    render();
  }

  function close() {
    status.textContent = '';
    if (!popup.open) { return; }
    popup.open = false;
    popup.matches = [];
    popup.active = -1;
    list.textContent = '';
    status.textContent = '';
    showList(false);
    input.removeAttribute('aria-activedescendant');
  }

  function move(delta) {
    var count = popup.matches.length;
    if (!count) { return; }
    popup.active = popup.active < 0 ? (delta > 0 ? 0 : count - 1) : (popup.active + delta + count) % count;
    markActive();
  }

  function pick(index) {
    var reply = popup.matches[index];
    var chat = selectedChat();
    if (!reply || !chat || chat.id !== popup.chatId) { close(); return; }
    var value = input.value;
    var end = input.selectionStart;
    input.value = value.slice(0, popup.start) + reply.text + value.slice(end);
    var caret = popup.start + reply.text.length;
    input.setSelectionRange(caret, caret);
    if (!insertedIn.has(chat.id)) { insertedIn.set(chat.id, new Set()); }
    insertedIn.get(chat.id).add(reply.id);
    close();
    status.textContent = t('canned_inserted', { title: reply.title });
    // The composer keeps the draft and the typing indicator from its input event.
    inserting = true;
    try {
      input.dispatchEvent(new Event('input', { bubbles: true }));
    } finally {
      inserting = false;
    }
    input.focus();
  }

  function onInput() {
    if (inserting) { return; }
    var chat = selectedChat();
    if (!chat) { close(); return; }
    if (!input.value.trim()) { insertedIn.delete(chat.id); }
    var caret = input.selectionStart;
    if (popup.open && !popup.slash && popup.chatId === chat.id) {
      // Opened without a "/": the letters typed since then are the query, up to a space.
      if (caret < popup.start || /\s/.test(input.value.slice(popup.start, caret))) { close(); } else { render(); }
      return;
    }
    var found = input.selectionStart === input.selectionEnd && TRIGGER.exec(input.value.slice(0, caret));
    if (found) {
      open(chat, caret - found[2].length - 1, true);
    } else {
      close();
    }
  }

  input.addEventListener('input', onInput);
  input.addEventListener('blur', function () {
    // A click on an option keeps the focus (mousedown is prevented); anything else closes.
    window.setTimeout(function () {
      if (document.activeElement !== input) { close(); }
    }, 0);
  });
  input.addEventListener('click', function () {
    if (popup.open) { onInput(); }
  });

  // In the capture phase on the document, before composer.js's own keydown
  // on the textarea: the Enter that picks a reply must not send the message.
  document.addEventListener('keydown', function (event) {
    if (event.target !== input || !popup.open) { return; }
    var handled = true;
    if (event.key === 'ArrowDown') {
      move(1);
    } else if (event.key === 'ArrowUp') {
      move(-1);
    } else if ((event.key === 'Enter' && !event.shiftKey && !event.isComposing) || (event.key === 'Tab' && !event.shiftKey)) {
      // Nothing to pick: the key does what it always does (Enter sends, Tab moves on).
      if (popup.matches.length) { pick(Math.max(popup.active, 0)); } else { handled = false; close(); }
    } else if (event.key === 'Escape') {
      close();
    } else {
      handled = false;
    }
    if (handled) {
      event.preventDefault();
      event.stopPropagation();
    }
  }, true);

  D.frameHandlers.canned_replies = function (frame) {
    replies.set(frame.chat_id, Array.isArray(frame.replies) ? frame.replies : []);
    if (popup.open && popup.chatId === frame.chat_id) { render(); }
  };

  D.on('select', function (chat) {
    close();
    // Fetched ahead, so that the first "/" has its list at once.
    if (chat && chat.status !== 'ended' && !replies.has(chat.id)) { requestReplies(chat.id); }
  });
  D.on('chat-state', function (chat) {
    if (chat && chat.status === 'ended') {
      insertedIn.delete(chat.id);
      if (popup.chatId === chat.id) { close(); }
    }
  });

  // A message goes out: the replies inserted into it count as used.
  D.beforeSend.push(function (chat) {
    var used = insertedIn.get(chat.id);
    insertedIn.delete(chat.id);
    if (used) {
      used.forEach(function (replyId) {
        D.socket.send({ type: 'canned_used', chat_id: chat.id, reply_id: replyId });
      });
    }
    close();
    return false;
  });

  /** Focus the composer and open the list of every reply (another part's keyboard shortcut calls this). */
  function openCannedReplies() {
    var chat = selectedChat();
    if (!chat) { return false; }
    input.focus();
    var caret = input.selectionStart;
    open(chat, caret, false);
    return true;
  }

  // ---------------------------------------------------------------------------
  // Managing: the dialog

  var dialog = $('canned-dialog');
  var form = $('canned-form');
  var fields = {
    channel: $('canned-scope'),
    shortcut: $('canned-shortcut'),
    title: $('canned-title'),
    body: $('canned-body'),
    language: $('canned-language')
  };
  var formTitle = $('canned-form-title');
  var formError = $('canned-form-error');
  var newButton = $('canned-form-new');
  var manageList = $('canned-manage-list');
  var manageEmpty = $('canned-manage-empty');
  var manageStatus = $('canned-manage-status');
  var manage = { replies: [], channels: [], editingId: null, saving: null };

  function fillScopes(channels) {
    var current = fields.channel.value;
    fields.channel.textContent = '';
    var personal = el('option', null, t('canned_scope_personal'));
    personal.value = '';
    fields.channel.appendChild(personal);
    channels.forEach(function (channel) {
      var option = el('option', null, t('canned_scope_channel', { channel: channel.name }));
      option.value = String(channel.id);
      fields.channel.appendChild(option);
    });
    fields.channel.value = current;
    if (fields.channel.selectedIndex < 0) { fields.channel.value = ''; }
  }

  function languageName(code) {
    var option = fields.language.querySelector('option[value="' + code + '"]');
    return code && option ? option.textContent : t('canned_every_language');
  }

  function renderManageList() {
    manageList.textContent = '';
    manageEmpty.hidden = manage.replies.length > 0;
    manage.replies.forEach(function (reply) {
      var item = el('li', 'canned-dialog__item');
      var what = el('div', 'canned-dialog__what');
      what.appendChild(el('span', 'canned__shortcut', '/' + reply.shortcut));
      what.appendChild(el('span', 'canned__title', reply.title));
      var scope = reply.personal ? t('canned_scope_personal') : t('canned_scope_channel', { channel: reply.channel_name });
      what.appendChild(el('span', 'canned-dialog__meta',
        [scope, languageName(reply.language), t('canned_used_times', { n: reply.usage_count })].join(' · ')));
      item.appendChild(what);
      var edit = el('button', 'button button--quiet', t('canned_edit', { shortcut: reply.shortcut }));
      edit.type = 'button';
      edit.addEventListener('click', function () { editReply(reply); });
      var remove = el('button', 'button button--quiet button--danger-text', t('canned_delete', { shortcut: reply.shortcut }));
      remove.type = 'button';
      remove.addEventListener('click', function () { deleteReply(reply); });
      var buttons = el('div', 'canned-dialog__buttons');
      buttons.appendChild(edit);
      buttons.appendChild(remove);
      item.appendChild(buttons);
      manageList.appendChild(item);
    });
  }

  function clearError() {
    formError.textContent = '';
    Object.keys(fields).forEach(function (name) { fields[name].removeAttribute('aria-invalid'); });
  }

  function resetForm() {
    manage.editingId = null;
    form.reset();
    fields.channel.value = '';
    formTitle.textContent = t('canned_new');
    newButton.hidden = true;
    clearError();
  }

  function editReply(reply) {
    resetForm();
    manage.editingId = reply.id;
    fields.channel.value = reply.channel_id === null ? '' : String(reply.channel_id);
    fields.shortcut.value = reply.shortcut;
    fields.title.value = reply.title;
    fields.body.value = reply.body;
    fields.language.value = reply.language;
    formTitle.textContent = t('canned_editing', { shortcut: reply.shortcut });
    newButton.hidden = false;
    fields.shortcut.focus();
  }

  function deleteReply(reply) {
    if (!window.confirm(t('canned_confirm_delete', { shortcut: reply.shortcut }))) { return; }
    if (!D.socket.send({ type: 'canned_delete', id: reply.id })) { formError.textContent = t('canned_offline'); }
  }

  form.addEventListener('submit', function (event) {
    event.preventDefault();
    clearError();
    var frame = {
      type: 'canned_save',
      id: manage.editingId,
      channel_id: fields.channel.value ? Number(fields.channel.value) : null,
      shortcut: fields.shortcut.value,
      title: fields.title.value,
      body: fields.body.value,
      language: fields.language.value
    };
    if (!D.socket.send(frame)) {
      formError.textContent = t('canned_offline');
      return;
    }
    manage.saving = frame.shortcut.trim().replace(/^\//, '').toLowerCase();
  });

  newButton.addEventListener('click', function () {
    resetForm();
    fields.shortcut.focus();
  });
  $('canned-dialog-close').addEventListener('click', function () { dialog.close(); });
  D.onDialogClosed(dialog, function () {
    var opener = $('canned-manage-open');
    if (opener && opener.offsetParent !== null) { opener.focus(); } else if (selectedChat()) { input.focus(); }
  });

  function openCannedManager() {
    resetForm();
    D.socket.send({ type: 'canned_manage' });
    if (!dialog.open) { dialog.showModal(); }
    fields.channel.focus();
  }

  $('canned-manage-open').addEventListener('click', openCannedManager);

  D.frameHandlers.canned_manage = function (frame) {
    manage.replies = Array.isArray(frame.replies) ? frame.replies : [];
    manage.channels = Array.isArray(frame.channels) ? frame.channels : [];
    fillScopes(manage.channels);
    renderManageList();
    // The composer's lists may hold what just changed: they are asked for again.
    replies.clear();
    if (frame.saved_id) {
      manageStatus.textContent = t('canned_saved', { shortcut: manage.saving || '' });
      resetForm();
      fields.shortcut.focus();
    } else if (frame.deleted_id) {
      if (manage.editingId === frame.deleted_id) { resetForm(); }
      manageStatus.textContent = t('canned_deleted');
      fields.shortcut.focus();
    }
    manage.saving = null;
  };

  D.frameHandlers.canned_invalid = function (frame) {
    formError.textContent = frame.message || frame.code || '';
    var field = Object.prototype.hasOwnProperty.call(fields, frame.field) ? fields[frame.field] : null;
    if (field) {
      field.setAttribute('aria-invalid', 'true');
      field.focus();
    }
    manage.saving = null;
  };

  D.openCannedReplies = openCannedReplies;
  D.openCannedManager = openCannedManager;
}());
