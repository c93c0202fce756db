/*
 * The chat widget inside the iframe (served from the helpdesk's own origin):
 * what all its parts share. Screens: pre-chat form -> question -> chat
 * (queue, messages) -> ended; frames: docs/protocol.md; HTTP endpoints:
 * docs/api.md. User text is always set with textContent, never as HTML.
 *
 * The parts are plain scripts (templates/chat/widget.html). Deferred, in this
 * order: core.js (this file: helpers, screens, the host page,
 * window.helpdeskWidget), prechat.js (form and question), then the optional
 * features (faq.js, closed.js, postchat.js). Each adds what it offers to
 * window.helpdeskWidget; the first screen is chosen once all of them have
 * run. The live chat (common/socket.js, log.js, chat.js) is loaded only when
 * a chat is about to begin or goes on (loadChat).
 */
(function () {
  'use strict';

  var config = JSON.parse(document.getElementById('widget-config').textContent);
  var S = config.strings;
  var API = '/chat/' + encodeURIComponent(config.slug) + '/api/';
  var embedded = window.parent !== window;

  function $(id) { return document.getElementById('hd-' + id); }

  var el = {
    end: $('end'), minimize: $('minimize'), connection: $('connection'), dialog: $('dialog'),
    screens: { form: $('screen-form'), question: $('screen-question'), chat: $('screen-chat') }
  };

  // ---------------------------------------------------------------- helpers

  function format(template, params) {
    return String(template).replace(/%\((\w+)\)s/g, function (all, name) {
      return params && params[name] != null ? String(params[name]) : '';
    });
  }

  function storageGet(key) {
    try { return window.localStorage.getItem(key); } catch (e) { return null; }
  }

  function storageSet(key, value) {
    try {
      if (value == null) window.localStorage.removeItem(key);
      else window.localStorage.setItem(key, value);
    } catch (e) { /* private mode or blocked storage: keep working in memory */ }
  }

  function node(tag, className, text) {
    var element = document.createElement(tag);
    if (className) element.className = className;
    if (text != null) element.textContent = text;
    return element;
  }

  var parentOrigin = null;

  function toParent(type) {
    if (!embedded) return;
    // These messages carry nothing but their type; before the host said hello
    // its origin is unknown, so they go to whichever page embeds us.
    window.parent.postMessage({ type: type }, parentOrigin || '*');
  }

  function postJSON(path, body, extraHeaders) {
    var headers = { 'Content-Type': 'application/json', 'Accept': 'application/json' };
    Object.keys(extraHeaders || {}).forEach(function (name) { headers[name] = extraHeaders[name]; });
    return fetch(API + path, {
      method: 'POST',
      credentials: 'same-origin',
      // The endpoints take only JSON from this page's own origin (docs/api.md):
      // with the page's "no-referrer" policy some browsers would send "Origin: null".
      referrerPolicy: 'same-origin',
      headers: headers,
      body: JSON.stringify(body)
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        return { ok: response.ok, status: response.status, data: data || {} };
      });
    });
  }

  function setConnection(text) {
    // The status region stays in the page (empty when all is well) so that
    // screen readers announce it when the text appears.
    if (el.connection.textContent !== text) el.connection.textContent = text;
  }

  /** Enter sends, Shift+Enter (or an input method composing) starts a new line. */
  function enterSubmits(textarea, form) {
    textarea.addEventListener('keydown', function (event) {
      if (event.key === 'Enter' && !event.shiftKey && !event.isComposing && !event.altKey && !event.ctrlKey && !event.metaKey) {
        event.preventDefault();
        if (form.requestSubmit) form.requestSubmit();
        else form.dispatchEvent(new Event('submit', { cancelable: true }));
      }
    });
  }

  // ---------------------------------------------------------------- colours

  (function applyColors() {
    var hex = /^#[0-9a-fA-F]{6}$/;
    var root = document.documentElement.style;
    if (hex.test(config.color)) root.setProperty('--hd-color', config.color);
    if (hex.test(config.textColor)) root.setProperty('--hd-on-color', config.textColor);
  })();

  // ---------------------------------------------------------------- screens

  // The chat of this page; chat.js keeps it up to date, the screens read it.
  var chat = { id: null, token: null, status: null, agentName: '' };
  var current = null;

  function showScreen(name, focusTarget) {
    current = name;
    Object.keys(el.screens).forEach(function (key) { el.screens[key].hidden = key !== name; });
    el.end.hidden = !(name === 'chat' && chat.status !== 'ended');
    if (focusTarget) focusTarget.focus();
  }

  /**
   * Focus into the screen on show: the host's hello (or its "opened again")
   * asks for it. The hello comes after the frame's load, which on a busy host
   * page may be seconds after the form appeared: a customer who has already
   * clicked into a field and types there keeps their place, else the rest of
   * what they type would land in another field.
   */
  function focusCurrent() {
    var active = document.activeElement;
    var screen = el.screens[current];
    if (screen && active && active !== document.body && screen.contains(active)) return;
    if (current === 'form') W.firstFormFocus().focus();
    else if (current === 'question') W.questionBox.focus();
    else if (current === 'chat') (chat.status === 'ended' ? W.newChatButton : W.messageBox).focus();
  }

  // ---------------------------------------------------------------- the live chat, on demand
  // The socket client and the chat's own parts are not needed for the
  // pre-chat form: a customer who only looks, or whom an FAQ answer helps,
  // never downloads them. Their addresses come with the chat screen.

  var TOKEN_KEY = 'helpdesk.chat.' + config.slug;
  var chatScripts = el.screens.chat.getAttribute('data-scripts').split(/\s+/).filter(Boolean);
  var chatLoading = null;
  // A chat that goes on (a reload) while its parts do not load: try again
  // after this long (the connection status says what is wrong meanwhile).
  var LOAD_RETRY_MS = 5000;

  function appendScript(src) {
    return new Promise(function (resolve, reject) {
      var script = document.createElement('script');
      script.src = src;
      script.async = false;  // run in the listed order: chat.js needs the other two
      script.addEventListener('load', resolve);
      script.addEventListener('error', function () {
        script.remove();
        reject(new Error('not loaded: ' + src));
      });
      document.body.appendChild(script);
    });
  }

  /** Resolves once the live chat's parts have run (W.beginChat is there); after a failure, the next call tries again. */
  function loadChat() {
    if (W.beginChat) return Promise.resolve();
    if (!chatLoading) {
      chatLoading = Promise.all(chatScripts.map(appendScript)).then(function () {
        // A part may have run before one it needs failed: all of them again next time.
        if (!W.beginChat) throw new Error('the live chat did not start');
      }).catch(function (error) {
        chatLoading = null;
        throw error;
      });
    }
    return chatLoading;
  }

  function resumeChat() {
    loadChat().then(function () { W.resumeChat(); }, function () {
      setConnection(S.network_error);
      window.setTimeout(resumeChat, LOAD_RETRY_MS);
    });
  }

  // ---------------------------------------------------------------- header and host page

  if (!embedded) el.minimize.hidden = true;

  // Whether the panel is on screen (the loader hides the frame, it does not
  // unload it): what may run only while the customer looks waits for it.
  var panelOpen = true;

  function setPanelOpen(open) {
    if (panelOpen === open) return;
    panelOpen = open;
    if (hooks.panelShown) hooks.panelShown(open);
  }

  el.minimize.addEventListener('click', function () {
    toParent('helpdesk:minimize');
    setPanelOpen(false);
    closedByCustomer();
  });

  document.addEventListener('keydown', function (event) {
    if (event.key === 'Escape' && embedded && !el.dialog.open && !event.defaultPrevented) {
      toParent('helpdesk:minimize');
      setPanelOpen(false);
      closedByCustomer();
    }
  });

  window.addEventListener('message', function (event) {
    if (!embedded || event.source !== window.parent) return;
    var allowed = (config.allowedOrigins || []).concat([window.location.origin]);
    if (allowed.indexOf(event.origin) === -1) return;
    var data = event.data;
    if (!data || typeof data !== 'object') return;
    if (data.type === 'helpdesk:hello') {
      parentOrigin = event.origin;
      W.prefill(data);
      setPanelOpen(true);
      if (data.focus) focusCurrent();
    } else if (data.type === 'helpdesk:focus') {
      setPanelOpen(true);
      focusCurrent();
    } else if (data.type === 'helpdesk:hidden') {
      // The customer closed the widget with the host page's button.
      setPanelOpen(false);
      closedByCustomer();
    } else if (data.type === 'helpdesk:forget') {
      // The host page asks (HelpdeskChat.forget(), e.g. at its logout); the loader hides the panel.
      setPanelOpen(false);
      forget();
      toParent('helpdesk:forgotten');
    }
  });

  // ---------------------------------------------------------------- forgetting (docs/privacy-widget.md)
  // What this browser keeps of a chat: its token, the messages not yet sent
  // and when the token stops working (chat.js writes it once the chat ended).
  // A shared browser must show the next person nothing of the last one's
  // chat, so an ended chat is forgotten when the customer closes the widget
  // and, if that never happens, once its token has expired anyway.

  var EXPIRES_KEY = TOKEN_KEY + '.expires';

  function forgetStored() {
    storageSet(TOKEN_KEY, null);
    storageSet(TOKEN_KEY + '.outbox', null);
    storageSet(EXPIRES_KEY, null);
  }

  /** Drop every trace of the chat, on screen and in storage, and show the first screen again. */
  function forget() {
    if (W.forgetChat) W.forgetChat();
    forgetStored();
    if (W.resetForms) W.resetForms();
    if (hooks.forgotten) hooks.forgotten();
    setConnection('');
    if (!(hooks.opening && hooks.opening())) showScreen('form');
  }

  function closedByCustomer() {
    if (chat.status === 'ended') forget();
  }

  // ---------------------------------------------------------------- the parts meet here
  // Hooks for the optional features: beforeStart(question, start),
  // startRefused(result) -> true when handled, stateChanged(state),
  // beforeEnd({status}) -> true when handled, ended(state, live),
  // opening() -> true when the feature shows the first screen itself, and
  // panelShown(open) when the customer opens or minimizes the panel.
  var hooks = {};
  var W = window.helpdeskWidget = {
    config: config,
    strings: S,
    hooks: hooks,
    api: postJSON,
    node: node,
    format: format,
    toParent: toParent,
    addScreen: function (name, element) { el.screens[name] = element; },
    showScreen: showScreen,
    // For the widget's own parts (log.js, chat.js, prechat.js).
    chat: chat,
    embedded: embedded,
    endButton: el.end,
    dialog: el.dialog,
    storageGet: storageGet,
    storageSet: storageSet,
    setConnection: setConnection,
    enterSubmits: enterSubmits,
    loadChat: loadChat,
    tokenKey: TOKEN_KEY,
    expiresKey: EXPIRES_KEY,
    forget: forget,
    currentScreen: function () { return current; },
    panelOpen: function () { return panelOpen; }
  };

  // An ended chat whose token has expired is not shown again (the server would refuse it too).
  var expires = Number(storageGet(EXPIRES_KEY));
  if (!storageGet(TOKEN_KEY) || (expires && expires <= Date.now())) forgetStored();

  // The loader's helper frame for HelpdeskChat.forget() on a page where the
  // widget was not open: it forgets and says so, and shows nothing.
  var forgetOnly = embedded && window.location.hash === '#forget';
  W.forgetOnly = forgetOnly;
  if (forgetOnly) {
    forgetStored();
    toParent('helpdesk:forgotten');
    return;
  }

  // A chat of this browser goes on: its parts start loading now, beside the other scripts.
  if (storageGet(TOKEN_KEY)) loadChat().catch(function () { /* tried again once the page is ready */ });

  // Deferred scripts all run before DOMContentLoaded: by then every part has
  // hooked in, and the first screen can be chosen.
  document.addEventListener('DOMContentLoaded', function () {
    if (storageGet(TOKEN_KEY)) {
      resumeChat();
      return;
    }
    if (hooks.opening && hooks.opening()) return;
    showScreen('form');
    if (!embedded) W.firstFormFocus().focus();
  });
})();
