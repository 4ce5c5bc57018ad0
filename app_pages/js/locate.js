export default function (component) {
  const { data, parentElement, setTriggerValue } = component;
  let button = parentElement.querySelector("button.sk-locate");
  if (!button) {
    button = document.createElement("button");
    button.type = "button";
    button.className = "sk-locate";
    parentElement.appendChild(button);
    button.addEventListener("click", () => {
      const texts = JSON.parse(button.dataset.texts);
      if (!navigator.geolocation) { setTriggerValue("located", { error: "unsupported" }); return; }
      button.disabled = true;
      button.textContent = texts.busy;
      navigator.geolocation.getCurrentPosition(
        (p) => {
          button.disabled = false;
          button.textContent = texts.label;
          setTriggerValue("located", { lat: p.coords.latitude, lon: p.coords.longitude, accuracy: p.coords.accuracy });
        },
        (e) => {
          button.disabled = false;
          button.textContent = texts.label;
          setTriggerValue("located", { error: String(e.code) });
        },
        { enableHighAccuracy: true, timeout: 20000, maximumAge: 60000 },
      );
    });
  }
  button.dataset.texts = JSON.stringify(data);
  if (!button.disabled) button.textContent = data.label;
}
