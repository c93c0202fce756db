/*
 * Keyboard shortcuts of the dashboard and their help overlay.
 *
 * The keys are Alt+Shift+letter (Option+Shift on a Mac), and "?" for the
 * help when focus is not in a text field:
 * - Ctrl+Alt (Zendesk's choice) is AltGr on Windows with a German layout,
 *   where Ctrl+Alt+Q, E and M type @, € and µ; and Ctrl+Option is
 *   VoiceOver's key on a Mac.
 * - Single letters (Front's and Gmail's j/k/e) would type into the composer
 *   and clash with screen readers' quick keys (WCAG 2.1.4).
 * - Ctrl/Cmd+letter is the browser's (Intercom's Cmd+K and Cmd+Shift+Y
 *   sit beside Ctrl+Shift+N, T, W, J of Chrome).
 * - The letters J, K, N, C, R, E sit in the same place on QWERTY, QWERTZ
 *   and AZERTY; Chrome's own Alt+Shift keys (A, B, I, T) are left alone.
 * On a Mac, Option+Shift+letter types a symbol, so the key is read from
 * event.code when event.key is not a letter.
 * Offers openShortcutHelp and SHORTCUTS.
 */
(function () {
  'use strict';

  var D = window.helpdeskDashboard;
  var state = D.state;
  var ui = D.ui;
  var t = D.t;
  var el = D.el;

  var dialog = document.getElementById('shortcuts-dialog');
  var rows = document.getElementById('shortcuts-rows');
  var closeButton = document.getElementById('shortcuts-close');
  var helpButton = document.getElementById('shortcuts-button');
  var status = document.getElementById('shortcut-status');

  var isMac = /Mac|iPhone|iPad/.test(
    (navigator.userAgentData && navigator.userAgentData.platform) || navigator.platform || ''
  );

  // letter: with Alt+Shift; key: on its own (outside text fields).
  var SHORTCUTS = [
    { id: 'next_chat', letter: 'J', run: nextChat },
    { id: 'previous_chat', letter: 'K', run: previousChat },
    { id: 'take_next', letter: 'N', run: takeNext, target: ui.takeNext },
    { id: 'focus_composer', letter: 'C', run: focusComposer, target: ui.input },
    { id: 'canned_replies', letter: 'R', run: cannedReplies },
    { id: 'end_chat', letter: 'E', run: endChat, target: ui.endItem },
    { id: 'help', key: '?', run: openShortcutHelp, target: helpButton }
  ];

  /** The value of aria-keyshortcuts (Alt is Option on a Mac, by the ARIA spec). */
  function ariaKeys(shortcut) {
    return shortcut.letter ? 'Alt+Shift+' + shortcut.letter : shortcut.key;
  }

  /** The keys as the agent's keyboard labels them, one <kbd> text each. */
  function keyNames(shortcut) {
    if (!shortcut.letter) { return [shortcut.key]; }
    return [isMac ? t('key_option') : t('key_alt'), t('key_shift'), shortcut.letter];
  }

  function keysText(shortcut) {
    return keyNames(shortcut).join('+');
  }

  function announce(text) {
    // Emptied first, so that the same sentence twice is announced twice.
    status.textContent = '';
    window.setTimeout(function () { status.textContent = text; }, 50);
  }

  // ---------------------------------------------------------------------------
  // What the shortcuts do

  function openChats() {
    return state.order.filter(function (id) { return state.chats.has(id); });
  }

  function moveChat(step) {
    var ids = openChats();
    if (ids.length === 0) {
      announce(t('shortcut_no_chats'));
      return;
    }
    var index = ids.indexOf(state.selectedId);
    var next = index === -1 ? (step > 0 ? 0 : ids.length - 1) : (index + step + ids.length) % ids.length;
    var chat = state.chats.get(ids[next]);
    D.selectChat(chat.id, { focusComposer: true });
    if (document.activeElement !== ui.input && chat.item) {
      // An ended chat has no composer: focus stays on the chat in the list.
      chat.item.querySelector('.chats__open').focus();
    }
    announce(t('shortcut_chat_position', { name: chat.customerName, n: next + 1, count: ids.length }));
  }

  function nextChat() { moveChat(1); }
  function previousChat() { moveChat(-1); }

  function takeNext() {
    if (ui.takeNext.disabled) { return; }
    ui.takeNext.click();
  }

  /** The open chat's composer, focused; false (and said so) when there is none to write in. */
  function focusComposer() {
    var chat = state.chats.get(state.selectedId);
    if (!chat || chat.status === 'ended' || ui.input.disabled) {
      announce(t('shortcut_no_open_chat'));
      return false;
    }
    ui.input.focus();
    return true;
  }

  function cannedReplies() {
    // static/dashboard/canned.js: focuses the composer and opens the list.
    if (!D.openCannedReplies()) { announce(t('shortcut_no_open_chat')); }
  }

  function endChat() {
    var chat = state.chats.get(state.selectedId);
    if (!chat || chat.status === 'ended' || ui.menuButton.disabled) {
      announce(t('shortcut_no_open_chat'));
      return;
    }
    // The menu item's own handler: the same confirmation dialog as by mouse.
    ui.endItem.click();
  }

  // ---------------------------------------------------------------------------
  // The help overlay

  var opener = null;

  function renderHelp() {
    SHORTCUTS.forEach(function (shortcut) {
      var row = el('tr');
      row.appendChild(el('td', null, t('shortcut_' + shortcut.id)));
      var keys = el('td', 'shortcuts__keys');
      keyNames(shortcut).forEach(function (name, i) {
        if (i > 0) { keys.appendChild(document.createTextNode('+')); }
        keys.appendChild(el('kbd', null, name));
      });
      row.appendChild(keys);
      rows.appendChild(row);
    });
    var escape = el('tr');
    escape.appendChild(el('td', null, t('shortcut_close')));
    var escapeKeys = el('td', 'shortcuts__keys');
    escapeKeys.appendChild(el('kbd', null, t('key_escape')));
    escape.appendChild(escapeKeys);
    rows.appendChild(escape);
  }

  function openShortcutHelp() {
    if (dialog.open) { return; }
    opener = document.activeElement;
    dialog.showModal();
    closeButton.focus();
  }

  D.onDialogClosed(dialog, function () {
    if (opener && document.contains(opener) && typeof opener.focus === 'function') { opener.focus(); }
    opener = null;
  });
  helpButton.addEventListener('click', openShortcutHelp);

  // ---------------------------------------------------------------------------
  // Listening

  function inTextField(node) {
    if (!node || node === document.body) { return false; }
    if (node.isContentEditable) { return true; }
    var tag = node.tagName;
    if (tag === 'TEXTAREA' || tag === 'SELECT') { return true; }
    if (tag !== 'INPUT') { return false; }
    return !/^(button|submit|reset|checkbox|radio|range|color|file|image)$/i.test(node.type);
  }

  function pressedLetter(event) {
    if (/^[a-z]$/i.test(event.key)) { return event.key.toUpperCase(); }
    var code = /^Key([A-Z])$/.exec(event.code || '');
    return code ? code[1] : null;
  }

  function matching(event) {
    if (event.ctrlKey || event.metaKey) { return null; }
    if (event.altKey && event.shiftKey) {
      var letter = pressedLetter(event);
      return SHORTCUTS.filter(function (s) { return s.letter && s.letter === letter; })[0] || null;
    }
    if (event.altKey || inTextField(event.target)) { return null; }
    return SHORTCUTS.filter(function (s) { return s.key && s.key === event.key; })[0] || null;
  }

  document.addEventListener('keydown', function (event) {
    if (event.defaultPrevented || event.isComposing) { return; }
    // A modal dialog (this help, the end confirmation, a colleague's) has
    // the keyboard to itself; Escape closes it natively.
    if (document.querySelector('dialog[open]')) { return; }
    var shortcut = matching(event);
    if (!shortcut) { return; }
    event.preventDefault();
    // Held down, a key repeats: one take, one step per press.
    if (event.repeat) { return; }
    shortcut.run();
  });

  // Each control names its key, for screen readers and as a tooltip.
  SHORTCUTS.forEach(function (shortcut) {
    if (!shortcut.target) { return; }
    shortcut.target.setAttribute('aria-keyshortcuts', ariaKeys(shortcut));
    if (shortcut.target.tagName !== 'TEXTAREA') {
      shortcut.target.title = t('shortcut_hint', { keys: keysText(shortcut) });
    }
  });
  renderHelp();

  D.SHORTCUTS = SHORTCUTS;
  D.openShortcutHelp = openShortcutHelp;
}());
