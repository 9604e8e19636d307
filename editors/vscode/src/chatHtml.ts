/** The chat webview's HTML shell. Pure: the caller passes the webview's URIs and CSP source. */

export interface ChatHtmlInput {
  cspSource: string;
  nonce: string;
  scriptUri: string;
  styleUri: string;
  /** The bundled media/mermaid.min.js, when the build included it (diagrams drawn). */
  mermaidUri?: string;
}

export function makeNonce(random: () => number = Math.random): string {
  const chars = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  let nonce = '';
  for (let i = 0; i < 32; i++) {
    nonce += chars.charAt(Math.floor(random() * chars.length));
  }
  return nonce;
}

export function chatHtml(input: ChatHtmlInput): string {
  // Scripts only with the nonce; styles only from the extension; images from the
  // extension or https (a model may link a picture); nothing else.
  // Mermaid writes a <style> element into each SVG it draws: with it, inline styles are
  // allowed (scripts still only with the nonce); without it, nothing inline at all.
  const styles = input.mermaidUri ? `${input.cspSource} 'unsafe-inline'` : input.cspSource;
  const mermaid = input.mermaidUri
    ? `<script nonce="${input.nonce}" src="${input.mermaidUri}"></script>\n`
    : '';
  const csp = [
    "default-src 'none'",
    `style-src ${styles}`,
    `script-src 'nonce-${input.nonce}'`,
    `img-src ${input.cspSource} https: data:`,
    `font-src ${input.cspSource}`,
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${input.styleUri}">
<title>Coda</title>
</head>
<body>
<main id="log" aria-live="polite"></main>
<form id="form">
  <div id="attachments" class="attachments" hidden></div>
  <textarea id="question" rows="3" placeholder="Ask Coda… (Enter to send, Shift+Enter for a new line)"></textarea>
  <div class="buttons">
    <button type="button" id="attach" class="secondary" title="Attach an image (a screenshot of an error or of code) or a PDF to the next question; or drop files here">Attach…</button>
    <button type="button" id="cancel" class="secondary" hidden title="Stop the reply">Cancel</button>
    <button type="submit" id="send" title="Send">Send</button>
  </div>
</form>
${mermaid}<script nonce="${input.nonce}" src="${input.scriptUri}"></script>
</body>
</html>`;
}
