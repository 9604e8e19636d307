async function streamForm(url, form, onEvent) {
  const response = await fetch(url, {method: 'POST', body: new FormData(form)});
  if (!response.ok) { onEvent('error', {message: await response.text()}); return; }
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  for (;;) {
    const {value, done} = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, {stream: true});
    let cut;
    while ((cut = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, cut); buffer = buffer.slice(cut + 2);
      let name = 'message', data = '';
      for (const line of block.split('\n')) {
        if (line.startsWith('event: ')) name = line.slice(7);
        else if (line.startsWith('data: ')) data += line.slice(6);
      }
      onEvent(name, JSON.parse(data));
    }
  }
}
function byId(id) { return document.getElementById(id); }
function setupChat() {
  addDownloads(document);
  const form = byId('chat-form');
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const log = byId('log');
    const q = document.createElement('div'); q.className = 'msg user';
    q.textContent = form.question.value; log.appendChild(q);
    const a = document.createElement('div'); a.className = 'msg assistant';
    const body = document.createElement('div'); body.className = 'md answer';
    const meta = document.createElement('div'); meta.className = 'meta';
    a.appendChild(body); a.appendChild(meta); log.appendChild(a);
    byId('status').textContent = 'asking…';
    await streamForm('api/chat', form, (name, data) => {
      if (name === 'start') { form.session.value = data.session_id || ''; meta.textContent = data.provider + ' · ' + data.model; }
      else if (name === 'notice') { const n = document.createElement('div'); n.className = 'meta notice'; n.textContent = data.text; a.insertBefore(n, body); }
      else if (name === 'html') { body.innerHTML = data.html; }
      else if (name === 'permission') { a.insertBefore(permissionBox(data), body); }
      else if (name === 'done') { body.innerHTML = data.html; addDownloads(body); drawDiagrams(body); meta.textContent = data.summary; a.dataset.done = '1'; byId('status').textContent = ''; }
      else if (name === 'error') { const e = document.createElement('div'); e.className = 'error'; e.textContent = data.message; a.appendChild(e); a.dataset.done = '1'; byId('status').textContent = ''; }
    });
    form.question.value = ''; form.uploads.value = '';
  });
  const question = form.question;
  question.addEventListener('input', async () => {
    const m = /@([\w./-]*)$/.exec(question.value);
    if (!m) return;
    const r = await fetch('api/files?prefix=' + encodeURIComponent(m[1]));
    const list = byId('mention-list'); list.innerHTML = '';
    for (const path of await r.json()) {
      const li = document.createElement('li'); li.textContent = path;
      li.onclick = () => { question.value = question.value.slice(0, m.index) + '@' + path + ' '; list.innerHTML = ''; question.focus(); };
      list.appendChild(li);
    }
  });
}
function setupCompare() {
  const form = byId('compare-form');
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const cols = byId('columns'); cols.innerHTML = '';
    const chosen = Array.from(form.querySelectorAll('input[name=models]:checked')).map(x => x.value);
    const boxes = chosen.map((value) => {
      const d = document.createElement('div'); d.className = 'column';
      d.innerHTML = '<h3></h3><div class="md answer"></div><div class="meta"></div>';
      d.querySelector('h3').textContent = value; cols.appendChild(d); return d;
    });
    await streamForm('api/compare', form, (name, data) => {
      const box = boxes[data.index];
      if (name === 'html') box.querySelector('.answer').innerHTML = data.html;
      else if (name === 'done') { box.querySelector('.answer').innerHTML = data.html; addDownloads(box); drawDiagrams(box); box.querySelector('.meta').textContent = data.summary; box.dataset.done = '1'; }
      else if (name === 'error') { box.querySelector('.meta').textContent = data.message; box.querySelector('.meta').className = 'meta error'; box.dataset.done = '1'; }
    });
  });
}
// A download link under each code block of an answer (the block's text, named by language).
function addDownloads(root) {
  root.querySelectorAll('pre > code').forEach((code, index) => {
    const pre = code.parentElement;
    if (pre.nextElementSibling && pre.nextElementSibling.classList.contains('download')) return;
    const lang = (/language-(\w+)/.exec(code.className) || [, 'txt'])[1];
    const ext = {python: 'py', javascript: 'js', typescript: 'ts', rust: 'rs', bash: 'sh'}[lang] || lang;
    const link = document.createElement('a');
    link.className = 'download';
    link.textContent = 'download';
    link.download = 'snippet-' + (index + 1) + '.' + ext;
    link.href = URL.createObjectURL(new Blob([code.innerText], {type: 'text/plain'}));
    pre.insertAdjacentElement('afterend', link);
  });
}
// A tool wants to run: show what it does (and its diff) with the three answers.
function permissionBox(data) {
  const box = document.createElement('div');
  box.className = 'permission';
  const title = document.createElement('div');
  title.textContent = data.tool + ': ' + data.summary;
  box.appendChild(title);
  if (data.diff) { const pre = document.createElement('pre'); pre.textContent = data.diff; box.appendChild(pre); }
  for (const [decision, label] of [['yes', 'Allow'], ['always', 'Always allow'], ['no', 'Deny']]) {
    const button = document.createElement('button');
    button.type = 'button'; button.textContent = label; button.dataset.decision = decision;
    button.onclick = async () => {
      const body = new FormData(); body.append('id', data.id); body.append('decision', decision);
      await fetch('api/permission', {method: 'POST', body});
      box.querySelectorAll('button').forEach((b) => b.remove());
      const said = document.createElement('span'); said.className = 'answered'; said.textContent = label;
      box.appendChild(said);
    };
    box.appendChild(button);
  }
  return box;
}
// Mermaid blocks drawn by the local mermaid.js (served from [diagrams] mermaid_js, never a
// CDN). Without it, or when a block does not parse, the source stays as labelled text.
let diagramCount = 0;
async function drawDiagrams(root) {
  if (!window.mermaid) return;
  if (!window.codaMermaidReady) {
    window.mermaid.initialize({startOnLoad: false, securityLevel: 'strict'});
    window.codaMermaidReady = true;
  }
  for (const figure of root.querySelectorAll("figure.diagram[data-lang='mermaid']:not([data-drawn])")) {
    const source = figure.querySelector('code').textContent;
    const caption = figure.querySelector('figcaption');
    figure.dataset.drawn = 'pending';
    try {
      const {svg} = await window.mermaid.render('coda-diagram-' + (++diagramCount), source);
      const drawing = document.createElement('div'); drawing.className = 'drawing'; drawing.innerHTML = svg;
      figure.insertBefore(drawing, caption);
      caption.textContent = 'Mermaid diagram (source below)';
      figure.dataset.drawn = '1';
    } catch (error) {
      caption.textContent = 'Mermaid diagram, shown as text: it could not be drawn (' + (error && error.message || error) + ')';
      figure.dataset.drawn = 'failed';
    }
  }
}
window.addEventListener('load', () => drawDiagrams(document));
