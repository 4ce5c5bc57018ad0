// Streamlit's own English texts in the UI language: replaced where they appear (text and the attributes a
// screen reader reads), and again whenever Streamlit writes them anew. Only texts that are exactly one of
// Streamlit's English texts (or match one of its patterns) change, so the app's own texts are never touched.
const ATTRIBUTES = ["aria-label", "title", "placeholder"];
// what was written where, so that a switch of language (or back to English) starts from Streamlit's text
const writtenText = new WeakMap();
const writtenAttrs = new WeakMap();
function translated(source, where) {
  const table = window.__skTexts;
  if (!table || !source) return source;
  const text = source.trim();
  if (Object.prototype.hasOwnProperty.call(table.exact, text)) return source.replace(text, () => table.exact[text]);
  for (const [re, replacement, scope] of table.patterns) {
    if (scope !== "both" && scope !== where) continue;
    const match = text.match(re);
    if (match) {  // the part kept may itself be Streamlit's ("day, Zeitraum start date")
      const inner = translated(match[1], where);
      return source.replace(text, () => replacement.split("$1").join(inner));
    }
  }
  return source;
}
function rewrite(record, current, where) {
  // Streamlit's own text: what it wrote last, unless the text is still what this code wrote
  const source = record && record.out === current ? record.source : current;
  const out = translated(source, where);
  return { source, out };
}
function translateNode(node) {
  if (node.nodeType === Node.TEXT_NODE) {
    const done = rewrite(writtenText.get(node), node.nodeValue, "text");
    if (done.out !== node.nodeValue) node.nodeValue = done.out;
    if (done.out !== done.source) writtenText.set(node, done);
    else writtenText.delete(node);
    return;
  }
  if (node.nodeType !== Node.ELEMENT_NODE) return;
  for (const name of ATTRIBUTES) {
    const value = node.getAttribute(name);
    if (value === null) continue;
    let records = writtenAttrs.get(node);
    const done = rewrite(records && records[name], value, "attr");
    if (done.out !== value) node.setAttribute(name, done.out);
    if (done.out !== done.source) {
      if (!records) writtenAttrs.set(node, (records = {}));
      records[name] = done;
    } else if (records) delete records[name];
  }
}
function translateTree(root) {
  translateNode(root);
  if (!root.querySelectorAll) return;
  for (const el of root.querySelectorAll("[aria-label], [title], [placeholder]")) translateNode(el);
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) translateNode(n);
}
function translateStreamlit(texts) {
  const key = JSON.stringify(texts || null);
  if (window.__skTextsKey === key) return;
  const first = window.__skTextsKey === undefined;
  window.__skTextsKey = key;
  window.__skTexts = texts && Object.keys(texts.exact).length
    ? { exact: texts.exact, patterns: texts.patterns.map(([p, r, w]) => [new RegExp(p), r, w]) }
    : null;
  if (!window.__skTexts && first) return;  // English from the start: nothing to do
  translateTree(document.body);  // a new language, or back to English: from Streamlit's texts
  if (window.__skTextObserver) return;
  window.__skTextObserver = new MutationObserver((records) => {
    for (const record of records) {
      if (record.type === "childList") record.addedNodes.forEach(translateTree);
      else translateNode(record.target);
    }
  });
  window.__skTextObserver.observe(document.body, {
    subtree: true, childList: true, characterData: true, attributes: true, attributeFilter: ATTRIBUTES,
  });
}
export default function ({ data }) {
  const root = document.documentElement;
  if (!data) return;
  if (data.lang && root.lang !== data.lang) root.lang = data.lang;
  let style = document.getElementById("sk-page-css");
  if (!style) {
    style = document.createElement("style");
    style.id = "sk-page-css";
    document.head.appendChild(style);
  }
  if (style.textContent !== data.css) style.textContent = data.css;
  translateStreamlit(data.texts);
  // On a phone the language is chosen in the sidebar, which covers the page: once the page speaks the new
  // language, the sidebar folds away (as after choosing a page), so the person sees the page, not the menu.
  if (window.__skLang !== undefined && window.__skLang !== data.lang && window.matchMedia("(max-width: 640px)").matches) {
    const fold = document.querySelector("[data-testid=stSidebarCollapseButton] button");
    if (fold && document.querySelector("[data-testid=stSidebar][data-collapsed=false]")) fold.click();
  }
  window.__skLang = data.lang;
  // After a login the page shows the person's start from its top (the form was further down the page).
  if (window.__skTop === undefined) {
    window.__skTop = data.top || 0;
  } else if ((data.top || 0) !== window.__skTop) {
    window.__skTop = data.top || 0;
    window.scrollTo(0, 0);
    for (const box of document.querySelectorAll("[data-testid=stMain], [data-testid=stAppViewContainer]")) {
      box.scrollTop = 0;
    }
  }
  // The grouped navigation in the sidebar (a phone) puts each group as a <div> with its heading and its
  // <li> items straight into the list <ul>: a list may hold only list items (axe "list", serious), and an
  // item only sits in a list. The links stay in Streamlit's <nav>; the groups become named groups.
  if (!window.__skNavList) {
    const mend = () => {
      for (const list of document.querySelectorAll("[data-testid=stSidebarNavItems]:not([role])")) {
        if (!list.querySelector(":scope > div")) continue;  // no groups: a proper list as it is
        list.setAttribute("role", "none");
        for (const item of list.querySelectorAll("li")) item.setAttribute("role", "none");
        for (const group of list.querySelectorAll(":scope > div")) {
          group.setAttribute("role", "group");
          const heading = group.querySelector("[data-testid=stNavSectionHeader]");
          if (heading) group.setAttribute("aria-label", heading.innerText.replace("expand_more", "").trim());
        }
      }
    };
    window.__skNavList = new MutationObserver(mend);
    window.__skNavList.observe(document.body, { subtree: true, childList: true });
    mend();
  }
  // On a phone the sidebar covers the page: after a page is chosen in it, it folds away (Streamlit keeps it
  // open). Registered once per document.
  if (!window.__skFoldSidebar) {
    window.__skFoldSidebar = true;
    document.addEventListener("click", (event) => {
      if (!event.target.closest || !event.target.closest("[data-testid=stSidebarNavLink]")) return;
      if (!window.matchMedia("(max-width: 640px)").matches) return;
      window.setTimeout(() => {
        const fold = document.querySelector("[data-testid=stSidebarCollapseButton] button");
        if (fold) fold.click();
      }, 0);
    });
  }
}
