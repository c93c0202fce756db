/*
 * FAQ suggestions before the chat starts (loaded after the widget's own parts
 * only when the channel has them on). After the question, the best FAQ entries are shown:
 * an answer opens in place; "This answered my question" ends here, "Start
 * chat" goes on to the queue with the question as the first message. No
 * match, or no answer from the server: straight to the queue.
 * Endpoints: POST api/faq {question}, POST api/faq/<id>/opened and .../answered (docs/api.md).
 */
(function () {
  'use strict';

  var widget = window.helpdeskWidget;
  var screen = document.getElementById('hd-screen-faq');
  if (!widget || !screen) return;

  function $(id) { return document.getElementById('hd-faq-' + id); }

  var el = {
    suggestions: $('suggestions'), title: $('title'), list: $('list'), error: $('error'),
    back: $('back'), start: $('start'), done: $('done'), doneTitle: $('done-title'), again: $('again'),
    template: $('item'), question: document.getElementById('hd-question')
  };

  var state = { session: null, startChat: null, opened: {}, loading: false };

  widget.addScreen('faq', screen);

  // The question goes in the body: a URL ends up in access logs.
  function suggestionsFor(question) {
    return widget.api('faq', { question: question }).then(function (result) {
      return result.ok ? result.data : null;
    });
  }

  function entryItem(entry) {
    var item = el.template.content.firstElementChild.cloneNode(true);
    var toggle = item.querySelector('.hd-faq-toggle');
    var panel = item.querySelector('.hd-faq-panel');
    var panelId = 'hd-faq-answer-' + entry.id;
    toggle.textContent = entry.question;
    toggle.id = 'hd-faq-toggle-' + entry.id;
    toggle.setAttribute('aria-controls', panelId);
    panel.id = panelId;
    panel.setAttribute('aria-labelledby', toggle.id);
    // The only HTML the widget inserts: the answer, sanitized by the server
    // with an allow-list (faq/sanitize.py: links, p, br, strong, em, lists).
    // Everything else in the widget is set as text.
    panel.querySelector('.hd-faq-answer').innerHTML = entry.answer;
    item.setAttribute('data-entry', String(entry.id));
    return item;
  }

  function show(entries, start) {
    state.startChat = start;
    state.opened = {};
    el.list.textContent = '';
    el.error.textContent = '';
    entries.forEach(function (entry) { el.list.appendChild(entryItem(entry)); });
    el.suggestions.hidden = false;
    el.done.hidden = true;
    widget.showScreen('faq', el.title);
  }

  function record(entryId, what) {
    return widget.api('faq/' + entryId + '/' + what, { session: state.session || '' });
  }

  widget.hooks.beforeStart = function (question, start) {
    if (state.loading) return;
    state.loading = true;
    document.body.setAttribute('aria-busy', 'true');
    suggestionsFor(question).then(function (data) {
      state.loading = false;
      document.body.setAttribute('aria-busy', 'false');
      if (data && Array.isArray(data.entries) && data.entries.length) {
        state.session = data.session || null;
        show(data.entries, start);
      } else {
        start();
      }
    }, function () {
      // No FAQ today is better than no chat: go on to the queue.
      state.loading = false;
      document.body.setAttribute('aria-busy', 'false');
      start();
    });
  };

  el.list.addEventListener('click', function (event) {
    var item = event.target.closest('.hd-faq-item');
    if (!item) return;
    var entryId = item.getAttribute('data-entry');
    if (event.target.closest('.hd-faq-toggle')) {
      var toggle = item.querySelector('.hd-faq-toggle');
      var open = toggle.getAttribute('aria-expanded') !== 'true';
      toggle.setAttribute('aria-expanded', open ? 'true' : 'false');
      item.querySelector('.hd-faq-panel').hidden = !open;
      if (open && !state.opened[entryId]) {
        state.opened[entryId] = true;
        record(entryId, 'opened').catch(function () { /* counting only: the customer reads on */ });
      }
    } else if (event.target.closest('.hd-faq-answered')) {
      el.error.textContent = '';
      record(entryId, 'answered').then(function (result) {
        if (!result.ok && result.status !== 404) {
          el.error.textContent = (result.data.error && result.data.error.message) || screen.getAttribute('data-error');
          return;
        }
        // 404: the entry was unpublished meanwhile; the customer still got their answer.
        el.suggestions.hidden = true;
        el.done.hidden = false;
        el.doneTitle.focus();
      }, function () {
        el.error.textContent = widget.strings.network_error;
      });
    }
  });

  el.start.addEventListener('click', function () {
    var start = state.startChat;
    state.startChat = null;
    if (start) start();
  });

  el.back.addEventListener('click', function () {
    state.startChat = null;
    widget.showScreen('question', el.question);
  });

  el.again.addEventListener('click', function () {
    state.startChat = null;
    el.question.value = '';
    widget.showScreen('question', el.question);
  });
})();
