// A calendar client's model, with ical.js: reads iTIP messages (iCalendar objects separated by a NUL
// byte on stdin), applies them in order as Thunderbird does (REQUEST/PUBLISH add or replace an item
// when its SEQUENCE is not older; CANCEL removes the item, or one occurrence given its RECURRENCE-ID)
// and prints what the calendar then shows: every occurrence, as JSON.
const ICAL = require("ical.js");

let input = "";
process.stdin.setEncoding("utf8");
process.stdin.on("data", (chunk) => { input += chunk; });
process.stdin.on("end", () => {
  const store = new Map(); // uid -> { master: vevent, overrides: Map(ridISO -> vevent), cancelled: Set(ridISO) }
  for (const text of input.split("\u0000").filter((t) => t.trim())) {
    const root = new ICAL.Component(ICAL.parse(text));
    for (const zone of root.getAllSubcomponents("vtimezone")) ICAL.TimezoneService.register(zone);
    const method = root.getFirstPropertyValue("method");
    for (const vevent of root.getAllSubcomponents("vevent")) {
      const uid = vevent.getFirstPropertyValue("uid");
      const rid = vevent.getFirstPropertyValue("recurrence-id");
      const sequence = vevent.getFirstPropertyValue("sequence") || 0;
      const item = store.get(uid) || { master: null, overrides: new Map(), cancelled: new Set() };
      if (method === "CANCEL") {
        if (rid) item.cancelled.add(rid.toJSDate().toISOString());
        else { store.delete(uid); continue; }
      } else if (rid) {
        item.overrides.set(rid.toJSDate().toISOString(), vevent);
      } else if (!item.master || sequence >= (item.master.getFirstPropertyValue("sequence") || 0)) {
        item.master = vevent;
      }
      store.set(uid, item);
    }
  }
  const shown = [];
  for (const [uid, item] of store) {
    if (!item.master) continue;
    const event = new ICAL.Event(item.master);
    const starts = [];
    if (event.isRecurring()) {
      const it = event.iterator();
      let next;
      while ((next = it.next()) && starts.length < 60) starts.push(next.toJSDate().toISOString());
    } else {
      starts.push(event.startDate.toJSDate().toISOString());
    }
    for (const start of starts) {
      if (item.cancelled.has(start)) continue;
      const override = item.overrides.get(start);
      const shownEvent = new ICAL.Event(override || item.master);
      shown.push({ uid, summary: shownEvent.summary, location: shownEvent.location,
                   start_utc: override ? shownEvent.startDate.toJSDate().toISOString() : start });
    }
  }
  process.stdout.write(JSON.stringify(shown.sort((a, b) => a.start_utc.localeCompare(b.start_utc))));
});
