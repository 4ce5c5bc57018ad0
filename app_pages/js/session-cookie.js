// The login cookie is set and cleared by the server (HttpOnly): this only hands it the one-time ticket,
// once per ticket, or asks it to clear the cookie after a logout.
export default function (component) {
  const data = component.data || {};
  const send = (path, body) => fetch(path, {
    method: "POST", body: body || "", credentials: "same-origin", cache: "no-store",
    headers: { "Content-Type": "text/plain" },
  }).catch(() => {});
  if (data.ticket && window.__skTicket !== data.ticket) {
    window.__skTicket = data.ticket;
    send("/_sk/session", data.ticket);
  }
  if (data.logout && window.__skLogout !== data.logout) {
    window.__skLogout = data.logout;
    send("/_sk/logout");
  }
}
