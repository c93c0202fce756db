/*
 * FAQ entries into the chat (docs/protocol.md, "Internal notes and FAQ
 * entries"): the composer's "FAQ" button opens a dialog that searches the
 * chat's channel's FAQ in the customer's language (`faq_search` →
 * `faq_results`). A combobox with a listbox: type, ArrowUp/ArrowDown choose
 * (aria-activedescendant), Enter sends the chosen entry (`send_faq`, kept in
 * notes.js's outbox until acked), Escape closes. In the log an FAQ message
 * is a card marked "FAQ entry".
 */
(function () {
  'use strict';

  var D = window.helpdeskDashboard;
  var state = D.state;
  var ui = D.ui;
  var t = D.t;
  var el = D.el;
  // A search per pause in typing, not per key.
  var SEARCH_DELAY_MS = 150;

  function $(id) { return document.getElementById(id); }
  var openButton = $('faq-open');
  var dialog = $('faq-dialog');
  var search = $('faq-search');
  var list = $('faq-results');
  var status = $('faq-status');
  var closeButton = $('faq-close');

  var view = { chatId: null, entries: [], active: -1, timer: null, asked: null };

  function selected() {
    return state.chats.get(state.selectedId);
  }

  function open() {
    var chat = selected();
    if (!chat || chat.status === 'ended') { return; }
    view.chatId = chat.id;
    view.entries = [];
    view.active = -1;
    search.value = '';
    list.textContent = '';
    status.textContent = '';
    search.removeAttribute('aria-activedescendant');
    dialog.showModal();
    search.focus();
    ask('');
  }

  function close() {
    if (dialog.open) { dialog.close(); }
  }

  D.onDialogClosed(dialog, function () {
    clearTimeout(view.timer);
    view.chatId = null;
    ui.input.focus();
  });

  function ask(query) {
    view.asked = query;
    D.socket.send({ type: 'faq_search', chat_id: view.chatId, q: query });
  }

  function optionId(entry) { return 'faq-option-' + entry.id; }

  function render() {
    list.textContent = '';
    view.entries.forEach(function (entry, index) {
      var option = el('li', 'faq-option');
      option.id = optionId(entry);
      option.setAttribute('role', 'option');
      option.setAttribute('aria-selected', index === view.active ? 'true' : 'false');
      option.appendChild(el('span', 'faq-option__question', entry.question));
      option.appendChild(el('span', 'faq-option__answer', entry.answer_text || ''));
      option.addEventListener('mousedown', function (event) { event.preventDefault(); });
      option.addEventListener('click', function () { sendEntry(entry); });
      list.appendChild(option);
    });
    if (view.active >= 0) {
      search.setAttribute('aria-activedescendant', optionId(view.entries[view.active]));
      var node = $(optionId(view.entries[view.active]));
      if (node && node.scrollIntoView) { node.scrollIntoView({ block: 'nearest' }); }
    } else {
      search.removeAttribute('aria-activedescendant');
    }
  }

  D.frameHandlers.faq_results = function (frame) {
    // Only the answer to the latest question for the chat in the dialog.
    if (!dialog.open || frame.chat_id !== view.chatId || frame.q !== view.asked) { return; }
    view.entries = Array.isArray(frame.entries) ? frame.entries : [];
    view.active = view.entries.length ? 0 : -1;
    render();
    status.textContent = view.entries.length ? t('faq_results_count', { n: view.entries.length }) : t('faq_no_results');
  };

  function move(step) {
    if (!view.entries.length) { return; }
    view.active = (view.active + step + view.entries.length) % view.entries.length;
    render();
  }

  function sendEntry(entry) {
    var chat = state.chats.get(view.chatId);
    if (!chat || chat.status === 'ended') { return; }
    D.workspaceOutbox.post({ type: 'send_faq', chat_id: chat.id, entry_id: entry.id });
    // The entry comes back as a message in the log (an aria-live region), which announces it.
    close();
  }

  search.addEventListener('input', function () {
    clearTimeout(view.timer);
    view.timer = setTimeout(function () { ask(search.value.trim()); }, SEARCH_DELAY_MS);
  });
  search.addEventListener('keydown', function (event) {
    if (event.key === 'ArrowDown') {
      event.preventDefault();
      move(1);
    } else if (event.key === 'ArrowUp') {
      event.preventDefault();
      move(-1);
    } else if (event.key === 'Enter') {
      event.preventDefault();
      if (view.active >= 0) { sendEntry(view.entries[view.active]); }
    }
  });
  openButton.addEventListener('click', open);
  closeButton.addEventListener('click', close);

  // The send refused (an entry unpublished meanwhile, the chat ended): say why.
  D.on('workspace-refused', function (frame, error) {
    if (frame.type === 'send_faq') { D.showAlert(t('faq_failed', { reason: error.message || error.code || '' })); }
  });

  // The FAQ button follows the composer: no entries into an ended chat.
  function renderButton() {
    var chat = selected();
    openButton.disabled = !chat || chat.status === 'ended';
  }
  D.on('select', renderButton);
  D.on('chat-state', renderButton);
  D.on('chat', renderButton);

  // An FAQ message in the log: a card with its question, marked "FAQ entry".
  D.on('message', function (chat, message) {
    if (message.kind !== 'faq' || !chat.log) { return; }
    var node = chat.log.querySelector('[data-seq="' + message.seq + '"]');
    if (!node || node.classList.contains('msg--faq')) { return; }
    node.classList.add('msg--faq');
    var body = node.querySelector('.msg__body');
    if (body) { body.insertBefore(el('span', 'msg__faq-label', t('faq_entry')), body.firstChild); }
  });
}());
