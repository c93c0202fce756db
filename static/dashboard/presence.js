/*
 * Present or away: the agent's choice goes to the server, which tells every
 * dashboard of the agent (a `presence` frame); the select shows what the
 * server holds, not what was clicked while offline. Offers setPresence.
 */
(function () {
  'use strict';

  var D = window.helpdeskDashboard;
  var state = D.state;
  var ui = D.ui;

  function setPresence(status) {
    if (status !== 'present' && status !== 'away') { return; }
    state.presence = status;
    ui.presenceSelect.value = status;
    ui.presenceDot.dataset.status = status;
  }

  ui.presenceSelect.addEventListener('change', function () {
    var status = ui.presenceSelect.value;
    if (D.socket.send({ type: 'presence', status: status })) {
      setPresence(status);
    } else {
      ui.presenceSelect.value = state.presence;
    }
  });

  D.setPresence = setPresence;
}());
