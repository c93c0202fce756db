/*
 * Before the chat: the pre-chat form (name, e-mail, the channel's own fields;
 * the host page may pre-fill them) and the question, then POST api/start
 * (docs/api.md). Errors show under their fields, translated by the server.
 * Offers window.helpdeskWidget.startChat, formValues, typedValues, prefill and the
 * form's focus helpers.
 */
(function () {
  'use strict';

  var W = window.helpdeskWidget;
  var S = W.strings;
  var hooks = W.hooks;

  function $(id) { return document.getElementById('hd-' + id); }

  var el = {
    form: $('form'), formError: $('form-error'), formSubmit: $('form-submit'), formStatus: $('form-status'),
    questionForm: $('question-form'), question: $('question'), questionError: $('question-error'),
    questionSubmit: $('question-submit'), back: $('back')
  };

  var formValues = null;  // validated values, kept in memory only
  var busy = false;

  function firstFormFocus() {
    var fields = el.form.querySelectorAll('input, select, textarea');
    for (var i = 0; i < fields.length; i++) {
      if (fields[i].type === 'checkbox' ? !fields[i].checked && fields[i].required : !fields[i].value) return fields[i];
    }
    return el.formSubmit;
  }

  // ---------------------------------------------------------------- pre-chat form

  function formFields() {
    return Array.prototype.slice.call(el.form.querySelectorAll('[data-field]'));
  }

  function collectForm() {
    var fields = {};
    formFields().forEach(function (input) {
      fields[input.getAttribute('data-field')] = input.type === 'checkbox' ? input.checked : input.value.trim();
    });
    var values = { name: $('f-name').value.trim(), email: $('f-email').value.trim(), fields: fields };
    // The channel's consent checkbox, where it asks for one (the server checks it again).
    var consent = $('f-consent');
    if (consent) values.consent = consent.checked;
    return values;
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

  // On the button, not the body: a busy body would keep screen readers from
  // announcing the status and the errors while it lasts.
  function setBusy(button, isBusy) {
    busy = isBusy;
    button.setAttribute('aria-disabled', isBusy ? 'true' : 'false');
    button.setAttribute('aria-busy', isBusy ? 'true' : 'false');
  }

  /**
   * The server checks the form's e-mail address (its domain, over DNS: it may
   * take seconds), for the pre-chat form and the request form (closed.js).
   * Meanwhile the button says so and takes no second click, and a polite
   * status announces it once.
   */
  function showChecking(button, status, checking) {
    if (checking && !button.hasAttribute('data-label')) {
      button.setAttribute('data-label', button.textContent);
      button.textContent = S.checking;
    } else if (!checking && button.hasAttribute('data-label')) {
      button.textContent = button.getAttribute('data-label');
      button.removeAttribute('data-label');
    }
    if (status) status.textContent = checking ? S.checking_email : '';
    button.setAttribute('aria-disabled', checking ? 'true' : 'false');
    button.setAttribute('aria-busy', checking ? 'true' : 'false');
  }

  var checking = false;  // the pre-chat form's check is under way

  function checkingForm(isChecking) {
    busy = checking = isChecking;
    showChecking(el.formSubmit, el.formStatus, isChecking);
  }

  // Each check is numbered: one the customer edited the form after is of no use any more.
  var checkNumber = 0;

  el.form.addEventListener('submit', function (event) {
    event.preventDefault();
    if (busy) return;
    var values = collectForm();
    var number = ++checkNumber;
    // The last check's errors are gone the moment a new one starts.
    clearFormErrors();
    checkingForm(true);
    W.api('form', values).then(function (result) {
      if (number !== checkNumber) return;
      checkingForm(false);
      if (result.ok) {
        clearFormErrors();
        values.email = result.data.email || values.email;
        formValues = values;
        W.showScreen('question', el.question);
        // While the question is typed: the chat's parts, so that it starts at once.
        W.loadChat().catch(function () { /* tried again when the chat starts */ });
      } else if (hooks.startRefused && hooks.startRefused(result)) {
        // Handled by a feature module (the closed view).
      } else if (result.data.fields) {
        var first = showFormErrors(result.data);
        (first || el.formSubmit).focus();
      } else {
        el.formError.textContent = (result.data.error && result.data.error.message) || S.start_failed;
      }
    }, function () {
      if (number !== checkNumber) return;
      checkingForm(false);
      el.formError.textContent = S.network_error;
    });
  });

  // Clear a field's error as soon as it is edited, and the form's message
  // with the last one. An edit during a check makes its answer stale: the
  // customer sends the form again.
  el.form.addEventListener('input', function (event) {
    if (event.target.getAttribute('aria-invalid')) setFieldError(event.target, '');
    if (!el.form.querySelector('[aria-invalid="true"]')) el.formError.textContent = '';
    if (checking) {
      checkNumber++;
      checkingForm(false);
    }
  });

  /** What the host page handed over (data-name, data-email, data-field-<key>), where the customer typed nothing yet. */
  // The host page the loader reported (helpdesk:hello), sent with start.
  var hostPage = null;

  function browserTimeZone() {
    try { return Intl.DateTimeFormat().resolvedOptions().timeZone || ''; } catch (e) { return ''; }
  }

  function prefill(data) {
    if (data.page && typeof data.page === 'object' && typeof data.page.url === 'string') {
      hostPage = { url: data.page.url.slice(0, 2000), title: String(data.page.title || '').slice(0, 300) };
    }
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

  /** The chat this browser had is gone (its token opens nothing): start again from the form. */
  function showChatGone() {
    W.showScreen('form');
    el.formError.textContent = S.chat_gone;
    if (document.hasFocus()) firstFormFocus().focus();
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

  W.enterSubmits(el.question, el.questionForm);

  el.back.addEventListener('click', function () {
    showQuestionError('');
    W.showScreen('form', firstFormFocus());
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
      W.showScreen('form', firstFormFocus());
      return;
    }
    // A feature module may step in before the chat starts (FAQ suggestions).
    if (hooks.beforeStart) hooks.beforeStart(question, function () { startChat(question); });
    else startChat(question);
  });

  function startChat(question) {
    var body = { name: formValues.name, email: formValues.email, fields: formValues.fields, question: question };
    if (formValues.consent !== undefined) body.consent = formValues.consent;
    // Context for the agent; the server checks each value and drops what does not pass.
    if (hostPage) {
      body.page_url = hostPage.url;
      body.page_title = hostPage.title;
    }
    body.time_zone = browserTimeZone();
    setBusy(el.questionSubmit, true);
    // The chat's parts first: a chat is started only when it can be shown.
    W.loadChat().then(function () {
      return W.api('start', body);
    }).then(function (result) {
      setBusy(el.questionSubmit, false);
      if (result.status === 201 && result.data.token) {
        showQuestionError('');
        el.question.value = '';
        W.toParent('helpdesk:started');
        W.beginChat(result.data.token, result.data.state);
        return;
      }
      // A feature module may handle a refusal (the channel closed meanwhile).
      if (hooks.startRefused && hooks.startRefused(result)) return;
      var fields = result.data.fields || {};
      var message = (result.data.error && result.data.error.message) || S.start_failed;
      if (fields.question || !Object.keys(fields).length) {
        showQuestionError(fields.question || message);
        W.showScreen('question', el.question);
      } else {
        W.showScreen('form');
        (showFormErrors(result.data) || el.formSubmit).focus();
      }
    }, function () {
      setBusy(el.questionSubmit, false);
      showQuestionError(S.network_error);
      W.showScreen('question', el.question);
    });
  }

  /** For W.forget: nothing the last person typed stays in the forms. */
  function resetForms() {
    el.form.reset();
    el.questionForm.reset();
    clearFormErrors();
    showQuestionError('');
    formValues = null;
    if (checking) {
      checkNumber++;
      checkingForm(false);
    }
  }

  /** What the customer has typed so far, checked or not (closed.js carries it into the request form). */
  function typedValues() {
    var values = collectForm();
    values.question = el.question.value.trim();
    return values;
  }

  W.firstFormFocus = firstFormFocus;
  W.showChecking = showChecking;
  W.typedValues = typedValues;
  W.resetForms = resetForms;
  W.questionBox = el.question;
  W.formValues = function () { return formValues; };
  W.prefill = prefill;
  W.showChatGone = showChatGone;
  W.startChat = startChat;
})();
