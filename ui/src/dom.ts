// Small DOM helpers. Text always goes in as text nodes (never innerHTML), so nothing in
// an item can become markup.

export function $(id: string): HTMLElement {
  const e = document.getElementById(id);
  if (!e) throw new Error(`missing element #${id}`);
  return e;
}

export function el(tag: string, attrs: Record<string, string> = {}, children: (Node | string)[] = []): HTMLElement {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) if (v !== "") e.setAttribute(k, v);
  for (const c of children) e.append(c);
  return e;
}

export function clear(e: HTMLElement) {
  while (e.firstChild) e.removeChild(e.firstChild);
}

let bannerTimer: number | undefined;

/// Show a message at the top of the window, in view however far the page is scrolled.
/// Errors stay until dismissed (× button); information fades after a few seconds.
export function showBanner(text: string, kind: "error" | "info" = "error") {
  const b = $("banner");
  $("banner-text").textContent = text;
  b.className = `banner ${kind}`;
  b.hidden = false;
  const close = $("banner-close");
  close.onclick = () => (b.hidden = true);
  if (bannerTimer) window.clearTimeout(bannerTimer);
  bannerTimer = kind === "info" ? window.setTimeout(() => (b.hidden = true), 4000) : undefined;
}

/// A file's bytes as base64, for commands that take file contents (the webview cannot
/// hand the shell a path).
export async function fileBase64(file: File): Promise<string> {
  const buf = new Uint8Array(await file.arrayBuffer());
  let bin = "";
  for (let i = 0; i < buf.length; i += 0x8000) bin += String.fromCharCode(...buf.subarray(i, i + 0x8000));
  return btoa(bin);
}
