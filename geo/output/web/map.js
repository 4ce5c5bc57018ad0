// The Erkunden map: Leaflet built once per base (geometry), restyled in place on every change.
// Streamlit runs this function again on every change of `data` in the same parent element; the map lives
// on that element and is rebuilt only when the element or the base changes. Text from data is always set
// with textContent, never as HTML.

function waitFor(version, then) {
  const ready = () => window.L && window.__skBase && window.__skBase[version];
  if (ready()) { then(window.__skBase[version]); return; }
  let tries = 0;
  const timer = setInterval(() => {
    tries += 1;
    if (ready()) { clearInterval(timer); then(window.__skBase[version]); }
    else if (tries > 600) { clearInterval(timer); }
  }, 25);
}

function rings(encoded) {
  // delta-encoded integer rings (1e-5 degrees, lon/lat) -> Leaflet lat/lng arrays
  return encoded.map((polygon) => polygon.map((ring) => {
    const out = [];
    let x = 0; let y = 0;
    for (let i = 0; i < ring.length; i += 2) {
      x += ring[i]; y += ring[i + 1];
      out.push([y / 1e5, x / 1e5]);
    }
    return out;
  }));
}

function topology(base) {
  // TopoJSON (quantised, delta-encoded arcs, each border once) -> Leaflet lat/lng rings per Sozialraum and
  // the Stadtbezirk borders as lines; decoded once per base and kept on it
  if (base.decoded) return base.decoded;
  const topo = base.topology;
  const [sx, sy] = topo.transform.scale;
  const [tx, ty] = topo.transform.translate;
  const arcs = topo.arcs.map((arc) => {
    let x = 0; let y = 0;
    return arc.map(([dx, dy]) => { x += dx; y += dy; return [y * sy + ty, x * sx + tx]; });
  });
  const ring = (refs) => {
    const out = [];
    refs.forEach((ref, k) => {
      const arc = ref >= 0 ? arcs[ref] : arcs[~ref].slice().reverse();
      for (let i = k ? 1 : 0; i < arc.length; i += 1) out.push(arc[i]);
    });
    return out;
  };
  const areas = topo.objects.sozialraeume.geometries;
  base.decoded = {
    shapes: areas.map((g) => g.arcs.map((polygon) => polygon.map(ring))),
    bezirke: base.bezirkArcs.map((i) => arcs[i]),
  };
  return base.decoded;
}

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined && text !== null) node.textContent = text;
  return node;
}

function tooltip(state, i) {
  const box = el("div");
  box.appendChild(el("div", "sk-tip-name", state.base.names[i] || state.base.ids[i]));
  box.appendChild(el("div", null, state.base.places[i]));
  const line = state.style.lines[i];
  if (line) {
    const lines = ((state.style.linePrefix || "") + line).split("\n");
    for (const part of lines) if (part) box.appendChild(el("div", null, part));
  }
  const note = state.style.notes && state.style.notes[String(i)];
  if (note) box.appendChild(el("div", null, note));
  return box;
}

// A fill of white diagonal lines over `colour`: a second cue beside colour (the gaps of the coverage map).
function hatch(node, colour) {
  const svg = node.ownerSVGElement;
  const id = "sk-hatch-" + colour.replace(/[^0-9a-zA-Z]/g, "");
  if (!svg.querySelector("#" + id)) {
    const ns = "http://www.w3.org/2000/svg";
    let defs = svg.querySelector("defs");
    if (!defs) { defs = document.createElementNS(ns, "defs"); svg.insertBefore(defs, svg.firstChild); }
    const pattern = document.createElementNS(ns, "pattern");
    pattern.setAttribute("id", id);
    pattern.setAttribute("patternUnits", "userSpaceOnUse");
    pattern.setAttribute("width", "7");
    pattern.setAttribute("height", "7");
    pattern.setAttribute("patternTransform", "rotate(45)");
    const back = document.createElementNS(ns, "rect");
    back.setAttribute("width", "7");
    back.setAttribute("height", "7");
    back.setAttribute("fill", colour);
    const line = document.createElementNS(ns, "rect");
    line.setAttribute("width", "2.2");
    line.setAttribute("height", "7");
    line.setAttribute("fill", "#ffffff");
    pattern.appendChild(back);
    pattern.appendChild(line);
    defs.appendChild(pattern);
  }
  return "url(#" + id + ")";
}

// Labels that would overlap an earlier one are hidden (tandem names first, then Bezirk labels), again after
// every zoom: on a phone the ten Bezirk labels of the whole city ran into each other.
function declutter(holder) {
  const kept = [];
  const labels = [...holder.querySelectorAll(".sk-tandem-label"), ...holder.querySelectorAll(".sk-bezirk-label")];
  for (const label of labels) {
    label.classList.remove("sk-hidden-label");
    const r = label.getBoundingClientRect();
    const hits = kept.some((k) => r.left < k.right + 2 && r.right > k.left - 2 && r.top < k.bottom + 2 && r.bottom > k.top - 2);
    if (hits) label.classList.add("sk-hidden-label");
    else kept.push(r);
  }
}

function legendBox(style, base) {
  const box = el("div", "sk-legend");
  const details = el("details");
  details.open = !(window.matchMedia && window.matchMedia("(max-width: 640px)").matches);
  details.appendChild(el("summary", null, style.legend.title));
  details.appendChild(el("div", "sk-sub", style.legend.subtitle));
  for (const [colour, label] of style.legend.rows) {
    const row = el("div");
    const swatch = el("span", "sk-swatch");
    swatch.style.background = style.palette[colour];
    if ((style.hatched || []).includes(colour)) {
      swatch.classList.add("sk-hatched");
      swatch.style.backgroundImage = "repeating-linear-gradient(45deg, transparent 0 3px, #ffffff 3px 5px)";
    }
    row.appendChild(swatch);
    row.appendChild(document.createTextNode(label));
    details.appendChild(row);
  }
  if (base && base.points.length) {
    const row = el("div");
    row.appendChild(el("span", "sk-point"));
    row.firstChild.style.background = base.colours.point;
    row.appendChild(document.createTextNode(base.text.welcomePoint));
    details.appendChild(row);
  }
  if (base && (base.closedPoints || []).length) {
    const row = el("div");
    row.appendChild(el("span", "sk-point sk-point-closed"));
    row.appendChild(document.createTextNode(base.text.closedPoint));
    details.appendChild(row);
  }
  if (base && (style.pins || []).some((pin) => pin[3] === "partner")) {
    const row = el("div");
    row.appendChild(el("span", "sk-point"));
    row.firstChild.style.background = base.colours.partner;
    row.appendChild(document.createTextNode(base.text.partner));
    details.appendChild(row);
  }
  details.appendChild(el("div", "sk-asof", style.legend.asOf));
  // on a phone the source line lives here, folded with the legend, instead of over the south of the city
  details.appendChild(el("div", "sk-legend-source", style.source));
  box.appendChild(details);
  if (style.legend.demo) box.appendChild(el("div", "sk-demo", style.legend.demo));
  return box;
}

// The first element after `holder` in the page that takes the keyboard focus.
function focusAfter(holder) {
  const focusable = document.querySelectorAll(
    "a[href], button:not([disabled]), input:not([disabled]), select, textarea, [tabindex]:not([tabindex='-1'])");
  for (const node of focusable) {
    if (holder.contains(node)) continue;
    if (holder.compareDocumentPosition(node) & Node.DOCUMENT_POSITION_FOLLOWING) { node.focus(); return node; }
  }
  return null;
}

function build(component, base) {
  const L = window.L;
  const { parentElement } = component;
  // a skip link before the map (shown when it has the focus): the keyboard's way past 171 shapes, to the
  // search and the ranking table, which say in text what the map says in colour
  const skip = el("a", "sk-skip", base.text.skip);
  skip.href = "#";
  skip.addEventListener("click", (event) => { event.preventDefault(); focusAfter(holder); });
  parentElement.appendChild(skip);
  const holder = el("div", "sk-map");
  holder.setAttribute("role", "region");
  holder.setAttribute("aria-label", base.text.map);
  holder.style.height = (component.data.height || 560) + "px";
  if (!component.data.height) holder.style.height = "100%";
  parentElement.appendChild(holder);
  // On a touch screen one finger scrolls the page and two fingers move and zoom the map: with Leaflet's
  // one-finger dragging on, a thumb that meets the map on its way down the page is caught by it.
  const touch = !!(L.Browser.mobile || (window.matchMedia && window.matchMedia("(pointer: coarse)").matches));
  const map = L.map(holder, {
    zoomSnap: 0.25, zoomDelta: 0.5, attributionControl: false, preferCanvas: false, zoomControl: false,
    dragging: !touch, tap: false,
  });
  if (touch) {
    holder.classList.add("sk-touch");
    const hint = el("div", "sk-two-fingers", base.text.twoFingers);
    holder.appendChild(hint);
    let hideHint = null;
    holder.addEventListener("touchmove", (event) => {
      if (event.touches.length !== 1) return;
      hint.classList.add("sk-shown");
      clearTimeout(hideHint);
      hideHint = setTimeout(() => hint.classList.remove("sk-shown"), 1200);
    }, { passive: true });
  }
  L.control.zoom({ zoomInTitle: base.text.zoomIn, zoomOutTitle: base.text.zoomOut }).addTo(map);
  holder.style.background = base.colours.background;
  // The whole city, at a fractional zoom; fitted again when the map's box changes (a map drawn in a closed
  // tab has no size, a phone's layout settles after the first paint) until the user moves the map.
  const fit = { user: false, busy: false };
  const fitCity = () => {
    if (holder.clientWidth === 0 || holder.clientHeight === 0) return;  // hidden: fitted when shown
    fit.busy = true;
    map.fitBounds(base.bounds, { animate: false, padding: [4, 4] });
    fit.busy = false;
  };
  map.on("dragstart", () => { fit.user = true; });
  map.on("zoomend", () => declutter(holder));
  map.on("zoomstart", () => { if (!fit.busy) fit.user = true; });
  fitCity();
  if (holder.clientWidth === 0) {  // Leaflet needs a view before layers are added; not the user's move
    fit.busy = true;
    map.setView([0, 0], 0);
    fit.busy = false;
  }
  if (window.ResizeObserver) {
    new ResizeObserver(() => {
      if (holder.clientWidth === 0) return;
      map.invalidateSize();
      if (!fit.user) fitCity();
    }).observe(holder);
  }
  L.control.scale({ imperial: false }).addTo(map);
  const state = { map, base, holder, skip, style: component.data, shapes: [], overlay: L.layerGroup().addTo(map) };
  const geometry = topology(base);
  geometry.shapes.forEach((latlngs, i) => {
    const shape = L.polygon(latlngs, {
      color: base.colours.outline, weight: 0.6, fillOpacity: 0.78, fillColor: "#d9d9d9",
      className: "sk-sozialraum",
    });
    shape.bindTooltip(() => tooltip(state, i), { sticky: true });
    shape.on("mouseover", () => shape.setStyle({ weight: 2.5, color: "#000000" }));
    shape.on("mouseout", () => shape.setStyle({ weight: 0.6, color: base.colours.outline }));
    shape.on("click", (e) => {
      state.shapeClicked = e.originalEvent;  // the map's own click on the same event must not undo it
      state.pickedOnMap = base.ids[i];  // chosen where the user is looking: no need to move the map
      state.click({ id: base.ids[i], lat: e.latlng.lat, lng: e.latlng.lng });
    });
    shape.addTo(map);
    const node = shape.getElement();
    if (node) {
      node.setAttribute("data-id", base.ids[i]);
      // Leaflet makes a shape with a tooltip a tab stop (its tooltip opens on focus): give it a name, and
      // let Enter or Space do what a tap does; the skip link before the map leads past all of them
      node.setAttribute("role", "button");
      node.setAttribute("aria-label", (base.names[i] || base.ids[i]) + ", " + base.places[i]);
      node.addEventListener("keydown", (event) => {
        if (event.key !== "Enter" && event.key !== " ") return;
        event.preventDefault();
        state.pickedOnMap = base.ids[i];
        state.click({ id: base.ids[i] });  // a Sozialraum, not a tapped place (no "my location" offer)
      });
    }
    state.shapes.push(shape);
  });
  L.polyline(geometry.bezirke, { color: base.colours.bezirk, weight: 2, interactive: false }).addTo(map);
  base.bezirkLabels.forEach(([x, y, text]) => {
    L.marker([y, x], {
      interactive: false, keyboard: false,
      icon: L.divIcon({ className: "", html: el("div", "sk-bezirk-label", text), iconSize: [0, 0] }),
    }).addTo(map);
  });
  base.points.forEach(([x, y, name, address]) => {
    const point = L.circleMarker([y, x], {
      radius: 6, color: "#ffffff", weight: 2, fillColor: base.colours.point, fillOpacity: 1,
      className: "sk-welcome-point",
    });
    point.bindTooltip(() => {
      const box = el("div");
      box.appendChild(el("div", "sk-tip-name", name));
      box.appendChild(el("div", null, address));
      box.appendChild(el("div", null, base.text.welcomePoint));
      return box;
    });
    point.addTo(map);
    const node = point.getElement();
    if (node) {
      node.setAttribute("role", "img");
      node.setAttribute("aria-label", base.text.welcomePoint + ": " + name + ", " + address);
    }
  });
  // Welcome Points closed in the app: no longer counted, still shown (hollow grey), so nobody sends people there
  (base.closedPoints || []).forEach(([x, y, name, address, since]) => {
    const point = L.circleMarker([y, x], {
      radius: 5, color: "#555555", weight: 2, fillColor: "#ffffff", fillOpacity: 1, dashArray: "2 2",
      className: "sk-welcome-point-closed",
    });
    const said = base.text.closedPoint + " (" + since + ")";
    point.bindTooltip(() => {
      const box = el("div");
      box.appendChild(el("div", "sk-tip-name", name));
      box.appendChild(el("div", null, address));
      box.appendChild(el("div", null, said));
      return box;
    });
    point.addTo(map);
    const node = point.getElement();
    if (node) {
      node.setAttribute("role", "img");
      node.setAttribute("aria-label", said + ": " + name + ", " + address);
    }
  });
  map.on("click", (e) => {
    if (state.shapeClicked === e.originalEvent) return;
    state.click({ id: null, lat: e.latlng.lat, lng: e.latlng.lng });
  });
  state.legend = L.control({ position: "topright" });  // the source line runs along the bottom
  state.legend.onAdd = () => { const d = el("div"); L.DomEvent.disableClickPropagation(d); state.legendDiv = d; return d; };
  state.legend.addTo(map);
  state.source = L.control({ position: "bottomleft" });
  state.source.onAdd = () => { const d = el("div", "sk-source"); state.sourceDiv = d; return d; };
  state.source.addTo(map);
  return state;
}

// Fit the map to `bounds`, unless the map has no size yet (a hidden tab): Leaflet would compute NaN.
function fitTo(state, bounds, options) {
  if (state.holder.clientWidth === 0 || state.holder.clientHeight === 0) return;
  state.map.fitBounds(bounds, options);
}

// Zoom to what the user asked for elsewhere than on the map: a Sozialraum chosen in the search (or a link), or
// the Sozialräume a filter leaves; back to the whole city when the filter is cleared.
function follow(state) {
  const L = window.L;
  const { style, base, map } = state;
  const veiled = (style.veiled || []).length;
  const filterKey = veiled ? String(style.veiled.length) + ":" + style.veiled.slice(0, 8).join(",") : "";
  if (state.filterKey !== undefined && filterKey !== state.filterKey) {
    if (veiled) {
      const hidden = new Set(style.veiled);
      const shown = state.shapes.filter((_shape, i) => !hidden.has(i));
      if (shown.length) fitTo(state, L.featureGroup(shown).getBounds(), { padding: [12, 12], maxZoom: 15 });
    } else {
      fitTo(state, base.bounds, { padding: [4, 4] });
    }
  }
  state.filterKey = filterKey;
  const focus = style.focus || [];
  const focusKey = focus.join(",");
  if (focus.length && focusKey !== state.focusKey) {
    fitTo(state, L.featureGroup(focus.map((i) => state.shapes[i])).getBounds(), { padding: [30, 30], maxZoom: 15 });
  }
  state.focusKey = focusKey;
  const selected = style.selected;
  if (selected !== null && selected !== undefined && selected !== state.selected) {
    const id = base.ids[selected];
    if (state.pickedOnMap !== id) {
      // the Sozialraum with its neighbours around it (a margin of one and a half times its size)
      fitTo(state, state.shapes[selected].getBounds().pad(1.5), { maxZoom: 14 });
    }
  }
  state.selected = selected;
  state.pickedOnMap = null;
}

function restyle(state) {
  const L = window.L;
  const style = state.style;
  const base = state.base;
  const classes = style.classes || {};
  const hatched = new Set(style.hatched || []);
  state.shapes.forEach((shape, i) => {
    shape.setStyle({ fillColor: style.palette[style.fill[i]] });
    const node = shape.getElement();
    if (node && hatched.has(style.fill[i])) node.setAttribute("fill", hatch(node, style.palette[style.fill[i]]));
    if (node) {
      if (node.dataset.extra) node.classList.remove(node.dataset.extra);
      const extra = classes[String(i)] || "";
      if (extra) node.classList.add(extra);
      node.dataset.extra = extra;
    }
  });
  state.legendDiv.replaceChildren(legendBox(style, base));
  follow(state);
  window.requestAnimationFrame(() => declutter(state.holder));
  state.sourceDiv.textContent = style.source;
  state.overlay.clearLayers();
  const outline = (i, options) => L.polygon(topology(base).shapes[i], { ...options, interactive: false })
    .addTo(state.overlay);
  for (const i of style.veiled) {
    outline(i, { fillColor: "#ffffff", fillOpacity: 0.65, weight: 0, className: "sk-veiled" });
  }
  for (const i of style.shortlist) {
    outline(i, { fill: false, color: "#08306b", weight: 3, dashArray: "6 4", className: "sk-shortlist" });
  }
  if (style.selected !== null && style.selected !== undefined) {
    outline(style.selected, { fill: false, color: "#000000", weight: 4, className: "sk-selected" });
  }
  for (const encoded of style.outlines || []) {
    L.polygon(rings(encoded), { fill: false, color: base.colours.point, weight: 2, dashArray: "6 5",
      interactive: false, className: "sk-catchment" }).addTo(state.overlay);
  }
  for (const [x, y, text] of style.labels || []) {
    L.marker([y, x], {
      interactive: false, keyboard: false,
      icon: L.divIcon({ className: "", html: el("div", "sk-tandem-label", text), iconSize: [0, 0] }),
    }).addTo(state.overlay);
  }
  if (style.circle) {
    const [lat, lon, metres] = style.circle;
    L.circle([lat, lon], { radius: metres, color: "#08306b", weight: 2, fill: false, dashArray: "4 4",
      interactive: false }).addTo(state.overlay);
  }
  for (const [lat, lon, title, kind] of style.pins) {
    const colour = base.colours[kind] || base.colours.activity;
    L.circleMarker([lat, lon], { radius: 6, color: "#ffffff", weight: 2, fillColor: colour, fillOpacity: 1,
      className: "sk-pin-" + kind }).bindTooltip(() => el("div", null, title)).addTo(state.overlay);
  }
  if (style.tiles && !state.tiles) {
    state.tiles = L.tileLayer("https://tile.openstreetmap.org/{z}/{x}/{y}.png", {
      maxZoom: 19, attribution: "© OpenStreetMap",
    }).addTo(state.map);
    state.tiles.bringToBack();
  } else if (!style.tiles && state.tiles) {
    state.map.removeLayer(state.tiles);
    state.tiles = null;
  }
  state.holder.dataset.styled = String((Number(state.holder.dataset.styled) || 0) + 1);
}

// After a tap on a Sozialraum on a narrow screen, its Steckbrief is drawn below the map, out of sight: scroll
// to it once it shows the tapped ID (the page marks it with the key "explore_profile") and stays in place
// (while the page's run ends, what stands above it may still change height and push it down again).
// Smoothly, unless the device asks for less motion.
function bringIntoView(id) {
  if (window.innerWidth > 900 || typeof document === "undefined") return;
  const until = Date.now() + 30000;  // a first Steckbrief on a slow phone or a busy server may take a while
  let before = null;
  const look = () => {
    const box = document.querySelector(".st-key-explore_profile");
    if (box && box.getAttribute("data-sk-id") !== id && box.textContent.indexOf(id) >= 0) {
      const top = box.getBoundingClientRect().top;
      if (top === before || Date.now() >= until) {
        box.setAttribute("data-sk-id", id);
        const calm = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
        box.scrollIntoView({ behavior: calm ? "auto" : "smooth", block: "start" });
        return;
      }
      before = top;
    }
    if (Date.now() < until + 150) setTimeout(look, 150);
  };
  setTimeout(look, 150);
}

function mount(component) {
  const { data, parentElement } = component;
  waitFor(data.v, (base) => {
    let state = parentElement.__skMap;
    if (!state || state.base.v !== base.v || !state.holder.isConnected) {
      if (state) { state.map.remove(); state.holder.remove(); state.skip.remove(); }
      state = build(component, base);
      parentElement.__skMap = state;
    }
    state.style = data;
    state.click = (value) => {
      component.setTriggerValue("clicked", value);
      if (value && value.id) bringIntoView(value.id);
    };
    restyle(state);
  });
}

// The app loads this code once with the base (see app_pages/mapview.py); the map component only calls it.
if (typeof window !== "undefined") window.__skMount = mount;
export default mount;
