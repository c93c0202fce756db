/*
 * How the dashboard gets the agent's attention: the alert region (role
 * "alert", announced at once), a short sound when a chat arrives, and the
 * number of waiting customers and unread messages in the tab title.
 * Offers showAlert, clearAlert, notify and updateTitle.
 */
(function () {
  'use strict';

  var D = window.helpdeskDashboard;
  var state = D.state;
  var ui = D.ui;
  // Long enough to read a sentence twice; the agent can also close it.
  var ALERT_HIDE_MS = 10000;

  var baseTitle = document.title;
  var alertTimer = null;

  function showAlert(message) {
    clearTimeout(alertTimer);
    ui.alert.textContent = message || '';
    ui.alertClose.hidden = !message;
    ui.alertBox.classList.toggle('is-visible', !!message);
    if (message) { alertTimer = setTimeout(clearAlert, ALERT_HIDE_MS); }
  }

  function clearAlert() {
    clearTimeout(alertTimer);
    var hadFocus = document.activeElement === ui.alertClose;
    ui.alert.textContent = '';
    ui.alertClose.hidden = true;
    ui.alertBox.classList.remove('is-visible');
    if (hadFocus) { ui.takeNext.focus(); }
  }

  ui.alertClose.addEventListener('click', clearAlert);

  var audio = null;

  function audioContext() {
    if (audio) { return audio; }
    var Ctx = window.AudioContext || window.webkitAudioContext;
    if (!Ctx) { return null; }
    audio = new Ctx();
    return audio;
  }

  // Browsers start audio only after a user gesture: prepare the context then.
  function unlockAudio() {
    try {
      var ctx = audioContext();
      if (ctx && ctx.state === 'suspended' && ctx.resume) { ctx.resume().catch(function () {}); }
    } catch (e) { /* no audio */ }
  }
  document.addEventListener('pointerdown', unlockAudio, true);
  document.addEventListener('keydown', unlockAudio, true);

  function playSound() {
    try {
      var ctx = audioContext();
      if (!ctx) { return; }
      var play = function () {
        var start = ctx.currentTime + 0.02;
        [880, 1320].forEach(function (freq, i) {
          var osc = ctx.createOscillator();
          var gain = ctx.createGain();
          var at = start + i * 0.16;
          osc.type = 'sine';
          osc.frequency.setValueAtTime(freq, at);
          gain.gain.setValueAtTime(0.0001, at);
          gain.gain.exponentialRampToValueAtTime(0.2, at + 0.02);
          gain.gain.exponentialRampToValueAtTime(0.0001, at + 0.15);
          osc.connect(gain);
          gain.connect(ctx.destination);
          osc.start(at);
          osc.stop(at + 0.16);
        });
      };
      if (ctx.state === 'suspended' && ctx.resume) {
        ctx.resume().then(play, function () {});
      } else {
        play();
      }
    } catch (e) { /* audio blocked or missing: the title still shows it */ }
  }

  function notify() {
    // Away agents get no sound; the counts in the title still change.
    if (state.presence !== 'away') { playSound(); }
    updateTitle();
  }

  function updateTitle() {
    var count = state.queue.length;
    state.chats.forEach(function (chat) { count += D.unreadCount(chat); });
    var title = count > 0 ? '(' + count + ') ' + baseTitle : baseTitle;
    if (document.title !== title) { document.title = title; }
  }

  D.showAlert = showAlert;
  D.clearAlert = clearAlert;
  D.notify = notify;
  D.updateTitle = updateTitle;
}());
