// Chat view script. The extension sends ready-made, sanitized HTML per entry; this script
// only places it, keeps the view scrolled and posts the user's input back.
(function () {
  const vscode = acquireVsCodeApi();
  const log = document.getElementById('log');
  const form = document.getElementById('form');
  const input = document.getElementById('question');
  const cancel = document.getElementById('cancel');
  const attach = document.getElementById('attach');
  const chips = document.getElementById('attachments');
  const elements = new Map();

  function nearBottom() {
    const root = document.scrollingElement || document.documentElement;
    return root.scrollHeight - root.scrollTop - root.clientHeight < 80;
  }

  function scrollToBottom() {
    const root = document.scrollingElement || document.documentElement;
    root.scrollTop = root.scrollHeight;
  }

  function upsert(entry) {
    const follow = nearBottom();
    let el = elements.get(entry.id);
    if (!el) {
      el = document.createElement('section');
      const title = document.createElement('header');
      title.className = 'title';
      const body = document.createElement('div');
      body.className = 'body';
      const footer = document.createElement('footer');
      footer.className = 'footer';
      el.append(title, body, footer);
      log.appendChild(el);
      elements.set(entry.id, el);
    }
    el.className = 'entry ' + entry.role + ' ' + entry.status;
    el.querySelector('.title').textContent = entry.title;
    el.querySelector('.body').innerHTML = entry.html;
    el.querySelector('.footer').textContent = entry.footer;
    if (entry.status !== 'streaming') {
      drawDiagrams(el);
    }
    if (follow) {
      scrollToBottom();
    }
  }

  // Mermaid blocks drawn by the bundled mermaid.js (loaded only when the build has it);
  // otherwise, or when a block does not parse, the labelled source stays as text.
  let diagrams = 0;
  async function drawDiagrams(root) {
    if (!window.mermaid) {
      return;
    }
    if (!window.codaMermaidReady) {
      window.mermaid.initialize({ startOnLoad: false, securityLevel: 'strict', theme: document.body.classList.contains('vscode-dark') ? 'dark' : 'default' });
      window.codaMermaidReady = true;
    }
    for (const figure of root.querySelectorAll('figure.diagram[data-lang="mermaid"]:not([data-drawn])')) {
      const caption = figure.querySelector('figcaption');
      figure.dataset.drawn = 'pending';
      try {
        const { svg } = await window.mermaid.render('coda-diagram-' + ++diagrams, figure.querySelector('code').textContent);
        const drawing = document.createElement('div');
        drawing.className = 'drawing';
        drawing.innerHTML = svg;
        figure.insertBefore(drawing, caption);
        caption.textContent = 'Mermaid diagram (source below)';
        figure.dataset.drawn = '1';
      } catch (error) {
        caption.textContent = 'Mermaid diagram, shown as text: it could not be drawn (' + ((error && error.message) || error) + ')';
        figure.dataset.drawn = 'failed';
      }
    }
  }

  window.addEventListener('message', (event) => {
    const msg = event.data;
    switch (msg && msg.type) {
      case 'entries':
        log.textContent = '';
        elements.clear();
        msg.entries.forEach(upsert);
        scrollToBottom();
        break;
      case 'entry':
        upsert(msg.entry);
        break;
      case 'busy':
        cancel.hidden = !msg.busy;
        break;
      case 'focus':
        input.focus();
        break;
      case 'prefill':
        input.value = msg.text;
        input.focus();
        break;
      case 'attachments':
        showAttachments(msg.names || []);
        break;
    }
  });

  function send() {
    const question = input.value.trim();
    if (question) {
      vscode.postMessage({ type: 'ask', question });
      input.value = '';
    }
  }

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    send();
  });
  input.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      send();
    }
  });
  cancel.addEventListener('click', () => vscode.postMessage({ type: 'cancel' }));
  attach.addEventListener('click', () => vscode.postMessage({ type: 'pickAttachment' }));

  function showAttachments(names) {
    chips.textContent = '';
    chips.hidden = names.length === 0;
    names.forEach((name) => {
      const chip = document.createElement('span');
      chip.className = 'chip';
      chip.textContent = name;
      const remove = document.createElement('button');
      remove.type = 'button';
      remove.title = 'Remove ' + name;
      remove.textContent = '×';
      remove.addEventListener('click', () => vscode.postMessage({ type: 'detach', name }));
      chip.appendChild(remove);
      chips.appendChild(chip);
    });
  }

  // Drag-in: files from the desktop arrive as File objects (read here as base64); files
  // from VS Code's explorer (dropped with Shift) as a uri list the extension reads.
  form.addEventListener('dragover', (event) => {
    event.preventDefault();
    form.classList.add('dragging');
  });
  form.addEventListener('dragleave', () => form.classList.remove('dragging'));
  form.addEventListener('drop', (event) => {
    event.preventDefault();
    form.classList.remove('dragging');
    const transfer = event.dataTransfer;
    if (!transfer) {
      return;
    }
    const uris = (transfer.getData('text/uri-list') || '')
      .split(/\r?\n/)
      .filter((line) => line && !line.startsWith('#'));
    if (uris.length) {
      vscode.postMessage({ type: 'attachUris', uris });
      return;
    }
    Array.from(transfer.files || []).forEach((file) => {
      const reader = new FileReader();
      reader.onload = () => {
        const url = String(reader.result || '');
        vscode.postMessage({ type: 'attachData', name: file.name, data: url.slice(url.indexOf(',') + 1) });
      };
      reader.readAsDataURL(file);
    });
  });

  vscode.postMessage({ type: 'ready' });
})();
