export default function (component) {
  const bytes = component.data;
  const text = new TextDecoder().decode(bytes);
  const data = JSON.parse(text.slice(text.indexOf("\n") + 1));
  let tries = 0;
  const go = () => {
    if (window.__skMount) { window.__skMount({ ...component, data }); return; }
    if ((tries += 1) < 2400) setTimeout(go, 25);  // up to a minute for the code on a slow phone line
  };
  go();
}
