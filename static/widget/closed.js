/*
 * The closed view: when nobody can chat (outside opening hours, or no agent
 * present), the channel's closed message and its hours; with request
 * submission on, a form that leaves a request and shows its ID, filled in
 * with what the customer already typed into the pre-chat form. Before a chat
 * it follows the channel, so that the closed view and the pre-chat form
 * trade places when agents come and go. Also offers a waiting customer to
 * leave a request instead (channel rules, server-decided).
 * Hooks into the widget (static/widget/core.js) through window.helpdeskWidget.
 */
(function () {
  'use strict';

  var W = window.helpdeskWidget;
  if (!W) return;
  var S = W.strings;
  var config = W.config;
  var API = '/chat/' + encodeURIComponent(config.slug) + '/api/';

  function $(id) { return document.getElementById('hd-' + id); }

  var el = {
    screen: $('screen-closed'), message: $('closed-message'), hours: $('closed-hours'),
    weekly: $('closed-weekly'), upcoming: $('closed-upcoming'), zone: $('closed-zone'),
    form: $('request-form'), error: $('request-error'), submit: $('request-submit'),
    done: $('request-done'), requestId: $('request-id'), queue: $('queue')
  };
  W.addScreen('closed', el.screen);

  function storedToken() {
    try { return window.localStorage.getItem(W.tokenKey); } catch (e) { return null; }
  }

  function postRequest(body, token) {
    var headers = { 'Content-Type': 'application/json' };
    if (token) headers['X-Chat-Token'] = token;
    return fetch(API + 'request', {
      method: 'POST', headers: headers, body: JSON.stringify(body), credentials: 'same-origin',
      referrerPolicy: 'same-origin'  // a real Origin header, as in core.js
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        return { status: response.status, data: data };
      });
    });
  }

  // ---------------------------------------------------------------- closed view

  function render(view) {
    el.message.textContent = view.message || '';
    var hours = view.hours;
    el.hours.hidden = !hours;
    if (hours) {
      el.weekly.textContent = hours.weekly || '';
      el.upcoming.textContent = '';
      (hours.upcoming || []).forEach(function (line) { el.upcoming.appendChild(W.node('li', '', line)); });
      el.zone.textContent = hours.zone || '';
    }
    if (el.form) el.form.hidden = !view.request;
  }

  // The screen the closed view took the place of ('form' or 'question'), to go back to when the channel opens.
  var replaced = 'form';

  function showClosed(view, live) {
    var from = W.currentScreen();
    if (from === 'form' || from === 'question') replaced = from;
    render(view);
    if (el.done) el.done.hidden = true;
    carryIntoRequest();
    W.showScreen('closed', live ? el.message : null);
  }

  W.hooks.startRefused = function (result) {
    if (result.status === 409 && result.data.error && result.data.error.code === 'closed') {
      showClosed(result.data.closed || {}, true);
      return true;
    }
    return false;
  };

  // Closed when the page was served (asked only when no chat of this browser goes on).
  W.hooks.opening = function () {
    if (!config.closed) return false;
    showClosed(config.closed, false);
    return true;
  };

  // ---------------------------------------------------------------- what was typed, carried over

  function fieldOf(form, key) {
    return form.querySelector('[data-field="' + (window.CSS && CSS.escape ? CSS.escape(key) : key) + '"]');
  }

  /** Put ``value`` into an input the customer has left empty (a ticked box stays ticked). */
  function fillEmpty(input, value) {
    if (!input || value == null || value === '' || value === false) return;
    if (input.type === 'checkbox') {
      input.checked = input.checked || value === true;
    } else if (!input.value) {
      if (input.tagName === 'SELECT') {
        for (var i = 0; i < input.options.length; i++) {
          if (input.options[i].value === String(value)) input.value = String(value);
        }
      } else {
        input.value = String(value);
      }
    }
  }

  /**
   * The request form asks for what the pre-chat form and the question
   * already know: name, e-mail, the question and the fields both forms
   * have. The consent is not carried: a request is a new agreement.
   */
  function carryIntoRequest() {
    if (!el.form || !W.typedValues) return;
    var typed = W.typedValues();
    fillEmpty($('r-name'), typed.name);
    fillEmpty($('r-email'), typed.email);
    fillEmpty($('r-question'), typed.question);
    Object.keys(typed.fields || {}).forEach(function (key) { fillEmpty(fieldOf(el.form, key), typed.fields[key]); });
  }

  // What the host page hands over (data-name, data-email...) reaches the request form too.
  var prefillPrechat = W.prefill;
  W.prefill = function (data) {
    prefillPrechat(data);
    carryIntoRequest();
  };

  /** Back to the pre-chat form: what was typed into the request form meanwhile goes along. */
  function carryIntoPrechat() {
    if (!el.form) return;
    var typed = collect();
    W.prefill({ name: typed.name, email: typed.email, fields: typed.fields });
    fillEmpty(W.questionBox, typed.question);
  }

  // ---------------------------------------------------------------- following the channel before a chat
  // An agent who comes online opens the pre-chat form, the last one leaving
  // turns it into the closed view. A light look at the button's answer, only
  // while the panel is open on these screens and the tab is visible: no
  // socket before a chat, and nothing at all before the first click (this
  // page loads only then, docs/privacy-widget.md).
  var CHECK_EVERY_MS = 25000;
  var FOLLOWED = { form: true, question: true, closed: true };
  var lastCheck = 0;
  var checking = false;

  function following() {
    return !!FOLLOWED[W.currentScreen()] && W.panelOpen() && document.visibilityState === 'visible' &&
      !(el.done && !el.done.hidden);
  }

  function checkAvailability() {
    if (checking || !following()) return;
    checking = true;
    lastCheck = Date.now();
    // Past the browser's cache (the loader's answer may be kept a minute), and without cookies: none are needed.
    var options = { cache: 'no-store', credentials: 'omit', headers: { Accept: 'application/json' } };
    fetch(API + 'button?view=closed', options)
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        checking = false;
        if (data && following()) follow(data);
      }, function () { checking = false; /* offline for now: the next look tries again */ });
  }

  /** Whether the customer was in ``screen`` (or nowhere): then focus moves along with the switch. */
  function focusWasIn(screen) {
    var active = document.activeElement;
    return !active || active === document.body || !!active.closest('#hd-screen-' + screen);
  }

  function follow(data) {
    var screen = W.currentScreen();
    if (!data.available && screen !== 'closed' && data.closed) {
      showClosed(data.closed, focusWasIn(screen));
    } else if (data.available && screen === 'closed') {
      var live = focusWasIn('closed');
      carryIntoPrechat();
      if (replaced === 'question' && W.formValues()) W.showScreen('question', live ? W.questionBox : null);
      else W.showScreen('form', live ? W.firstFormFocus() : null);
    }
  }

  function checkIfDue() {
    if (Date.now() - lastCheck >= CHECK_EVERY_MS) checkAvailability();
  }

  if (!W.forgetOnly) {
    window.setInterval(checkAvailability, CHECK_EVERY_MS);
    // Back after a while (another tab, the panel minimized): look at once.
    document.addEventListener('visibilitychange', checkIfDue);
    W.hooks.panelShown = function (open) { if (open) checkIfDue(); };
    lastCheck = Date.now();
  }

  // ---------------------------------------------------------------- request form

  function fieldInputs() {
    return Array.prototype.slice.call(el.form.querySelectorAll('input, select, textarea'))
      .filter(function (input) { return input.id !== 'hd-r-website'; });
  }

  function setError(input, message) {
    var note = document.getElementById(input.id + '-error');
    if (!note) return;
    note.textContent = message || '';
    note.hidden = !message;
    if (message) {
      input.setAttribute('aria-invalid', 'true');
      input.setAttribute('aria-describedby', note.id);
    } else {
      input.removeAttribute('aria-invalid');
      input.removeAttribute('aria-describedby');
    }
  }

  function collect() {
    var body = { name: $('r-name').value.trim(), email: $('r-email').value.trim(),
                 question: $('r-question').value.trim(), fields: {}, website: $('r-website').value };
    fieldInputs().forEach(function (input) {
      var key = input.getAttribute('data-field');
      if (key) body.fields[key] = input.type === 'checkbox' ? input.checked : input.value.trim();
    });
    var consent = $('r-consent');
    if (consent) body.consent = consent.checked;
    return body;
  }

  function showErrors(fields) {
    var first = null;
    fieldInputs().forEach(function (input) {
      var key = input.getAttribute('data-field') || input.getAttribute('data-key');
      var message = fields[key] || '';
      setError(input, message);
      if (message && !first) first = input;
    });
    return first;
  }

  function showDone(requestId) {
    if (el.form) el.form.hidden = true;
    el.requestId.textContent = W.format(S.request_id_is, { request_id: requestId });
    el.done.hidden = false;
    W.showScreen('closed', el.requestId);
  }

  if (el.form) {
    el.form.addEventListener('submit', function (event) {
      event.preventDefault();
      if (el.submit.getAttribute('aria-busy') === 'true') return;
      // The last errors go at once; the button says the address is being checked (prechat.js).
      showErrors({});
      el.error.textContent = '';
      W.showChecking(el.submit, $('request-status'), true);
      postRequest(collect()).then(function (result) {
        W.showChecking(el.submit, $('request-status'), false);
        if (result.status === 201) {
          showErrors({});
          showDone(result.data.request_id);
          return;
        }
        var first = result.data.fields ? showErrors(result.data.fields) : null;
        el.error.textContent = (result.data.error && result.data.error.message) || S.start_failed;
        (first || el.submit).focus();
      }, function () {
        W.showChecking(el.submit, $('request-status'), false);
        el.error.textContent = S.network_error;
      });
    });
    el.form.addEventListener('input', function (event) {
      if (event.target.getAttribute('aria-invalid')) setError(event.target, '');
      if (!el.form.querySelector('[aria-invalid="true"]')) el.error.textContent = '';
    });
  }

  // ---------------------------------------------------------------- from the queue

  var offer = null;
  var offerTimer = null;

  function buildOffer() {
    offer = W.node('div', 'hd-offer');
    var open = W.node('button', 'hd-button', S.request_offer);
    open.type = 'button';
    var panel = W.node('div', 'hd-offer-panel');
    panel.hidden = true;
    var text = W.node('p', '', '');
    var send = W.node('button', 'hd-button hd-primary', S.request_confirm);
    send.type = 'button';
    var stay = W.node('button', 'hd-button', S.keep_waiting);
    stay.type = 'button';
    var error = W.node('p', 'hd-alert', '');
    error.setAttribute('role', 'alert');
    var consent = config.consent ? consentField() : null;
    panel.appendChild(text);
    if (consent) panel.appendChild(consent.field);
    panel.appendChild(error);
    panel.appendChild(send);
    panel.appendChild(stay);
    offer.appendChild(open);
    offer.appendChild(panel);
    open.addEventListener('click', function () {
      var values = W.formValues && W.formValues();
      text.textContent = W.format(S.request_offer_text, { email: (values && values.email) || offer.email || '' });
      panel.hidden = false;
      open.hidden = true;
      send.focus();
    });
    stay.addEventListener('click', function () {
      panel.hidden = true;
      open.hidden = false;
      open.focus();
    });
    send.addEventListener('click', function () {
      if (consent && !consent.input.checked) {
        consent.setError(S.consent_needed);
        consent.input.focus();
        return;
      }
      send.disabled = true;
      postRequest(consent ? { consent: true } : {}, storedToken()).then(function (result) {
        send.disabled = false;
        if (result.status === 201) {
          offer.hidden = true;
          showDone(result.data.request_id);
        } else {
          error.textContent = (result.data.error && result.data.error.message) || S.start_failed;
        }
      }, function () {
        send.disabled = false;
        error.textContent = S.network_error;
      });
    });
    el.queue.parentNode.insertBefore(offer, el.queue.nextSibling);
  }

  /** The consent checkbox of the offer (as templates/chat/widget_consent.html draws it in the forms). */
  function consentField() {
    var field = W.node('div', 'hd-field hd-field-check hd-consent');
    var input = document.createElement('input');
    input.type = 'checkbox';
    input.id = 'hd-o-consent';
    input.required = true;
    var label = W.node('label', '', config.consent.text);
    label.htmlFor = input.id;
    var note = W.node('p', 'hd-error', '');
    note.id = 'hd-o-consent-error';
    note.hidden = true;
    field.appendChild(input);
    field.appendChild(label);
    if (/^https?:\/\//i.test(config.consent.link || '')) {
      var link = W.node('a', 'hd-consent-link', S.privacy_notice);
      link.href = config.consent.link;
      link.target = '_blank';
      link.rel = 'noopener';
      field.appendChild(link);
    }
    field.appendChild(note);
    input.addEventListener('change', function () { if (input.checked) setError(input, ''); });
    return { field: field, input: input, setError: function (message) { setError(input, message); } };
  }

  function showOffer(visible, email) {
    if (!offer && !visible) return;
    if (!offer) buildOffer();
    offer.email = email || offer.email;
    offer.hidden = !visible;
  }

  // W.forget: nothing of the last person's request stays on screen.
  W.hooks.forgotten = function () {
    window.clearTimeout(offerTimer);
    if (offer) {
      offer.remove();
      offer = null;
    }
    if (el.form) {
      el.form.reset();
      showErrors({});
      el.error.textContent = '';
    }
    if (el.done) el.done.hidden = true;
    el.requestId.textContent = '';
  };

  W.hooks.stateChanged = function (state) {
    window.clearTimeout(offerTimer);
    var delay = state.status === 'queued' ? state.request_offer_in_seconds : null;
    if (delay === null || delay === undefined) {
      showOffer(false);
    } else if (delay <= 0) {
      showOffer(true, state.customer_email);
    } else {
      showOffer(false);
      offerTimer = window.setTimeout(function () { showOffer(true, state.customer_email); }, delay * 1000);
    }
  };
})();
