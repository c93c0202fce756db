/*
 * The chat widget inside the iframe (served from the helpdesk's own origin).
 * Screens: pre-chat form -> question -> chat (queue, messages) -> ended.
 * Frames: docs/protocol.md; HTTP endpoints: docs/api.md.
 * User text is always set with textContent, never as HTML.
 */
(function () {
  'use strict';

  var config = JSON.parse(document.getElementById('widget-config').textContent);
  var S = config.strings;
  var slug = config.slug;
  var API = '/chat/' + encodeURIComponent(slug) + '/api/';
  var TOKEN_KEY = 'helpdesk.chat.' + slug;
  var OUTBOX_KEY = TOKEN_KEY + '.outbox';
  var PING_MS = 25000;
  // A socket whose pong does not come back within this time is dead even if
  // the browser has not noticed (a half-open connection): reconnect.
  var PONG_TIMEOUT_MS = 10000;
  var NOT_STORED_RETRIES = 3;
  var TYPING_THROTTLE_MS = 2000;
  var TYPING_IDLE_MS = 3000;
  var TYPING_SHOW_MS = 6000;
  var BACKOFF_MIN_MS = 1000;
  var BACKOFF_MAX_MS = 15000;
  var embedded = window.parent !== window;

  function $(id) { return document.getElementById('hd-' + id); }

  var el = {
    header: $('header'), agent: $('agent'), minimize: $('minimize'), end: $('end'),
    connection: $('connection'),
    screens: { form: $('screen-form'), question: $('screen-question'), chat: $('screen-chat') },
    form: $('form'), formError: $('form-error'), formSubmit: $('form-submit'),
    questionForm: $('question-form'), question: $('question'), questionError: $('question-error'),
    questionSubmit: $('question-submit'), back: $('back'),
    queue: $('queue'), queueText: $('queue-text'), log: $('log'), typing: $('typing'),
    ended: $('ended'), endedTitle: $('ended-title'), endedBy: $('ended-by'), newChat: $('new'),
    writeAgain: $('write-again'),
    composer: $('composer'), message: $('message'), send: $('send'),
    dialog: $('dialog'), dialogYes: $('dialog-yes'), dialogNo: $('dialog-no')
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

  function newClientId() {
    if (window.crypto && typeof window.crypto.randomUUID === 'function') return 'c-' + window.crypto.randomUUID();
    var bytes = new Uint8Array(16);
    if (window.crypto && window.crypto.getRandomValues) window.crypto.getRandomValues(bytes);
    else for (var i = 0; i < 16; i++) bytes[i] = Math.floor(Math.random() * 256);
    return 'c-' + Array.prototype.map.call(bytes, function (b) { return (b < 16 ? '0' : '') + b.toString(16); }).join('');
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

  // ---------------------------------------------------------------- colours

  (function applyColors() {
    var hex = /^#[0-9a-fA-F]{6}$/;
    var root = document.documentElement.style;
    if (hex.test(config.color)) root.setProperty('--hd-color', config.color);
    if (hex.test(config.textColor)) root.setProperty('--hd-on-color', config.textColor);
  })();

  // ---------------------------------------------------------------- screens

  var current = null;

  function showScreen(name, focusTarget) {
    current = name;
    Object.keys(el.screens).forEach(function (key) { el.screens[key].hidden = key !== name; });
    el.end.hidden = !(name === 'chat' && chat.status !== 'ended');
    if (focusTarget) focusTarget.focus();
  }

  function firstFormFocus() {
    var fields = el.form.querySelectorAll('input, select, textarea');
    for (var i = 0; i < fields.length; i++) {
      if (fields[i].type === 'checkbox' ? !fields[i].checked && fields[i].required : !fields[i].value) return fields[i];
    }
    return el.formSubmit;
  }

  function focusCurrent() {
    if (current === 'form') firstFormFocus().focus();
    else if (current === 'question') el.question.focus();
    else if (current === 'chat') (chat.status === 'ended' ? el.newChat : el.message).focus();
  }

  // ---------------------------------------------------------------- pre-chat form

  var formValues = null;  // validated values, kept in memory only

  function formFields() {
    return Array.prototype.slice.call(el.form.querySelectorAll('[data-field]'));
  }

  function collectForm() {
    var fields = {};
    formFields().forEach(function (input) {
      fields[input.getAttribute('data-field')] = input.type === 'checkbox' ? input.checked : input.value.trim();
    });
    return { name: $('f-name').value.trim(), email: $('f-email').value.trim(), fields: fields };
  }

  function inputFor(key) {
    if (key === 'name' || key === 'email') return $('f-' + key);
    return el.form.querySelector('[data-field="' + (window.CSS && CSS.escape ? CSS.escape(key) : key) + '"]');
  }

  function setFieldError(input, message) {
    var error = document.getElementById(input.id + '-error');
    if (message) {
      error.textContent = message;
      error.hidden = false;
      input.setAttribute('aria-invalid', 'true');
      input.setAttribute('aria-describedby', error.id);
    } else {
      error.textContent = '';
      error.hidden = true;
      input.removeAttribute('aria-invalid');
      input.removeAttribute('aria-describedby');
    }
  }

  function clearFormErrors() {
    el.formError.textContent = '';
    Array.prototype.forEach.call(el.form.querySelectorAll('input, select, textarea'), function (input) {
      setFieldError(input, '');
    });
  }

  /** Show {"fields": {key: message}} under the fields; returns the first invalid input. */
  function showFormErrors(data) {
    clearFormErrors();
    var fieldErrors = data.fields || {};
    var first = null;
    Array.prototype.forEach.call(el.form.querySelectorAll('input, select, textarea'), function (input) {
      var key = input.getAttribute('data-key') || input.getAttribute('data-field');
      if (key && fieldErrors[key]) {
        setFieldError(input, fieldErrors[key]);
        if (!first) first = input;
      }
    });
    el.formError.textContent = (data.error && data.error.message) || S.form_errors;
    return first;
  }

  var busy = false;

  function setBusy(button, isBusy) {
    busy = isBusy;
    button.setAttribute('aria-disabled', isBusy ? 'true' : 'false');
    document.body.setAttribute('aria-busy', isBusy ? 'true' : 'false');
  }

  el.form.addEventListener('submit', function (event) {
    event.preventDefault();
    if (busy) return;
    var values = collectForm();
    setBusy(el.formSubmit, true);
    postJSON('form', values).then(function (result) {
      setBusy(el.formSubmit, false);
      if (result.ok) {
        clearFormErrors();
        values.email = result.data.email || values.email;
        formValues = values;
        showScreen('question', el.question);
      } else if (hooks.startRefused && hooks.startRefused(result)) {
        // Handled by a feature module (the closed view).
      } else if (result.data.fields) {
        var first = showFormErrors(result.data);
        (first || el.formSubmit).focus();
      } else {
        el.formError.textContent = (result.data.error && result.data.error.message) || S.start_failed;
      }
    }, function () {
      setBusy(el.formSubmit, false);
      el.formError.textContent = S.network_error;
    });
  });

  // Clear a field's error as soon as it is edited.
  el.form.addEventListener('input', function (event) {
    if (event.target.getAttribute('aria-invalid')) setFieldError(event.target, '');
  });

  function prefill(data) {
    function fill(input, value) {
      if (!input || value == null) return;
      value = String(value);
      if (input.type === 'checkbox') {
        if (!input.checked) input.checked = /^(1|true|on|yes)$/i.test(value);
      } else if (!input.value) {
        if (input.tagName === 'SELECT') {
          for (var i = 0; i < input.options.length; i++) {
            if (input.options[i].value === value) input.value = value;
          }
        } else {
          input.value = value.slice(0, 2000);
        }
      }
    }
    fill($('f-name'), data.name);
    fill($('f-email'), data.email);
    if (data.fields && typeof data.fields === 'object') {
      Object.keys(data.fields).forEach(function (key) {
        var input = inputFor(key);
        if (input && input.hasAttribute('data-field')) fill(input, data.fields[key]);
      });
    }
  }

  // ---------------------------------------------------------------- question

  function showQuestionError(message) {
    el.questionError.textContent = message || '';
    el.questionError.hidden = !message;
    if (message) {
      el.question.setAttribute('aria-invalid', 'true');
      el.question.setAttribute('aria-describedby', 'hd-question-hint hd-question-error');
    } else {
      el.question.removeAttribute('aria-invalid');
      el.question.setAttribute('aria-describedby', 'hd-question-hint');
    }
  }

  function enterSubmits(textarea, form) {
    textarea.addEventListener('keydown', function (event) {
      if (event.key === 'Enter' && !event.shiftKey && !event.isComposing && !event.altKey && !event.ctrlKey && !event.metaKey) {
        event.preventDefault();
        if (form.requestSubmit) form.requestSubmit();
        else form.dispatchEvent(new Event('submit', { cancelable: true }));
      }
    });
  }

  enterSubmits(el.question, el.questionForm);

  el.back.addEventListener('click', function () {
    showQuestionError('');
    showScreen('form', firstFormFocus());
  });

  el.question.addEventListener('input', function () {
    if (el.question.getAttribute('aria-invalid')) showQuestionError('');
  });

  el.questionForm.addEventListener('submit', function (event) {
    event.preventDefault();
    if (busy) return;
    var question = el.question.value.trim();
    if (!question) {
      showQuestionError(S.question_empty);
      el.question.focus();
      return;
    }
    if (!formValues) {
      showScreen('form', firstFormFocus());
      return;
    }
    // A feature module may step in before the chat starts (FAQ suggestions).
    if (hooks.beforeStart) hooks.beforeStart(question, function () { startChat(question); });
    else startChat(question);
  });

  function startChat(question) {
    var body = { name: formValues.name, email: formValues.email, fields: formValues.fields, question: question };
    setBusy(el.questionSubmit, true);
    postJSON('start', body).then(function (result) {
      setBusy(el.questionSubmit, false);
      if (result.status === 201 && result.data.token) {
        showQuestionError('');
        el.question.value = '';
        toParent('helpdesk:started');
        beginChat(result.data.token, result.data.state);
        return;
      }
      // A feature module may handle a refusal (the channel closed meanwhile).
      if (hooks.startRefused && hooks.startRefused(result)) return;
      var fields = result.data.fields || {};
      var message = (result.data.error && result.data.error.message) || S.start_failed;
      if (fields.question || !Object.keys(fields).length) {
        showQuestionError(fields.question || message);
        showScreen('question', el.question);
      } else {
        showScreen('form');
        (showFormErrors(result.data) || el.formSubmit).focus();
      }
    }, function () {
      setBusy(el.questionSubmit, false);
      showQuestionError(S.network_error);
      showScreen('question', el.question);
    });
  }

  // ---------------------------------------------------------------- chat state

  var chat = {
    token: null,
    status: null,
    agentName: '',
    lastSeq: 0,
    outbox: []   // [{client_id, body}] not yet acknowledged
  };
  var socket = null;
  var attempts = 0;
  var reconnectTimer = null;
  var pingTimer = null;
  var pongTimer = null;
  var closingOnPurpose = false;
  var endRequested = false;
  // The customer chose "Write again" in a chat the agent ended: the composer
  // is back, and the next message reopens the chat (docs/protocol.md).
  var reopening = false;

  function saveOutbox() {
    storageSet(OUTBOX_KEY, chat.outbox.length ? JSON.stringify(chat.outbox) : null);
  }

  function loadOutbox() {
    try {
      var list = JSON.parse(storageGet(OUTBOX_KEY) || '[]');
      return Array.isArray(list) ? list.filter(function (item) {
        return item && typeof item.client_id === 'string' && typeof item.body === 'string';
      }) : [];
    } catch (e) { return []; }
  }

  function resetChat() {
    disconnect();
    chat.token = null;
    chat.status = null;
    chat.agentName = '';
    chat.lastSeq = 0;
    chat.outbox = [];
    endRequested = false;
    reopening = false;
    storageSet(TOKEN_KEY, null);
    storageSet(OUTBOX_KEY, null);
    el.log.textContent = '';
    el.agent.hidden = true;
    el.agent.textContent = '';
    el.queue.hidden = true;
    hideTyping();
    setConnection('');
  }

  function beginChat(token, state) {
    chat.token = token;
    chat.lastSeq = 0;
    storageSet(TOKEN_KEY, token);
    el.log.textContent = '';
    el.ended.hidden = true;
    el.composer.hidden = false;
    el.message.disabled = false;
    el.send.disabled = false;
    chat.status = null;
    chat.outbox.forEach(function (item) { renderPending(item); });
    if (state) applyState(state);
    else setConnection(S.connecting);
    showScreen('chat', state ? el.message : null);
    connect();
  }

  function applyState(state) {
    var previous = chat.status;
    chat.status = state.status;
    if (state.agent_name) chat.agentName = state.agent_name;
    if (state.status === 'active' && chat.agentName) {
      el.agent.textContent = format(S.chatting_with, { agent: chat.agentName });
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
      el.composer.hidden = false;
      el.message.disabled = false;
      el.send.disabled = false;
    }
    el.end.hidden = !(current === 'chat' && state.status !== 'ended');
    if (hooks.stateChanged) hooks.stateChanged(state);
  }

  function showQueue(text) {
    el.queueText.textContent = text || '';
    el.queue.hidden = false;
  }

  function endedText(by, agentName) {
    if (by === 'customer') return S.ended_customer;
    if (by === 'agent') return format(S.ended_agent, { agent: agentName || S.agent });
    return S.ended_system;
  }

  function showEnded(state, live) {
    hideTyping();
    el.endedBy.textContent = endedText(state.ended_by, state.agent_name || chat.agentName);
    el.ended.hidden = false;
    el.agent.hidden = true;
    if (!state.can_reopen) reopening = false;
    el.writeAgain.hidden = !state.can_reopen || reopening;
    el.composer.hidden = !reopening;
    el.message.disabled = !reopening;
    el.send.disabled = !reopening;
    el.end.hidden = true;
    if (el.dialog.open) el.dialog.close();
    if (!reopening) {
      // Messages never acknowledged cannot be delivered to an ended chat.
      chat.outbox = [];
      saveOutbox();
      Array.prototype.forEach.call(el.log.querySelectorAll('.hd-pending'), function (pending) {
        markFailed(pending, S.not_sent);
      });
      setConnection('');
      stopReconnecting();
    }
    scrollToBottom();
    // The ended event follows the state change; give it a moment, then hang up.
    window.setTimeout(function () { if (chat.status === 'ended' && !reopening) disconnect(); }, 2000);
    // The post-chat form (static/widget/postchat.js) shows itself here.
    if (hooks.ended) hooks.ended(state, live);
    if (live && (document.activeElement === el.message || document.activeElement === el.send ||
                 document.activeElement === el.end || document.activeElement === document.body)) {
      el.endedTitle.focus();
    }
    toParent('helpdesk:ended');
  }

  // ---------------------------------------------------------------- log rendering

  function formatTime(iso) {
    var date = iso ? new Date(iso) : new Date();
    if (isNaN(date.getTime())) return '';
    try {
      return date.toLocaleTimeString(config.language, { hour: '2-digit', minute: '2-digit' });
    } catch (e) {
      return date.toTimeString().slice(0, 5);
    }
  }

  function nearBottom() {
    return el.log.scrollHeight - el.log.scrollTop - el.log.clientHeight < 80;
  }

  function scrollToBottom() {
    el.log.scrollTop = el.log.scrollHeight;
  }

  function firstPending() {
    return el.log.querySelector('.hd-pending');
  }

  function buildText(author, authorName, body, iso) {
    var own = author === 'customer';
    var item = node('div', 'hd-msg ' + (own ? 'hd-msg-own' : 'hd-msg-' + author));
    var meta = node('p', 'hd-meta');
    meta.appendChild(node('span', 'hd-author', own ? S.you : (authorName || S.agent)));
    meta.appendChild(document.createTextNode(' '));
    var time = node('time', 'hd-time', formatTime(iso));
    time.dateTime = iso || new Date().toISOString();
    meta.appendChild(time);
    item.appendChild(meta);
    item.appendChild(node('p', 'hd-body', body));
    return item;
  }

  function eventText(message) {
    var params = message.params || {};
    if (message.event === 'joined') return format(S.joined, { agent: params.agent || S.agent });
    if (message.event === 'ended') return endedText(params.by, chat.agentName);
    if (message.event === 'reopened') return S.reopened;
    if (message.event === 'returned') return format(S.returned, { agent: params.agent || S.agent });
    if (message.event === 'request_created') return format(S.request_created, { request_id: params.request_id || '' });
    return '';
  }

  function renderPending(item) {
    var element = buildText('customer', '', item.body, null);
    element.classList.add('hd-pending');
    element.setAttribute('data-client-id', item.client_id);
    var status = node('p', 'hd-delivery', S.sending);
    element.appendChild(status);
    el.log.appendChild(element);
    scrollToBottom();
    return element;
  }

  function pendingFor(clientId) {
    var items = el.log.querySelectorAll('[data-client-id]');
    for (var i = 0; i < items.length; i++) {
      if (items[i].getAttribute('data-client-id') === clientId) return items[i];
    }
    return null;
  }

  function markFailed(element, reason) {
    element.classList.remove('hd-pending');
    element.classList.add('hd-failed');
    var status = element.querySelector('.hd-delivery') || element.appendChild(node('p', 'hd-delivery'));
    status.textContent = format(S.not_delivered, { reason: reason });
  }

  function renderMessage(message) {
    if (typeof message.seq !== 'number' || message.seq <= chat.lastSeq) return;  // seen already
    chat.lastSeq = message.seq;
    var stick = nearBottom();
    var element;
    if (message.kind === 'event') {
      var text = eventText(message);
      if (message.event === 'joined' && message.params && message.params.agent) chat.agentName = message.params.agent;
      if (!text) return;
      element = node('p', 'hd-event', text);
    } else {
      element = message.client_id ? pendingFor(message.client_id) : null;
      if (element) {
        // Our own message, now stored: drop the "Sending…" note and put it in log order.
        element.classList.remove('hd-pending', 'hd-failed');
        element.removeAttribute('data-client-id');
        var status = element.querySelector('.hd-delivery');
        if (status) status.remove();
        var time = element.querySelector('time');
        time.textContent = formatTime(message.created_at);
        time.dateTime = message.created_at;
        dropFromOutbox(message.client_id);
      } else {
        element = buildText(message.author, message.author_name, message.body, message.created_at);
      }
      if (message.author === 'agent') hideTyping();
    }
    element.setAttribute('data-seq', String(message.seq));
    var before = firstPending();
    if (before !== element) el.log.insertBefore(element, before);
    if (stick || message.author === 'customer' || message.kind === 'event') scrollToBottom();
  }

  function dropFromOutbox(clientId) {
    var before = chat.outbox.length;
    chat.outbox = chat.outbox.filter(function (item) { return item.client_id !== clientId; });
    if (chat.outbox.length !== before) saveOutbox();
  }

  // ---------------------------------------------------------------- typing

  var typingHideTimer = null;

  function showTyping(name) {
    el.typing.textContent = format(S.typing, { name: name || chat.agentName || S.agent });
    el.typing.hidden = false;
    window.clearTimeout(typingHideTimer);
    typingHideTimer = window.setTimeout(hideTyping, TYPING_SHOW_MS);
  }

  function hideTyping() {
    window.clearTimeout(typingHideTimer);
    el.typing.hidden = true;
    el.typing.textContent = '';
  }

  var typingSentAt = 0;
  var typingActive = false;
  var typingIdleTimer = null;

  function stopTyping() {
    window.clearTimeout(typingIdleTimer);
    if (typingActive) {
      typingActive = false;
      typingSentAt = 0;
      sendFrame({ type: 'typing', active: false });
    }
  }

  el.message.addEventListener('input', function () {
    if (!el.message.value.trim()) { stopTyping(); return; }
    var now = Date.now();
    if (now - typingSentAt >= TYPING_THROTTLE_MS) {
      if (sendFrame({ type: 'typing', active: true })) {
        typingSentAt = now;
        typingActive = true;
      }
    }
    window.clearTimeout(typingIdleTimer);
    typingIdleTimer = window.setTimeout(stopTyping, TYPING_IDLE_MS);
  });

  // ---------------------------------------------------------------- composer

  enterSubmits(el.message, el.composer);

  el.composer.addEventListener('submit', function (event) {
    event.preventDefault();
    var body = el.message.value.trim();
    if (!body || (chat.status === 'ended' && !reopening)) return;
    var item = { client_id: newClientId(), body: body };
    chat.outbox.push(item);
    saveOutbox();
    el.message.value = '';
    stopTyping();
    renderPending(item);
    sendFrame({ type: 'send', client_id: item.client_id, body: item.body });
    el.message.focus();
  });

  // ---------------------------------------------------------------- end dialog

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

  el.dialogNo.addEventListener('click', closeDialog);

  el.dialogYes.addEventListener('click', function () {
    dialogReturn = null;
    closeDialog();
    endChat();
  });

  el.writeAgain.addEventListener('click', function () {
    reopening = true;
    el.writeAgain.hidden = true;
    el.composer.hidden = false;
    el.message.disabled = false;
    el.send.disabled = false;
    el.message.focus();
    attempts = 0;
    connect();
  });

  function endChat() {
    endRequested = true;
    if (!sendFrame({ type: 'end' })) connect();  // sent right after the next welcome
  }

  el.newChat.addEventListener('click', function () {
    resetChat();
    el.ended.hidden = true;
    showScreen('form', firstFormFocus());
  });

  // ---------------------------------------------------------------- header

  if (!embedded) el.minimize.hidden = true;

  el.minimize.addEventListener('click', function () { toParent('helpdesk:minimize'); });

  document.addEventListener('keydown', function (event) {
    if (event.key === 'Escape' && embedded && !el.dialog.open && !event.defaultPrevented) {
      toParent('helpdesk:minimize');
    }
  });

  // ---------------------------------------------------------------- websocket

  function setConnection(text) {
    // The status region stays in the page (empty when all is well) so that
    // screen readers announce it when the text appears.
    if (el.connection.textContent !== text) el.connection.textContent = text;
  }

  function sendFrame(frame) {
    if (socket && socket.readyState === WebSocket.OPEN && socket.helloDone) {
      socket.send(JSON.stringify(frame));
      return true;
    }
    return false;
  }

  function connect() {
    if (!chat.token || socket) return;
    window.clearTimeout(reconnectTimer);
    reconnectTimer = null;
    closingOnPurpose = false;
    var scheme = window.location.protocol === 'https:' ? 'wss://' : 'ws://';
    var ws;
    try {
      ws = new WebSocket(scheme + window.location.host + '/ws/chat/');
    } catch (e) {
      scheduleReconnect();
      return;
    }
    socket = ws;
    ws.helloDone = false;
    ws.addEventListener('open', function () {
      ws.send(JSON.stringify({ type: 'hello', token: chat.token, last_seq: chat.lastSeq }));
    });
    ws.addEventListener('message', function (event) {
      if (socket !== ws) return;
      var frame;
      try { frame = JSON.parse(event.data); } catch (e) { return; }
      if (frame && typeof frame.type === 'string') handleFrame(ws, frame);
    });
    ws.addEventListener('close', function (event) {
      if (socket !== ws) return;
      socket = null;
      stopPing();
      if (event.code === 4401) {
        forgetUnknownChat();
      } else if (!closingOnPurpose && chat.token && (chat.status !== 'ended' || reopening)) {
        if (event.code === 4429) {
          // Open in too many windows: try again slowly, in case some are closed.
          setConnection(S.too_many_windows);
          attempts = Math.max(attempts, 10);
        } else {
          setConnection(S.reconnecting);
        }
        scheduleReconnect();
      }
    });
  }

  function startPing(ws) {
    stopPing();
    pingTimer = window.setInterval(function () {
      if (!sendFrame({ type: 'ping' }) || pongTimer) return;
      pongTimer = window.setTimeout(function () {
        pongTimer = null;
        dropSocket(ws);
      }, PONG_TIMEOUT_MS);
    }, PING_MS);
  }

  function stopPing() {
    window.clearInterval(pingTimer);
    window.clearTimeout(pongTimer);
    pingTimer = null;
    pongTimer = null;
  }

  function dropSocket(ws) {
    // No pong: the connection is gone even if the browser says it is open.
    if (socket !== ws) return;
    socket = null;
    stopPing();
    try { ws.close(); } catch (e) { /* already closed */ }
    setConnection(S.reconnecting);
    scheduleReconnect();
  }

  function disconnect() {
    closingOnPurpose = true;
    stopReconnecting();
    stopPing();
    if (socket) {
      var ws = socket;
      socket = null;
      try { ws.close(1000); } catch (e) { /* already closed */ }
    }
  }

  function stopReconnecting() {
    window.clearTimeout(reconnectTimer);
    reconnectTimer = null;
  }

  function scheduleReconnect() {
    if (reconnectTimer) return;
    var delay = Math.min(BACKOFF_MAX_MS, BACKOFF_MIN_MS * Math.pow(2, attempts));
    attempts += 1;
    delay = delay * (0.7 + Math.random() * 0.6);  // jitter, so that clients do not reconnect in step
    reconnectTimer = window.setTimeout(function () {
      reconnectTimer = null;
      connect();
    }, delay);
  }

  function forgetUnknownChat() {
    resetChat();
    el.ended.hidden = true;
    showScreen('form');
    el.formError.textContent = S.chat_gone;
    if (document.hasFocus()) firstFormFocus().focus();
  }

  function handleFrame(ws, frame) {
    switch (frame.type) {
      case 'welcome':
        ws.helloDone = true;
        attempts = 0;
        setConnection('');
        startPing(ws);
        if (frame.state) applyState(frame.state);
        if (chat.status !== 'ended' || reopening) {
          // Resend everything not yet acknowledged; the server stores each client_id once.
          chat.outbox.forEach(function (item) {
            sendFrame({ type: 'send', client_id: item.client_id, body: item.body });
          });
          if (endRequested) sendFrame({ type: 'end' });
        }
        break;
      case 'message':
        if (frame.message) renderMessage(frame.message);
        break;
      case 'ack':
        if (typeof frame.client_id === 'string') {
          dropFromOutbox(frame.client_id);
          var element = pendingFor(frame.client_id);
          var status = element && element.querySelector('.hd-delivery');
          if (status) status.remove();
          if (element) element.classList.remove('hd-pending');
        }
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
          if (frame.active) showTyping(frame.name);
          else hideTyping();
        }
        break;
      case 'error':
        handleError(frame);
        break;
      case 'pong':
        window.clearTimeout(pongTimer);
        pongTimer = null;
        break;
      default:
        break;  // anything newer
    }
  }

  function handleError(frame) {
    if (typeof frame.client_id !== 'string') return;
    var item = chat.outbox.filter(function (pending) { return pending.client_id === frame.client_id; })[0];
    // Still unsent: try again shortly with the same client_id (a message the
    // server could not store for reasons of its own, a few times only).
    var retry = frame.code === 'rate_limited' ||
      (frame.code === 'not_stored' && item && (item.retries = (item.retries || 0) + 1) <= NOT_STORED_RETRIES);
    if (retry) {
      window.setTimeout(function () {
        chat.outbox.forEach(function (pending) {
          if (pending.client_id === frame.client_id) sendFrame({ type: 'send', client_id: pending.client_id, body: pending.body });
        });
      }, 1500);
      return;
    }
    // too_long, empty, invalid_text, chat_ended, invalid_frame: resending cannot help.
    if (frame.code === 'chat_ended' && reopening) {
      // Too late to reopen (or already rated): the chat stays ended.
      reopening = false;
      el.composer.hidden = true;
      el.message.disabled = true;
      el.send.disabled = true;
    }
    dropFromOutbox(frame.client_id);
    var element = pendingFor(frame.client_id);
    if (element) markFailed(element, frame.message || frame.code);
  }

  window.addEventListener('online', function () {
    if (chat.token && !socket && chat.status !== 'ended') {
      stopReconnecting();
      attempts = 0;
      connect();
    }
  });

  // ---------------------------------------------------------------- host page

  window.addEventListener('message', function (event) {
    if (!embedded || event.source !== window.parent) return;
    var allowed = (config.allowedOrigins || []).concat([window.location.origin]);
    if (allowed.indexOf(event.origin) === -1) return;
    var data = event.data;
    if (!data || typeof data !== 'object') return;
    if (data.type === 'helpdesk:hello') {
      parentOrigin = event.origin;
      prefill(data);
      if (data.focus) focusCurrent();
    } else if (data.type === 'helpdesk:focus') {
      focusCurrent();
    }
  });

  // ---------------------------------------------------------------- start

  var storedToken = storageGet(TOKEN_KEY);
  if (storedToken) {
    chat.outbox = loadOutbox();
    beginChat(storedToken, null);
  } else {
    showScreen('form');
    if (!embedded) firstFormFocus().focus();
  }

  // ---------------------------------------------------------------- extensions
  // Feature modules (static/widget/faq.js, ...) load after this file, add
  // their own screen and hook in here. Hooks: beforeStart(question, start),
  // startRefused(result) -> true when handled, stateChanged(state).
  var hooks = {};
  window.helpdeskWidget = {
    config: config,
    strings: S,
    hooks: hooks,
    api: postJSON,
    node: node,
    format: format,
    toParent: toParent,
    addScreen: function (name, element) { el.screens[name] = element; },
    showScreen: showScreen,
    formValues: function () { return formValues; },
    // The end of a chat (static/widget/postchat.js): hooks beforeEnd({status})
    // -> true when handled, ended(state, live).
    chatToken: function () { return chat.token; },
    chatStatus: function () { return chat.status; },
    applyState: applyState,
    endChat: endChat,
    backToChat: function () { showScreen('chat', el.message); },
    endedBox: el.ended,
    newChatButton: el.newChat,
    writeAgainButton: el.writeAgain,
    startChat: startChat
  };
})();
