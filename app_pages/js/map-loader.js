export default function ({ data }) {
  // the map's code comes once per browser as a file of its own (`webmap.browser_bundle`, cached a year)
  if (!window.__skMount && !document.querySelector("script[data-sk-map]")) {
    const script = document.createElement("script");
    script.src = SK_BUNDLE;
    script.dataset.skMap = "1";
    document.head.appendChild(script);
  }
  // the geometry too (`webmap.publish`): `data` is its address, named after its content, so the browser
  // keeps it; the map waits until it is here
  window.__skBase = window.__skBase || {};
  window.__skBaseLoading = window.__skBaseLoading || {};
  const address = String(data);
  const version = address.slice(address.lastIndexOf("/") + 1).replace(/\.json$/, "");
  if (window.__skBase[version] || window.__skBaseLoading[version]) return;
  window.__skBaseLoading[version] = true;
  const load = (attempt) => fetch(address, { credentials: "same-origin" })
    .then((response) => {
      if (!response.ok) throw new Error(String(response.status));
      return response.json();
    })
    .then((base) => { window.__skBase[version] = base; })
    .catch(() => {
      if (attempt < 5) setTimeout(() => load(attempt + 1), 400 * (attempt + 1));
      else delete window.__skBaseLoading[version];  // the next rerun tries again
    });
  load(0);
}
