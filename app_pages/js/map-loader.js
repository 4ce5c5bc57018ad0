export default function ({ data }) {
  // the map's code comes once per browser as a file of its own (`webmap.browser_bundle`, cached a year)
  if (!window.__skMount && !document.querySelector("script[data-sk-map]")) {
    const script = document.createElement("script");
    script.src = SK_BUNDLE;
    script.dataset.skMap = "1";
    document.head.appendChild(script);
  }
  window.__skBase = window.__skBase || {};
  const bytes = new Uint8Array(data.buffer || data, data.byteOffset || 0, data.byteLength);
  const cut = bytes.indexOf(10);
  const version = new TextDecoder().decode(bytes.subarray(0, cut));
  if (!window.__skBase[version]) window.__skBase[version] = JSON.parse(new TextDecoder().decode(bytes.subarray(cut + 1)));
}
