// Reads an iCalendar object on stdin with ical.js (the parser Thunderbird uses) and prints
// what a client would see, as JSON. Exit status 1 on a parse error.
const ICAL = require("ical.js");

let input = "";
process.stdin.setEncoding("utf8");
process.stdin.on("data", (chunk) => { input += chunk; });
process.stdin.on("end", () => {
  try {
    const root = new ICAL.Component(ICAL.parse(input));
    for (const zone of root.getAllSubcomponents("vtimezone")) {
      ICAL.TimezoneService.register(zone);
    }
    const events = root.getAllSubcomponents("vevent").map((vevent) => {
      const event = new ICAL.Event(vevent);
      const rid = vevent.getFirstPropertyValue("recurrence-id");
      const rrule = vevent.getFirstPropertyValue("rrule");
      const occurrences = [];
      if (event.isRecurring()) {
        const it = event.iterator();
        let next;
        while ((next = it.next()) && occurrences.length < 60) {
          occurrences.push(next.toJSDate().toISOString());
        }
      }
      return {
        uid: event.uid,
        sequence: event.sequence,
        summary: event.summary,
        location: event.location,
        start_utc: event.startDate.toJSDate().toISOString(),
        end_utc: event.endDate.toJSDate().toISOString(),
        tzid: event.startDate.zone ? event.startDate.zone.tzid : null,
        status: vevent.getFirstPropertyValue("status"),
        organizer: vevent.getFirstPropertyValue("organizer"),
        attendees: vevent.getAllProperties("attendee").map((p) => ({
          value: p.getFirstValue(),
          cn: p.getParameter("cn"),
          role: p.getParameter("role"),
          partstat: p.getParameter("partstat"),
          rsvp: p.getParameter("rsvp"),
        })),
        recurrence_id_utc: rid ? rid.toJSDate().toISOString() : null,
        rrule: rrule ? rrule.toString() : null,
        occurrences_utc: occurrences,
      };
    });
    process.stdout.write(JSON.stringify({ method: root.getFirstPropertyValue("method"), events }));
  } catch (error) {
    process.stderr.write(String(error) + "\n");
    process.exit(1);
  }
});
