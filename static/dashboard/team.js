/*
 * The "Team" panel (templates/agent/parts/team.html): each of the agent's
 * channels with its members, present or away, and their open chats against
 * the channel's limit, live from `team` frames (docs/protocol.md, "Transfers
 * and reassignment"). A manager of a channel also sees its open chats, each
 * with a "Reassign" button and a dialog to choose the new agent.
 * Offers D.team (the last frame) and the event 'team' (frame).
 */
(function () {
  'use strict';

  var D = window.helpdeskDashboard;
  var t = D.t;
  var el = D.el;
  var body = document.getElementById('team-body');
  var reassignDialog = document.getElementById('reassign-dialog');
  var reassignTitle = document.getElementById('reassign-dialog-title');
  var reassignSelect = document.getElementById('reassign-agent');
  var reassigning = null; // {chat, channel} while the dialog is open

  D.team = null;

  // Every (re)connection: ask for the team, and follow its changes from there.
  D.on('state', function () { D.socket.send({ type: 'team' }); });

  D.frameHandlers.team = function (frame) {
    D.team = frame;
    render(frame);
    D.emit('team', frame);
  };

  function memberName(channel, id) {
    var found = (channel.members || []).filter(function (m) { return m.id === id; })[0];
    return found ? found.name : '';
  }

  function render(frame) {
    body.textContent = '';
    (frame.channels || []).forEach(function (channel) {
      var section = el('section', 'team__channel');
      var headingId = 'team-channel-' + channel.id;
      var heading = el('h3', 'team__name', channel.name);
      heading.id = headingId;
      section.appendChild(heading);
      var list = el('ul', 'team__members');
      list.setAttribute('aria-labelledby', headingId);
      (channel.members || []).forEach(function (member) {
        var li = el('li', 'team__member' + (member.available ? ' is-present' : ''));
        li.appendChild(el('span', 'team__dot'));
        li.appendChild(el('span', 'team__member-name', member.name));
        li.appendChild(el('span', 'team__status', member.available ? t('present') : t('away')));
        li.appendChild(el('span', 'team__load', t('team_member_load', { open: member.open_chats, max: channel.max_chats })));
        list.appendChild(li);
      });
      section.appendChild(list);
      if (channel.manager && channel.chats && channel.chats.length) {
        section.appendChild(el('h4', 'team__chats-heading', t('team_chats', { channel: channel.name })));
        var chats = el('ul', 'team__chats');
        channel.chats.forEach(function (chat) {
          var li = el('li', 'team__chat');
          var who = chat.agent_id ? t('team_with_agent', { agent: memberName(channel, chat.agent_id) }) : t('team_waiting');
          li.appendChild(el('span', 'team__chat-name', chat.customer_name));
          li.appendChild(el('span', 'team__chat-who', who));
          var button = el('button', 'button button--small button--quiet', t('reassign_short'));
          button.type = 'button';
          button.setAttribute('aria-label', t('reassign_chat', { name: chat.customer_name }));
          button.addEventListener('click', function () { openReassign(channel, chat); });
          li.appendChild(button);
          chats.appendChild(li);
        });
        section.appendChild(chats);
      }
      body.appendChild(section);
    });
  }

  function openReassign(channel, chat) {
    reassigning = { channel: channel, chat: chat };
    reassignTitle.textContent = t('reassign_chat', { name: chat.customer_name });
    reassignSelect.textContent = '';
    channel.members.forEach(function (member) {
      if (!member.available || member.id === chat.agent_id) { return; }
      var option = el('option', '', t('team_agent_option', { name: member.name, open: member.open_chats, max: channel.max_chats }));
      option.value = String(member.id);
      reassignSelect.appendChild(option);
    });
    document.getElementById('reassign-submit').disabled = reassignSelect.options.length === 0;
    reassignDialog.returnValue = '';
    reassignDialog.showModal();
    reassignSelect.focus();
  }

  D.onDialogClosed(reassignDialog, function () {
    if (reassignDialog.returnValue === 'reassign' && reassigning && reassignSelect.value) {
      D.socket.send({ type: 'reassign', chat_id: reassigning.chat.id, agent_id: Number(reassignSelect.value) });
    }
    reassigning = null;
  });
}());
