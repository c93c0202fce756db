/*
 * The post-chat form: rating, comment and the transcript by e-mail
 * (templates/chat/widget_postchat.html; POST /chat/<slug>/api/postchat,
 * docs/api.md). Closing an active chat shows it as its own screen with
 * "Back to chat"; after the agent ended the chat it shows below the log.
 * Hooks into the widget (static/widget/core.js, chat.js) through window.helpdeskWidget.
 */
(function () {
  'use strict';

  var W = window.helpdeskWidget;
  var screen = document.getElementById('hd-screen-postchat');
  if (!W || !screen) return;

  function $(id) { return document.getElementById('hd-' + id); }

  var box = $('postchat');
  var form = $('postchat-form');
  var title = $('postchat-title');
  var error = $('postchat-error');
  var comment = $('postchat-comment');
  var transcript = $('postchat-transcript');
  var emailNode = $('postchat-email');
  var back = $('postchat-back');
  var skip = $('postchat-skip');
  var send = $('postchat-send');
  var done = $('postchat-done');
  var thanks = $('postchat-thanks');
  var sentNote = $('postchat-sent');
  var sentEmail = $('postchat-sent-email');

  W.addScreen('postchat', screen);

  var API = '/chat/' + encodeURIComponent(W.config.slug) + '/api/';
  var hasRating = screen.getAttribute('data-rating') === '1';
  var transcriptField = transcript ? transcript.closest('.hd-field') : null;
  var skipLabel = skip.textContent;

  var formToken = null;      // the chat the form is filled in for
  var doneToken = null;      // the chat whose form this page sent
  var dismissedToken = null; // the chat whose form was closed without sending
  var transcriptSent = false;
  var busy = false;

  function setEmail(address) {
    if (!address) return;
    if (emailNode) emailNode.textContent = address;
    if (sentEmail) sentEmail.textContent = address;
  }

  /** A fresh form for each chat. */
  function freshFor(token) {
    if (formToken === token) return;
    formToken = token;
    form.reset();
    error.textContent = '';
    form.hidden = false;
    done.hidden = true;
    transcriptSent = false;
  }

  /**
   * The transcript is offered only when the server says one is available
   * (state.transcript_available: an agent answered). Without it and without
   * a rating, the form is only the way back to the chat or out of it.
   */
  function offerTranscript(available) {
    if (transcriptField) {
      transcriptField.hidden = !available;
      if (!available) transcript.checked = false;
    }
    var nothingToAsk = !hasRating && !available;
    send.hidden = nothingToAsk;
    skip.textContent = nothingToAsk ? W.strings.close : skipLabel;
  }

  // An agent's messages change no state frame, so the state is asked for
  // when the form opens on an active chat.
  function askTranscriptAvailable(token) {
    fetch(API + 'state', { credentials: 'same-origin', headers: { 'Accept': 'application/json', 'X-Chat-Token': token } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (data && data.state && formToken === token) offerTranscript(!!data.state.transcript_available);
      }, function () { /* no answer: the transcript stays hidden */ });
  }

  function hasNothingToAsk(state) {
    return !hasRating && !state.transcript_available;
  }

  function place(parent, before) {
    if (box.parentNode !== parent || box.nextSibling !== before) parent.insertBefore(box, before || null);
    // Below the log, the form takes room from it: its last lines (who ended the chat) stay in view.
    if (parent === W.endedBox && W.log) W.log.scrollToBottom();
  }

  function onScreen() {
    return !screen.hidden;
  }

  function setBusy(isBusy) {
    busy = isBusy;
    send.setAttribute('aria-disabled', isBusy ? 'true' : 'false');
  }

  // Closing an active chat: the form first, with the way back.
  W.hooks.beforeEnd = function (info) {
    if (info.status !== 'active') return false;
    freshFor(W.chatToken());
    offerTranscript(false);
    askTranscriptAvailable(W.chatToken());
    var values = W.formValues();
    if (values) setEmail(values.email);
    back.hidden = false;
    box.hidden = false;
    place(screen, null);
    W.showScreen('postchat', title);
    return true;
  };

  // The chat ended (by anyone, or the form was just sent).
  W.hooks.ended = function (state) {
    var token = W.chatToken();
    setEmail(state.customer_email);
    freshFor(token);
    offerTranscript(!!state.transcript_available);
    if (doneToken === token) {
      form.hidden = true;
      done.hidden = false;
      sentNote.hidden = !transcriptSent;
      box.hidden = false;
      place(W.endedBox, W.writeAgainButton);
      W.newChatButton.hidden = false;
      return;
    }
    var offer = state.ended_by === 'agent' && !state.postchat_done && dismissedToken !== token && !hasNothingToAsk(state);
    if (offer && onScreen()) {
      // The agent ended the chat while the customer was filling in the form.
      back.hidden = true;
      return;
    }
    if (offer) {
      back.hidden = true;
      box.hidden = false;
      place(W.endedBox, W.writeAgainButton);
      W.newChatButton.hidden = true;
      return;
    }
    if (box.parentNode === W.endedBox) box.hidden = true;
    W.newChatButton.hidden = false;
  };

  back.addEventListener('click', function () {
    W.backToChat();
  });

  skip.addEventListener('click', function () {
    dismissedToken = W.chatToken();
    if (onScreen()) {
      if (W.chatStatus() !== 'ended') W.endChat();
      W.showScreen('chat');
      if (W.chatStatus() === 'ended') W.newChatButton.focus();
    } else {
      box.hidden = true;
      W.newChatButton.hidden = false;
      W.newChatButton.focus();
    }
  });

  form.addEventListener('submit', function (event) {
    event.preventDefault();
    if (busy) return;
    var checked = form.querySelector('input[name="rating"]:checked');
    var token = W.chatToken();
    var body = {
      rating: checked ? Number(checked.value) : null,
      comment: comment ? comment.value : '',
      transcript: !!(transcript && transcript.checked)
    };
    setBusy(true);
    error.textContent = '';
    // Sending again after a lost answer is safe: the server keeps the first
    // form and sends the transcript once.
    W.api('postchat', body, { 'X-Chat-Token': token }).then(function (result) {
      setBusy(false);
      if (!result.ok || !result.data.state) {
        error.textContent = (result.data.error && result.data.error.message) || W.strings.start_failed;
        return;
      }
      var wasOnScreen = onScreen();
      doneToken = token;
      transcriptSent = !!result.data.transcript;
      W.applyState(result.data.state);
      if (wasOnScreen) W.showScreen('chat', thanks);
      else thanks.focus();
    }, function () {
      setBusy(false);
      error.textContent = W.strings.network_error;
    });
  });
})();
