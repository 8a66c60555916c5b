// Reads vCards on stdin with ical.js (Thunderbird's parser) and prints FN, EMAIL and ORG of each.
const ICAL = require("ical.js");
let input = "";
process.stdin.setEncoding("utf8");
process.stdin.on("data", (chunk) => { input += chunk; });
process.stdin.on("end", () => {
  const parsed = ICAL.parse(input);
  const cards = Array.isArray(parsed[0]) ? parsed : [parsed];
  process.stdout.write(JSON.stringify(cards.map((jcard) => {
    const card = new ICAL.Component(jcard);
    return { version: card.getFirstPropertyValue("version"), fn: card.getFirstPropertyValue("fn"),
             email: card.getFirstPropertyValue("email"), org: card.getFirstPropertyValue("org"),
             title: card.getFirstPropertyValue("title") };
  })));
});
