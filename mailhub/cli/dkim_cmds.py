"""``mailhub dkim keygen|list|activate|check`` and ``mailhub dns records``."""

from __future__ import annotations

import click

from mailhub.cli.main import Context
from mailhub.cli.output import emit_json, emit_table
from mailhub.errors import MailhubError
from mailhub.signing.keys import ED25519, RSA, DkimKey


@click.group()
def dkim() -> None:
    """DKIM keys for the domains mailhub signs for (the service domain, and province domains)."""


def _row(key: DkimKey) -> dict[str, object]:
    return {"domain": key.domain, "selector": key.selector, "algorithm": key.algorithm, "active": key.active,
            "dns_name": key.dns_name, "record": key.record}


@dkim.command("keygen")
@click.option("--domain", required=True, help="The domain to sign for (default selector: mh<year>).")
@click.option("--selector", default="", help="DNS selector; the Ed25519 key gets '<selector>-ed25519'.")
@click.option("--algorithm", type=click.Choice(["both", RSA, ED25519]), default="both", show_default=True)
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def keygen(obj: Context, domain: str, selector: str, algorithm: str, as_json: bool) -> None:
    """Make a key (RSA-2048 and Ed25519) and print the DNS TXT record(s) to publish. A domain's first key
    signs at once; a later one waits for `mailhub dkim activate` (publish it in DNS first)."""
    store = obj.app.dkim_keys()
    selector = selector or f"mh{obj.app.clock().year}"
    wanted = [RSA, ED25519] if algorithm == "both" else [algorithm]
    made = [store.generate(domain, selector if kind == RSA or algorithm != "both" else f"{selector}-ed25519", kind)
            for kind in wanted]
    if as_json:
        emit_json([_row(k) for k in made])
        return
    for key in made:
        state = "signing now" if key.active else "not active yet: publish it, then `mailhub dkim activate`"
        click.echo(f"{key.dns_name}. IN TXT {zone_txt(key.record)}    ; {key.algorithm}, {state}")


@dkim.command("activate")
@click.option("--domain", required=True)
@click.option("--selector", required=True)
@click.pass_obj
def activate(obj: Context, domain: str, selector: str) -> None:
    """Sign with this key from now on (the key of the same algorithm it replaces stays, unused)."""
    key = obj.app.dkim_keys().activate(domain, selector)
    click.echo(f"{key.dns_name}: {key.algorithm} key active")


@dkim.command("list")
@click.option("--domain", default=None)
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def list_keys(obj: Context, domain: str | None, as_json: bool) -> None:
    """The keys on disk, and which of them sign."""
    keys = obj.app.dkim_keys().keys(domain)
    if as_json:
        emit_json([_row(k) for k in keys])
        return
    emit_table(["Domain", "Selector", "Algorithm", "Active", "DNS name"],
               [(k.domain, k.selector, k.algorithm, "yes" if k.active else "", k.dns_name) for k in keys])


@dkim.command("check")
@click.option("--domain", required=True)
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def check(obj: Context, domain: str, as_json: bool) -> None:
    """Compare the published DNS records with the keys on disk (exit 1 when an active key is not published)."""
    from mailhub.senders import DnsTemporaryError
    from mailhub.senders.dns_lookup import dkim_public_key

    lookup = obj.app.dns_lookup()
    results = []
    for key in obj.app.dkim_keys().keys(domain):
        try:
            published = lookup.txt(key.dns_name)
        except DnsTemporaryError as exc:
            raise MailhubError(f"DNS did not answer for {key.dns_name}: {exc}") from exc
        wanted = dkim_public_key(key.record)
        state = "published" if any(dkim_public_key(t) == wanted for t in published) else \
            ("different key published" if published else "not published")
        results.append({**_row(key), "dns": state})
    if as_json:
        emit_json(results)
    else:
        emit_table(["DNS name", "Algorithm", "Active", "In DNS"],
                   [(r["dns_name"], r["algorithm"], "yes" if r["active"] else "", r["dns"]) for r in results])
    if not results:
        raise MailhubError(f"no DKIM key for {domain} (run `mailhub dkim keygen --domain {domain}`)")
    if any(r["active"] and r["dns"] != "published" for r in results):
        raise SystemExit(1)


def zone_txt(record: str) -> str:
    """A TXT value as a zone file writes it: quoted strings of at most 255 characters (RFC 1035 3.3)."""
    return " ".join(f'"{record[i:i + 255]}"' for i in range(0, len(record), 255))


@click.group()
def dns() -> None:
    """The DNS records the province should publish for mailhub."""


@dns.command("records")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def records(obj: Context, as_json: bool) -> None:
    """SPF, DKIM, DMARC and MTA-STS records for the service domain (zone-file lines)."""
    settings, app = obj.settings, obj.app
    domain, host = settings.service_domain.lower(), app.hostname
    rows = [(domain, "MX", f"10 {host}."), (domain, "TXT", f'"v=spf1 a:{host} mx -all"')]
    rows += [(key.dns_name, "TXT", zone_txt(key.record)) for key in app.dkim_keys().keys(domain) if key.active]
    rows += [(f"_dmarc.{domain}", "TXT", f'"v=DMARC1; p=quarantine; adkim=s; aspf=s; rua=mailto:postmaster@{domain}"'),
             (f"_mta-sts.{domain}", "TXT", '"v=STSv1; id=' + f'{app.clock():%Y%m%d}01"')]
    policy = f"version: STSv1\nmode: enforce\nmx: {host}\nmax_age: 604800\n"
    if as_json:
        emit_json({"records": [{"name": n, "type": t, "value": v} for n, t, v in rows],
                   "mta_sts_policy_url": f"https://mta-sts.{domain}/.well-known/mta-sts.txt", "mta_sts_policy": policy})
        return
    if not any(t == "TXT" and n.endswith("._domainkey." + domain) for n, t, _ in rows):
        click.echo(f"; no active DKIM key for {domain}: run `mailhub dkim keygen --domain {domain}`", err=True)
    for name, kind, value in rows:
        click.echo(f"{name}. IN {kind} {value}")
    click.echo(f"; MTA-STS: the province's web server serves https://mta-sts.{domain}/.well-known/mta-sts.txt:")
    click.echo("".join(f";   {line}\n" for line in policy.splitlines()), nl=False)
