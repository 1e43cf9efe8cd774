// The inbox page: lists the messages newest first, refreshes itself, shows one message.
// Everything from a message is put into the page as text (textContent), never as HTML.
(function () {
  'use strict';

  const REFRESH_MS = 2000;
  const LIST_LIMIT = 500;
  const $ = (id) => document.getElementById(id);
  let timer = null;
  let shown = null;

  function cell(row, text, className) {
    const td = document.createElement('td');
    td.textContent = text;
    if (className) {
      td.className = className;
    }
    row.appendChild(td);
    return td;
  }

  function formatSize(bytes) {
    if (bytes < 1024) {
      return bytes + ' B';
    }
    if (bytes < 1024 * 1024) {
      return (bytes / 1024).toFixed(1) + ' KiB';
    }
    return (bytes / (1024 * 1024)).toFixed(1) + ' MiB';
  }

  function formatTime(iso) {
    const date = new Date(iso);
    return isNaN(date) ? iso : date.toLocaleString();
  }

  function showError(text) {
    const error = $('error');
    error.textContent = text;
    error.hidden = !text;
  }

  async function fetchJson(url) {
    const response = await fetch(url, { headers: { Accept: 'application/json' } });
    if (!response.ok) {
      throw new Error(url + ': HTTP ' + response.status);
    }
    return response.json();
  }

  async function refresh() {
    try {
      const messages = await fetchJson('api/messages?limit=' + LIST_LIMIT);
      const tbody = $('messages').tBodies[0];
      const rows = document.createDocumentFragment();
      for (const m of messages) {
        const row = document.createElement('tr');
        row.dataset.id = m.id;
        row.tabIndex = 0;
        cell(row, formatTime(m.receivedAt), 'time');
        cell(row, m.from || '<>', 'from');
        cell(row, m.recipients.join(', '), 'to');
        cell(row, m.subject || '(no subject)', 'subject');
        cell(row, formatSize(m.size), 'num');
        row.addEventListener('click', () => open(m));
        row.addEventListener('keydown', (e) => { if (e.key === 'Enter') { open(m); } });
        rows.appendChild(row);
      }
      tbody.replaceChildren(rows);
      $('empty').hidden = messages.length > 0;
      $('count').textContent = messages.length === 1 ? '1 message' : messages.length + ' messages';
      showError('');
    } catch (e) {
      showError('Could not load the messages: ' + e.message);
    }
  }

  function term(list, name, value) {
    const dt = document.createElement('dt');
    dt.textContent = name;
    const dd = document.createElement('dd');
    dd.textContent = value;
    list.append(dt, dd);
  }

  async function open(m) {
    shown = m.id;
    const id = encodeURIComponent(m.id);
    $('subject').textContent = m.subject || '(no subject)';
    const envelope = $('envelope');
    envelope.replaceChildren();
    term(envelope, 'From', m.from || '<>');
    term(envelope, 'To', m.recipients.join(', '));
    term(envelope, 'Received', formatTime(m.receivedAt) + ' from ' + m.remoteAddress
        + (m.tls ? ' over TLS' : '') + (m.authenticatedUser ? ' as ' + m.authenticatedUser : ''));
    term(envelope, 'Size', formatSize(m.size));
    $('raw-link').href = 'api/messages/' + id + '/raw';
    $('body').textContent = 'Loading…';
    $('headers').tBodies[0].replaceChildren();
    $('list-pane').hidden = true;
    $('message-pane').hidden = false;
    try {
      const content = await fetchJson('api/messages/' + id + '/content');
      if (shown !== m.id) {
        return;
      }
      const rows = document.createDocumentFragment();
      for (const h of content.headers) {
        const row = document.createElement('tr');
        cell(row, h.name, 'name');
        cell(row, h.value, 'value');
        rows.appendChild(row);
      }
      $('headers').tBodies[0].replaceChildren(rows);
      $('body').textContent = content.text + (content.truncated ? '\n[…]' : '')
          || '(no text part)';
    } catch (e) {
      $('body').textContent = 'Could not load the message: ' + e.message;
    }
  }

  function close() {
    shown = null;
    $('message-pane').hidden = true;
    $('list-pane').hidden = false;
    refresh();
  }

  function schedule() {
    clearInterval(timer);
    timer = $('auto-refresh').checked ? setInterval(() => { if (!shown) { refresh(); } }, REFRESH_MS) : null;
  }

  $('refresh').addEventListener('click', refresh);
  $('close').addEventListener('click', close);
  $('auto-refresh').addEventListener('change', schedule);
  $('delete-all').addEventListener('click', async () => {
    if (!confirm('Delete every message?')) {
      return;
    }
    const response = await fetch('api/messages', { method: 'DELETE' });
    if (!response.ok) {
      showError('Could not delete: HTTP ' + response.status);
    }
    close();
  });

  refresh();
  schedule();
})();
