#!/usr/bin/env python3
"""Write articles.csv: about 3,000 help-center and wiki paragraphs of the fictional Northwind Cloud.

The text comes from the hand-written sentence banks and record tables at the
end of this file, expanded with a seeded RNG, so a second run reproduces the
CSV byte for byte:

    python examples/kb/generate_articles.py [-o examples/kb/articles.csv]

Bank format, one item per line (an indented line continues the item above it):

    ## Section      start a section (the CSV's `section` column)
    * sentence      a note that any paragraph of the section may end with
    # label         start a topic (the label is for readers only)
    bind: a b       slots drawn once per article: VOCAB lists or record tables
    - sentence      before any title: shared by the topic; after one: that article's own
    = Title *N ~P   start an article; *N: N copies with other bound values, *all (or
                    *Nall): one (N) per record of the first bound table; ~P: P
                    paragraphs; ^1: one paragraph per own line (FAQs)
    @ table Name    start a record of a table; `field: value` lines below fill it

Templates: [a|b|] picks one option, {name} draws from VOCAB or a table's
record names (the same value throughout a paragraph; {name2} draws again),
{table.field} reads the bound record (a line naming a field the record lacks
is skipped), {lo-hi} or {lo-hi:step} draws a number. Every "title: text" is
kept under the 256 tokens that all-MiniLM-L6-v2 reads.
"""

from __future__ import annotations

import argparse
import csv
import random
import re
from dataclasses import dataclass, field
from pathlib import Path


def _items(text: str) -> list[str]:
    """A vocabulary list written as one comma-separated string."""
    return [item.strip() for item in text.split(",")]


SEED = 20240917
ROWS = 3000
MIN_WORDS = 20
MAX_TOKENS = 270  # estimated (cautiously) for "title: text"; the model reads 256 at most
SENTENCE_COUNTS = (1, 2, 3, 4, 5, 6, 7, 8)
SENTENCE_WEIGHTS = (14, 30, 25, 14, 9, 5, 2, 1)
SOURCE_WEIGHTS = (76, 20, 4)  # a sentence's odds of coming from: own lines, shared, a sibling's
RELAXED_WEIGHTS = (50, 30, 20)  # the same odds once an article runs short of new paragraphs
MAX_OVERLAP = 0.5  # a paragraph shares less than this (Jaccard) with the article's earlier ones
SHARED_REUSE = 4  # shared and sibling lines rest once the topic has used them this often
NOTE_SHARE = 0.3  # chance that an article's last paragraph ends with a section note
SOFTEN_SHARE = 0.08  # chance that a later sentence gets a lead-in such as "Note that"
DEFAULT_OUTPUT = Path(__file__).with_name("articles.csv")

_CHOICE = re.compile(r"\[([^\[\]]*)\]")
_SLOT = re.compile(r"\{([^{}]*)\}")
_FIELD = re.compile(r"\{(\w+\.\w+)\}")
_RANGE = re.compile(r"(\d+)-(\d+)(?::(\d+))?")
_TITLE = re.compile(r"(.*?)((?:\s+(?:\*\d*(?:all)?|~\d+|\^1))*)")
_PIECE = re.compile(r"[A-Za-z]+|\d+|\S")
_LEAD_INS = ("Note that ", "Keep in mind that ", "In practice, ", "As a reminder, ", "Also, ")
_SOFTENABLE = frozenset(
    _items(
        "A, All, An, Any, Each, Every, If, Most, Only, Our, Some, The, These, This, When, You, Your"
    )
)


VOCAB: dict[str, list[str]] = {
    "first": _items(
        "Priya, Daniel, Aoife, Marcus, Mei, Jonas, Fatima, Tomas, Grace, Ravi, Hannah, Kwame, "
        "Sofia, Liam, Yuki, Owen, Amara, Ben, Chloe, Diego, Elena, Farid, Gemma, Hiro, Isla, "
        "Jamal, Kate, Lucas, Maya, Niall, Olivia, Pedro, Quinn, Rosa, Sam, Tara, Uma, Victor, "
        "Wen, Zoe "
    ),
    "last": _items(
        "Shah, Okafor, Byrne, Chen, Novak, Haddad, Murphy, Patel, Lindqvist, Garcia, Kim, "
        "Walsh, Mensah, Rossi, Tanaka, Dubois, Nguyen, Brennan, Kowalski, Silva, Hughes, Iyer, "
        "Fischer, Adeyemi, Moreau, Larsen, Park, Ramirez, Sato, Keane "
    ),
    "person": _items("{first} {last}"),
    "team": _items(
        "Platform, SRE, Payments, Data Infrastructure, Identity, Core API, Integrations, "
        "Developer Experience, Billing Engineering, Search, Edge "
    ),
    "svc": _items(
        "orders-api, ledger, sync-worker, ingest-gateway, auth-service, webhook-dispatcher, "
        "billing-api, search-indexer, export-service, notification-service, scheduler, "
        "connector-runtime, usage-meter, admin-console "
    ),
    "db": _items(
        "orders-db, ledger-db, accounts-db, events-pg, metering-db, catalog-db, webhooks-db "
    ),
    "os": _items("macOS, Windows 11, Ubuntu"),
    "office": _items("Portland, Austin, Dublin, Toronto, Singapore"),
    "month": _items(
        "January, February, March, April, May, June, July, August, September, October, "
        "November, December "
    ),
    "weekday": _items("Monday, Tuesday, Wednesday, Thursday, Friday"),
    "event": _items(
        "pipeline.run.completed, pipeline.run.failed, connector.paused, invoice.finalized, "
        "workspace.member.added, export.ready, usage.threshold.reached, api_key.revoked "
    ),
    "app": _items(
        "Figma, Postman, DataGrip, Tableau Desktop, Adobe Acrobat Pro, Miro, Lucidchart, Docker"
        " Desktop, IntelliJ IDEA, Loom "
    ),
    "customer": _items(
        "Harbor & Finch, Bluegate Logistics, Meridian Health Partners, Tallgrass Analytics, "
        "Copperline Retail, Orchid Labs, Quarry Street Media, Juniper Freight, Alder Mutual, "
        "Sable Robotics, Fernhill Schools, Kestrel Energy "
    ),
    "version": _items("{2-4}.{1-24}.{0-9}"),
    "it_ticket": _items("IT-{20000-48999}"),
    "inc": _items("INC-{1200-2999}"),
    "esc": _items("ESC-{300-1999}"),
    "workspace": _items("ws_{1000000-9999999}"),
    "date": _items("{1-28} {month}"),
    "src": _items(
        "Salesforce, HubSpot, NetSuite, Zendesk, Stripe, Shopify, Jira, Intercom, PostgreSQL, "
        "MySQL, SQL Server, MongoDB, Amazon S3, QuickBooks Online "
    ),
}


@dataclass
class ArticleSpec:
    """A title template in a topic: how many articles and paragraphs it makes, its own lines."""

    title: str
    copies: int = 1
    per_record: bool = False
    paragraphs: int | None = None
    one_line_each: bool = False
    own: list[int] = field(default_factory=list)


@dataclass
class Topic:
    """Sentence templates on one subject and the article specs written from them."""

    section: str
    bind: list[str] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)
    shared: list[int] = field(default_factory=list)
    specs: list[ArticleSpec] = field(default_factory=list)
    usage: list[int] = field(default_factory=list)  # times each line has been used


@dataclass
class Article:
    """One titled article, its bound slot values and the topic lines it may use."""

    topic: Topic
    spec: ArticleSpec
    title: str
    binds: dict[str, str]
    own: list[int]
    shared: list[int]
    siblings: list[int]
    usage: dict[int, int] = field(default_factory=dict)
    written: list[set[int]] = field(default_factory=list)  # the lines of each paragraph so far

    def overlap(self, lines: list[int]) -> float:
        """The largest share of lines that `lines` has in common with an earlier paragraph."""
        new = set(lines)
        return max((len(new & old) / len(new | old) for old in self.written), default=0.0)


@dataclass
class Bank:
    """Everything parsed from the bank texts."""

    topics: list[Topic] = field(default_factory=list)
    notes: dict[str, list[str]] = field(default_factory=dict)
    tables: dict[str, list[dict[str, str]]] = field(default_factory=dict)


class Grammar:
    """Expands templates with one RNG; `memo` keeps drawn values for one paragraph."""

    def __init__(self, rng: random.Random, tables: dict[str, list[dict[str, str]]]) -> None:
        self.rng = rng
        self.tables = tables
        self.fixed: dict[str, str] = {}
        self.memo: dict[str, str] = {}

    def expand(self, template: str) -> str:
        """Resolve every [a|b] choice and {slot} in `template`."""
        text = template
        while True:
            expanded = _SLOT.sub(self._slot, _CHOICE.sub(self._choice, text))
            if expanded == text:
                return expanded
            text = expanded

    def draw(self, name: str, avoid: dict[str, str]) -> str:
        """A value for slot `name` from VOCAB or a table's record names.

        It differs from the values that `avoid` holds for slots of the same name,
        so that {person} and {person2} are two people.
        """
        base = name.rstrip("0123456789")
        taken = {value for key, value in avoid.items() if key.rstrip("0123456789") == base}
        for _ in range(20):
            if base in self.tables:
                value = self.rng.choice(self.tables[base])["name"]
            else:  # a scope of its own, so that {first} {last} is drawn afresh
                outer, self.memo = self.memo, {}
                value = self.expand(self.rng.choice(VOCAB[base]))
                self.memo = outer
            if value not in taken:
                break
        return value

    def _choice(self, match: re.Match[str]) -> str:
        options: list[str] = match.group(1).split("|")
        return self.rng.choice(options)

    def _slot(self, match: re.Match[str]) -> str:
        key = match.group(1)
        if number := _RANGE.fullmatch(key):
            low, high, step = int(number[1]), int(number[2]), int(number[3] or 1)
            return str(self.rng.randrange(low, high + 1, step))
        if key in self.fixed:
            return self.fixed[key]
        if key not in self.memo:
            self.memo[key] = self.draw(key, avoid={**self.fixed, **self.memo})
        return self.memo[key]


def parse_banks(texts: tuple[str, ...]) -> Bank:
    """The topics, section notes and record tables written in the bank format."""
    items: list[str] = []
    for raw in "\n".join(texts).splitlines():
        if raw.startswith("  ") and items:
            items[-1] += " " + raw.strip()
        elif raw.strip():
            items.append(raw.strip())
    bank = Bank()
    section = ""
    record: dict[str, str] | None = None
    for item in items:
        mark, _, rest = item.partition(" ")
        if record is not None and mark.endswith(":") and mark[:-1].isidentifier():
            record[mark[:-1]] = rest
            continue
        record = None
        if mark == "##":
            section = rest
            bank.notes.setdefault(section, [])
        elif mark == "*":
            bank.notes[section].append(rest)
        elif mark == "#":
            bank.topics.append(Topic(section))
        elif mark == "bind:":
            bank.topics[-1].bind = rest.split()
        elif mark == "=":
            bank.topics[-1].specs.append(parse_title(rest))
        elif mark == "-":
            topic = bank.topics[-1]
            topic.lines.append(rest)
            topic.usage.append(0)
            owner = topic.specs[-1].own if topic.specs else topic.shared
            owner.append(len(topic.lines) - 1)
        elif mark == "@":
            table, _, name = rest.partition(" ")
            record = {"name": name}
            bank.tables.setdefault(table, []).append(record)
        else:
            raise ValueError(f"bank item not understood: {item!r}")
    return bank


def parse_title(text: str) -> ArticleSpec:
    """`Title *N ~P ^1` as an ArticleSpec (see the module docstring)."""
    match = _TITLE.fullmatch(text)
    assert match is not None
    spec = ArticleSpec(match[1])
    for flag in match[2].split():
        if flag.startswith("*"):
            spec.per_record = flag.endswith("all")
            spec.copies = int(flag[1:].removesuffix("all") or 1)
        elif flag.startswith("~"):
            spec.paragraphs = int(flag[1:])
        else:
            spec.one_line_each = True
    return spec


def plan_articles(bank: Bank, grammar: Grammar) -> list[Article]:
    """Every article, with its bound values and usable lines; titles are unique."""
    articles: list[Article] = []
    titles: set[str] = set()
    for topic in bank.topics:
        tables = [name for name in topic.bind if name.rstrip("0123456789") in bank.tables]
        for spec in topic.specs:
            records = bank.tables[tables[0]] if spec.per_record else [None]
            for record in records:
                for _ in range(spec.copies):
                    for _attempt in range(100):
                        grammar.memo, grammar.fixed = {}, {}
                        binds = bind_values(topic.bind, record, tables, grammar, bank)
                        grammar.fixed = binds
                        title = grammar.expand(spec.title)
                        if title not in titles:
                            break
                    else:
                        raise ValueError(f"no new title left for {spec.title!r}")
                    titles.add(title)
                    usable = [i for i in range(len(topic.lines)) if fits(topic.lines[i], binds)]
                    own = [i for i in spec.own if i in usable]
                    shared = [i for i in topic.shared if i in usable]
                    siblings = [i for i in usable if i not in own and i not in shared]
                    articles.append(Article(topic, spec, title, binds, own, shared, siblings))
    return articles


def bind_values(
    names: list[str],
    record: dict[str, str] | None,
    tables: list[str],
    grammar: Grammar,
    bank: Bank,
) -> dict[str, str]:
    """Values for an article's bound slots: a table's record fields, or a VOCAB draw."""
    binds: dict[str, str] = {}
    for name in names:
        if name in tables:
            chosen = record if record is not None and name == tables[0] else None
            chosen = chosen or grammar.rng.choice(bank.tables[name.rstrip("0123456789")])
            binds[name] = chosen["name"]
            binds.update({f"{name}.{key}": value for key, value in chosen.items()})
        else:
            binds[name] = grammar.draw(name, avoid=binds)
    return binds


def fits(line: str, binds: dict[str, str]) -> bool:
    """Whether every {table.field} that `line` names is bound."""
    return all(key in binds for key in _FIELD.findall(line))


def allocate(weights: list[float], caps: list[int], total: int) -> list[int]:
    """Split `total` in proportion to `weights`, no share above its cap, summing exactly."""
    counts = [0] * len(weights)
    while (left := total - sum(counts)) > 0:
        open_ = [i for i in range(len(weights)) if counts[i] < caps[i]]
        if not open_:
            raise ValueError(f"the article caps leave {left} rows unplaced")
        scale = left / sum(weights[i] for i in open_)
        shares = {i: min(weights[i] * scale, caps[i] - counts[i]) for i in open_}
        whole = {i: int(share) for i, share in shares.items()}
        if not any(whole.values()):  # hand out the last few by largest remainder
            whole[max(open_, key=lambda i: shares[i])] = 1
        for i, count in whole.items():
            counts[i] += count
    return counts


def paragraph_counts(articles: list[Article], rows: int, rng: random.Random) -> list[int]:
    """Paragraphs per article: fixed where the spec says so, the rest by how much each has."""
    fixed = [len(a.own) if a.spec.one_line_each else a.spec.paragraphs for a in articles]
    flexible = [i for i, count in enumerate(fixed) if count is None]
    left = rows - sum(count for count in fixed if count is not None)
    if left < len(flexible):
        raise ValueError(f"{rows} rows leave {left} for {len(flexible)} flexible articles")
    copies = [articles[i].spec.copies for i in flexible]  # copies share their own lines
    weights = [
        (len(articles[i].own) + 1) * rng.uniform(0.85, 1.2) / n
        for i, n in zip(flexible, copies, strict=True)
    ]
    caps = [
        max(2, (7 * len(articles[i].own) + 12) // 4 // n)
        for i, n in zip(flexible, copies, strict=True)
    ]
    counts = [count or 0 for count in fixed]
    for index, count in zip(flexible, allocate(weights, caps, left), strict=True):
        counts[index] = count
    return counts


def estimate_tokens(text: str) -> int:
    """A cautious estimate of the word pieces that a BERT tokenizer makes of `text`."""
    pieces = _PIECE.findall(text)
    words = sum(1 + max(0, len(p) - 7) // 4 for p in pieces if p.isalpha())
    numbers = sum((len(p) + 1) // 2 for p in pieces if p.isdigit())
    symbols = sum(1 for p in pieces if not p.isalnum())
    return max(int((words + numbers + symbols) * 1.15), int(len(text) / 3.4)) + 2


def soften(sentence: str, rng: random.Random) -> str:
    """Sometimes give a sentence that starts with a plain word a lead-in."""
    first = sentence.split(" ", 1)[0]
    if first not in _SOFTENABLE or rng.random() >= SOFTEN_SHARE:
        return sentence
    return rng.choice(_LEAD_INS) + sentence[0].lower() + sentence[1:]


def pick_lines(article: Article, wanted: int, rng: random.Random, relax: bool) -> list[int]:
    """Up to `wanted` line indices, mostly the article's own, least used first.

    `relax` lifts the rest on shared lines and widens the pick, for articles
    that have run out of new combinations of their own lines.
    """
    pools = (article.own, article.shared, article.siblings)
    odds = RELAXED_WEIGHTS if relax else SOURCE_WEIGHTS
    chosen: list[int] = []
    for _ in range(wanted):
        left = [[i for i in pool if i not in chosen] for pool in pools]
        if not relax:
            left[1:] = [
                [i for i in pool if article.topic.usage[i] < SHARED_REUSE] for pool in left[1:]
            ]
        weights = [weight if pool else 0 for weight, pool in zip(odds, left, strict=True)]
        if not any(weights):
            break
        pool = rng.choices(left, weights)[0]
        pool.sort(key=lambda i: (article.usage.get(i, 0), article.topic.usage[i], rng.random()))
        chosen.append(rng.choice(pool[:2]))
    return sorted(chosen)


def write_paragraph(
    article: Article, notes: list[str], grammar: Grammar, line: int | None, relax: bool
) -> tuple[str, list[int]]:
    """One paragraph for `article` (just `line` if given), and the topic lines it used.

    Pass `notes` only for the article's last paragraph, which may end with one of them.
    """
    rng, topic = grammar.rng, article.topic
    wanted = rng.choices(SENTENCE_COUNTS, SENTENCE_WEIGHTS)[0]
    chosen = [line] if line is not None else pick_lines(article, wanted, rng, relax)
    grammar.memo, grammar.fixed = {}, article.binds
    sentences = [grammar.expand(topic.lines[i]) for i in chosen]
    sentences = sentences[:1] + [soften(sentence, rng) for sentence in sentences[1:]]
    if notes and line is None and len(sentences) > 1 and rng.random() < NOTE_SHARE:
        sentences.append(grammar.expand(rng.choice(notes)))
    while len(sentences) > 1 and not fits_model(article.title, " ".join(sentences)):
        sentences.pop()
    return " ".join(sentences), chosen[: len(sentences)]


def fits_model(title: str, text: str) -> bool:
    """Whether "title: text" stays within the token budget."""
    return estimate_tokens(f"{title}: {text}") <= MAX_TOKENS


def build_rows(seed: int = SEED) -> list[list[str]]:
    """The CSV rows (id, title, section, text), article by article."""
    bank = parse_banks(BANKS)
    grammar = Grammar(random.Random(seed), bank.tables)
    articles = plan_articles(bank, grammar)
    order = {section: index for index, section in enumerate(bank.notes)}
    articles.sort(key=lambda article: order[article.topic.section])  # stable: bank order within
    seen: set[str] = set()
    out: list[list[str]] = []
    for article, count in zip(articles, paragraph_counts(articles, ROWS, grammar.rng), strict=True):
        for number in range(count):
            line = article.own[number] if article.spec.one_line_each else None
            notes = bank.notes[article.topic.section] if number == count - 1 else []
            for attempt in range(300):
                text, used = write_paragraph(article, notes, grammar, line, attempt >= 150)
                ok = len(text.split()) >= MIN_WORDS and fits_model(article.title, text)
                distinct = attempt >= 200 or article.overlap(used) < MAX_OVERLAP
                if ok and distinct and text not in seen:
                    break
            else:
                raise ValueError(f"no new paragraph fits {article.title!r}: {text!r}")
            seen.add(text)
            article.written.append(set(used))
            for index in used:
                article.topic.usage[index] += 1
                article.usage[index] = article.usage.get(index, 0) + 1
            out.append([f"kb-{len(out) + 1:05d}", article.title, article.topic.section, text])
    return out


def main() -> None:
    """Write the CSV."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("-o", "--output", type=Path, default=DEFAULT_OUTPUT)
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args()
    rows = build_rows(args.seed)
    with args.output.open("w", encoding="utf-8", newline="") as file:
        writer = csv.writer(file, lineterminator="\n")
        writer.writerow(["id", "title", "section", "text"])
        writer.writerows(rows)
    print(f"wrote {len(rows)} paragraphs to {args.output}")


IT_SUPPORT = r"""
## IT Support
* If none of this works, open a ticket at help.northwind.internal and pick the [matching|closest]
  category; the Service Desk [answers|responds] within {2-4} business hours.
* The Service Desk is staffed from 07:00 to 19:00 Pacific on weekdays, with a smaller crew covering
  Dublin and Singapore hours.
* For anything urgent outside business hours, post in #it-help and tag @it-oncall rather than
  sending someone a direct message.
* A screenshot of the exact error message [saves a round trip|speeds things up considerably|usually
  halves the time to a fix] when you open a ticket.
* The Service Desk will never ask for your password or an Okta Verify code, in a ticket or anywhere
  else.
* This page is owned by the IT Service Desk; suggest edits in #it-help[| or leave a comment on the
  page].

# VPN
bind: os
- Northwind uses GlobalProtect for remote access to internal systems such as Confluence, Grafana,
  the admin console and the staging environments.
- You only need the VPN for hostnames ending in .northwind.internal; Google Workspace, Slack, Zoom
  and Okta work [fine|normally|just as well] without it.
- Engineers who need the production bastions must be connected to the VPN and be members of the
  prod-access group in Okta.
- Contractors get VPN access only to the gateways and subnets named in their access request, so
  some internal sites [load as a blank page|time out] for them by design.
= Connecting to the VPN on {os} *3
- Install GlobalProtect from [Self Service|the IT software catalog|Company Portal] rather than from
  the vendor's website, because the vendor build lacks our pre-configured portal.
- When the client asks for a portal, enter vpn.northwind.internal, sign in with your Okta
  credentials and approve the Okta Verify push.
- Once it is running, GlobalProtect shows a small globe icon [in the menu bar on macOS and in the
  system tray on Windows and Ubuntu|next to the clock]; click it and choose Connect.
- The first connection on a fresh {os} install can take up to a minute while the client downloads
  its configuration and runs the device check.
- GlobalProtect starts automatically at login on {os}; you can [disable that|turn that off] under
  Settings > General, but then you have to remember to connect manually.
- [To disconnect|When you are done for the day], click the icon and choose Disconnect; quitting the
  app without disconnecting can leave stale DNS settings behind until the next reboot.
= Choosing a VPN gateway
- The client picks the closest gateway automatically, but you can choose one manually: US-West
  (Portland), US-Central (Austin), EU (Dublin) or APAC (Singapore).
- If you are travelling, pin the gateway nearest to where you are [sitting|working that day], not
  the one nearest your home office, to keep latency down.
- Gateway changes take effect on the next connection, so disconnect and connect again after
  choosing a new one.
- The APAC gateway is smaller than the others, and large downloads from the internal artifact store
  are [often|usually] faster through US-West, even from Singapore.
- During gateway maintenance, announced in #it-announcements, the client [fails over|moves you] to
  the next closest gateway automatically.
= VPN and split tunneling
- Split tunneling is enabled: only traffic to 10.40.0.0/14 and the internal DNS zone goes through
  the tunnel, so video calls and personal browsing stay on your local connection.
- Because of split tunneling, websites still see your home or hotel IP address, not a Northwind
  address.
- A few customer systems allowlist Northwind's egress IPs; for those, switch to the Full Tunnel
  profile under Settings > Connection Profile[ and switch back when you are done|].
- Do not run a second VPN, [whether personal or a customer's|such as a personal or customer VPN],
  at the same time as GlobalProtect; the two fight over routes and DNS.
- If internal sites [load slowly|take a long time to resolve], run `nslookup
  grafana.northwind.internal`; if it returns nothing, the client did not push DNS settings and
  reconnecting usually helps.
= VPN errors and what they mean
- The error "Authentication failed" almost always means your Okta session expired mid-connection;
  disconnect, sign in to Okta in your browser, and connect again.
- "HIP check failed" means your device did not pass the posture check: disk encryption must be on,
  the OS must be current, and the CrowdStrike sensor must be running.
- If you see "Portal not found" or "Could not connect to the GlobalProtect service", quit the
  client completely and reopen it; a reboot fixes this in most cases.
- VPN sessions last 12 hours, after which GlobalProtect asks you to sign in again; this is expected
  and not a sign that something is broken.
- Hotel and airport Wi-Fi often blocks the tunnel until you accept the captive portal; open a
  browser, accept the terms, then reconnect.
- Drops every few minutes are [usually|almost always] caused by an unstable network rather than the
  VPN, so run a speed test with the VPN off before filing a ticket.
- Some home routers block IPsec; GlobalProtect then falls back to SSL automatically, which is
  slower but works.
- To collect logs for IT, open the client, go to Settings > Troubleshooting > Collect Logs, and
  attach the archive to your ticket.

# Okta single sign-on
- Almost every internal tool sits behind Okta single sign-on at northwind.okta.com, so one password
  and one Okta Verify approval get you into Slack, Google Workspace, Jira, GitHub and the rest.
- Your Okta username is your work email address in the form firstname.lastname@northwind.cloud.
- Group membership in Okta drives access almost everywhere: GitHub teams, Google Groups, AWS roles
  and Datadog roles are all synced from it every {10-30:10} minutes.
= Signing in with Okta
- Go to northwind.okta.com, enter your work email and password, and approve the push in Okta
  Verify[ on your phone|].
- Okta sessions last 12 hours on managed laptops and 2 hours on personal devices; after that you
  are asked to approve a fresh push.
- If Okta asks you to sign in every few minutes, clear cookies for northwind.okta.com and check
  that your browser is not blocking cookies for it.
- Signing in from a new country triggers an extra verification step, so [tell IT about long trips
  in advance|let IT know before a long trip] to avoid a locked account.
- New hires activate Okta from the welcome email sent to their personal address; the activation
  link expires after 7 days.
= The Okta dashboard
- The Okta dashboard shows a tile for every app you have been granted; drag tiles into sections to
  keep the ones you use daily at the top.
- The Okta browser plugin is optional; it only helps with the handful of legacy apps that use
  password vaulting instead of SAML.
- Apps using SAML bounce you to Okta and back automatically; if you end up in a redirect loop, sign
  out of both the app and Okta and start again from the dashboard tile.
- Shared accounts are not allowed; if a vendor only supports a single login, IT stores it in
  1Password Business and grants access through a shared vault.
= "You are not assigned to this application"
- This message means your Okta account has not been assigned to that app yet; it does not mean
  anything is broken.
- Request the app in the Access Portal at access.northwind.internal: search for it by name and add
  a one-line reason.
- Most requests are approved by the app owner within one business day, and apps that touch customer
  data also need your manager's approval.
- Administrators of an app cannot approve their own requests; a second owner has to approve, and
  the Access Portal enforces this.
- Access removed during an access review disappears from your dashboard within an hour; re-request
  it if you still need it.

# Passwords
= Resetting your Okta password
- [To reset your Okta password|If you forgot your Okta password], click "Forgot password?" on the
  sign-in page and approve the Okta Verify push; the new password takes effect everywhere within a
  minute.
- After a reset, expect to sign in again to Slack, Gmail and Zoom on your phone within the next
  hour.
- If you forgot your password and lost your phone at the same time, call the Service Desk on
  extension 4357 from any office phone, or ask your manager to open an urgent ticket.
- To verify your identity, the Service Desk starts a short video call and asks you to show a
  government ID or your badge; they never ask for your current password.
= Password requirements
- Passwords must be at least 14 characters long and cannot contain your name or username; a
  passphrase of four or more random words is [the easiest option|easier to remember and harder to
  guess].
- Passwords do not expire on a schedule; you only have to change yours if it shows up in a breach
  corpus or Security suspects a compromise.
- Reusing your Okta password anywhere else, including in other work tools, is a policy violation
  and the most common root cause in our phishing incident reviews.
- Service accounts use long random secrets stored in Vault rather than passwords and are exempt
  from the Okta password policy.
= Locked out of your account
- Ten failed sign-in attempts lock your Okta account for 30 minutes; the lock clears on its own, or
  the Service Desk can unlock it after verifying your identity.
- Repeated lockouts without any failed attempts of your own usually mean an old password is saved
  somewhere, such as a phone mail app or a Wi-Fi profile.
- Check Settings > Recent Activity in Okta to see where the failed attempts came from[, and report
  any location you do not recognize in #security|].
= Laptop and keychain passwords
- On macOS, your laptop password is synced with Okta through Platform SSO, so after a reset you may
  be asked once for your old password to update the login keychain.
- If your Mac keeps asking for the old password after a reset, choose Update Keychain Password and
  enter the previous Okta password; if you have forgotten it, the Service Desk can reset the
  keychain for you.
- On Windows 11, the sign-in password follows Okta through Entra ID; connect to a network before
  signing in so the new password can be checked.
= Password managers
- 1Password Business is the approved password manager; every employee gets a Private vault, and
  team vaults are created on request.
- Do not store work passwords in browser password managers on personal devices, because they sync
  to personal accounts outside our control.
- Share a credential with a teammate by moving it into a shared vault, never by pasting it into
  Slack or email.
- Your Private vault is deleted when you leave Northwind, so move anything the team needs into a
  shared vault before your last day.

# Multi-factor authentication
- Okta Verify is mandatory for every account; SMS and voice codes are disabled because they are
  easy to intercept.
- Personal phones are fine for Okta Verify; the app gives Northwind no access to your photos,
  messages or location.
= Setting up Okta Verify
- Install Okta Verify from the App Store or Google Play, then scan the QR code shown at
  northwind.okta.com under Settings > Security Methods.
- Number challenge is on: when you approve a push, Okta Verify shows a number that must match the
  one on your sign-in screen.
- Okta Verify with Face ID or Touch ID counts as a phishing-resistant factor on managed Macs, so
  you see fewer prompts on your laptop than elsewhere.
- Delayed push notifications are [usually|mostly] caused by battery saving modes; exclude Okta
  Verify from battery optimization on Android.
= Moving Okta Verify to a new phone
- Before you wipe or trade in your old phone, sign in at northwind.okta.com, open Settings >
  Security Methods and choose Set up another to enroll the new one.
- If the old phone is already gone, the Service Desk can issue a temporary access code, valid for 4
  hours, after a video identity check.
- Remove the old phone from Security Methods once the new one works, so pushes stop going to a
  device you no longer have.
= Security keys for production access
- Engineers with production access, finance approvers and Okta administrators must also register a
  YubiKey 5C NFC; IT ships two keys so you can keep a spare somewhere safe.
- Register a key under Settings > Security Methods > Security Key or Biometric Authenticator and
  touch it when the browser asks.
- Lost YubiKeys must be reported within 24 hours so the key can be deactivated; replacements ship
  from the Portland office within two business days.
- If you cannot or prefer not to use a smartphone, ask for a YubiKey as your primary factor; you do
  not need to explain why.
= Unexpected MFA prompts
- A push you did not trigger usually means someone has your password; deny it, tap Report
  suspicious activity, and reset your password right away.
- Attackers sometimes send dozens of pushes in a row, hoping you approve one to make them stop;
  never approve a push you did not start.
- Security receives every report automatically and [will contact you|reaches out] within the hour
  to review your recent sign-ins.

# Laptop provisioning
= Your new Northwind laptop
- IT ships laptops to new hires {5-7} business days before their start date, tracked in the IT
  ticket that recruiting opens when the offer is accepted.
- Remote hires outside the US, Canada, Ireland and Singapore receive hardware through our logistics
  partner, which can add 5 to 10 business days for customs.
- If the laptop has not arrived two business days before the start date, ask your recruiter to post
  the ticket number, such as {it_ticket}, in #it-help.
- The asset tag is on the bottom case and the serial number is under About This Mac > More Info;
  include both in any hardware ticket.
= Laptop standards by role
- Engineers and data scientists get a MacBook Pro 14-inch with an M3 Pro chip and 36 GB of memory.
- Most other roles get a MacBook Air 13-inch with 16 GB of memory, which is plenty for
  browser-based tools and video calls.
- Windows laptops (Dell Latitude 7440) are available for roles that need them, such as Finance
  staff who rely on Excel add-ins that only run on Windows.
- Managers can request non-standard hardware, such as more memory or a larger screen, through the
  Hardware Exception form; approval takes about a week.
= First boot and zero-touch setup
- The laptop enrolls itself in Jamf (macOS) or Intune (Windows) on first boot, so connect to Wi-Fi
  and sign in with your Okta credentials when prompted.
- Setup installs the baseline apps (Chrome, Slack, Zoom, 1Password, GlobalProtect, the CrowdStrike
  sensor and Google Drive) and takes {15-40:5} minutes [on a good connection|on office Wi-Fi].
- Do not create a local account with a different username during setup; the account must match your
  Okta username or enrollment fails.
- FileVault and the firewall are turned on automatically; turning either off marks the device
  non-compliant and blocks your Okta apps.
- Admin rights are not granted by default; engineers can elevate for up to 30 minutes at a time
  with the Privileges app, and every elevation is logged.

# Laptop repair and replacement
= Laptop refresh cycle
- Laptops are refreshed every three years; IT contacts you {4-6} weeks before your refresh date to
  schedule the swap.
- Files in Google Drive move with you automatically; copy local files with Migration Assistant or
  upload them to Drive before the swap.
- The old laptop must be returned within 10 business days of receiving the new one.
= Broken or damaged laptop
- Open a Hardware Repair ticket with photos of the damage; accidental damage is covered, so a first
  incident costs you nothing.
- For a cracked screen or liquid damage, stop using the laptop, back up anything not already in
  Google Drive, and bring it to an office or request a shipping box.
- IT keeps loaner laptops in every office, and a loaner can be ready the same day if you ask before
  14:00 local time.
- Swapping hardware with a colleague without telling IT breaks asset tracking and triggers a
  compliance alert within a day.
= Returning or shipping a laptop
- Remote employees get a prepaid shipping box with foam inserts; do not send a laptop in a padded
  envelope, because carriers will not insure it.
- Returned laptops are wiped with a cryptographic erase before they are reused or recycled through
  our e-waste partner.
- Personal files on a work laptop are not backed up by IT, so move them off the device before you
  return it.
- Keep the charger with the laptop; IT does not stock spare chargers for every model and bills
  replacements to your cost center.
= Battery and performance problems
- Battery health below 80 percent qualifies for a free replacement; check it under System Settings
  > Battery > Battery Health.
- If your Mac feels slow, check Activity Monitor for runaway processes first; Docker Desktop and
  browser tabs with video calls are the usual culprits.
- A laptop that runs hot during video calls is normal, but one that is hot while idle often has a
  stuck process, so restart it before filing a ticket.

# Peripherals
= Monitors, keyboards and other accessories
- Every office has an IT bar with spare keyboards, mice, USB-C hubs, headsets and display adapters
  you can take without a ticket.
- Monitors for home use come out of the home office stipend rather than the IT budget; we recommend
  a 27-inch 4K display with USB-C power delivery.
- Headsets from the approved list (Jabra Evolve2 or Poly Voyager) ship free to anyone who spends
  more than half the day on calls.
- Bluetooth keyboards and mice are fine, but wireless dongles without encryption are not allowed
  because of keystroke injection attacks.
- Accessories worth more than {150-300:50} dollars must be returned when you leave; smaller items
  are yours to keep.
- For ergonomic equipment such as split keyboards, vertical mice or standing desk converters,
  submit an Ergonomic Request; it does not count against your stipend.
= Docking stations and external displays
- Office desks have a standard USB-C dock: one cable connects power, two monitors, ethernet and the
  webcam.
- If a docked monitor stays black, unplug the dock for ten seconds and reconnect; on macOS, also
  check System Settings > Displays for a mirrored setup.
- MacBook Air models drive only one external display natively; the dock's second port needs the
  DisplayLink driver from Self Service.
= USB storage and removable media
- USB storage devices are blocked by default on managed laptops; if you need to read a customer's
  drive, request an exception and Security will scan it first.
- Approved encrypted drives (Apricorn Aegis) are available from the IT bar for the rare cases where
  data has to move offline.
- Never plug in a USB device you found or received unexpectedly; hand it to IT or Security[
  instead|].

# Software
= Requesting software
- Approved software is in Self Service (macOS) or Company Portal (Windows) and installs without
  admin rights or a ticket.
- For anything not in the catalog, submit a Software Request at help.northwind.internal with the
  product name, the business reason and the expected number of users.
- Free tools still need a review if they process company data, because their terms of service often
  grant the vendor rights to your content.
- A typical request takes {3-10} business days, most of it spent on the security and legal review.
- Trials are fine for up to 30 days as long as you do not upload customer data or connect the tool
  to Google Workspace.
= Software licenses
- Paid licenses for tools such as {app} are assigned through Okta groups, and access usually
  appears within an hour of approval.
- Licenses unused for 60 days are reclaimed automatically; IT Bot sends you a Slack message a week
  before that happens.
- Personal licenses bought with a corporate card cannot be transferred or supported, so ask IT to
  add seats to the company plan instead.
- IT tracks the renewal date of every SaaS contract, and app owners get a reminder 90 days before
  renewal to confirm seat counts.
= Browser extensions
- Chrome extensions are limited to an allowlist managed by IT; request additions through the
  Software Request form.
- Extensions that read every page you visit, such as grammar checkers and AI sidebars, get the
  strictest review because they can see customer data in the admin console.
- An extension removed from the allowlist is uninstalled from managed browsers within a day.

# Email and calendar
= Gmail and Google Calendar basics
- Work email and calendars run on Google Workspace; use the Gmail and Google Calendar web apps or
  the approved desktop clients.
- Messages over 25 MB are rejected; share a Google Drive link instead, restricted to specific
  people for anything confidential.
- Email is retained for 3 years and then deleted, unless it is covered by a legal hold.
- Auto-forwarding work mail to a personal address is blocked by policy and disabled technically.
- External emails carry a yellow EXTERNAL banner at the top, so take extra care with links and
  attachments in those messages.
= Shared mailboxes and Google Groups
- Shared addresses such as support@, billing@ and careers@ are Google Groups with the collaborative
  inbox turned on, not separate accounts.
- To create a new Google Group, file a ticket with the address, the owners, and whether people
  outside Northwind should be able to email it.
- Group owners manage membership themselves; IT only steps in for groups that grant access to
  systems.
= Calendar delegation and out-of-office
- To delegate your calendar, open Settings > Settings for my calendars > Share with specific people
  and choose Make changes to events.
- Set an out-of-office reply under Settings > General > Vacation responder, and also block the time
  in Calendar so colleagues see it when scheduling.
- Calendar invites from external addresses are not added automatically; accept them from the email
  to avoid calendar spam.
- Meeting rooms are resources in Google Calendar: add one from the Rooms tab, and it declines
  automatically if it is already booked.
= Mail delivery problems
- If mail to a customer bounces with "550 5.7.1 Message rejected", the recipient's server blocked
  us; forward the bounce to #it-help so IT can check our sending reputation.
- Marketing and ticketing tools must send through our approved senders; anything else is likely to
  fail SPF and DKIM checks and land in spam.
- Messages that never arrive are usually sitting in the recipient's quarantine, and IT can confirm
  delivery from the Gmail email log search.

# Office Wi-Fi and printing
bind: office
= Wi-Fi in the {office} office *4
- Managed laptops join the Northwind network automatically with a device certificate, so you should
  never need to type a Wi-Fi password.
- Phones and personal devices belong on Northwind-Devices, which has internet access but cannot
  reach internal systems.
- Visitors use Northwind-Guest; the password changes daily and is shown on the screen at reception
  in the {office} office.
- If your laptop shows Northwind as connected with no internet, the device certificate may have
  expired; run Renew Wi-Fi Certificate in Self Service and reconnect.
- Report dead spots in #workplace with the floor and the nearest room name; the network team uses
  these reports to place access points.
- Ethernet ports at desks in {office} are live only for managed devices; plugging in anything else
  quarantines the port until IT resets it.
= Printing at Northwind offices
- Printers use a PaperCut Follow-Me queue: you print from your laptop and release the job at any
  printer by tapping your badge.
- Jobs that are not released within 4 hours are deleted automatically.
- Runs of more than 100 pages should go to the print shop through the Facilities request form.
- To scan, tap your badge at the printer, choose Scan to Me, and the PDF arrives in your inbox a
  minute later.
- If no printer shows up on your laptop, install the Northwind Print package from Self Service or
  Company Portal.

# Zoom and meeting rooms
bind: office
= Zoom Rooms in the {office} office *3
- Every meeting room with a screen has a Zoom Room controller on the table; tap Meet Now, or join
  the meeting shown on the room's calendar.
- Share your screen by opening share.zoom.us on your laptop and entering the sharing key shown on
  the room display.
- Rooms in the {office} office are named after [rivers|local landmarks|neighborhoods], which makes
  them easier to find on the floor plan.
- If the room camera or microphone stops working, restart the room from the controller under
  Settings > Restart; the passcode is on the label under the screen.
- Echo in a meeting room usually means someone in the room joined from a laptop with audio on; mute
  the laptop and use the room system.
= Zoom settings and recordings
- Zoom cloud recordings are kept for 90 days and then deleted; download anything you need to keep
  to Google Drive.
- Recording a meeting with customers requires telling them at the start; the Zoom recording banner
  alone is not enough under our policy.
- Waiting rooms are on for meetings with external guests, and the host has to admit them.
- Zoom AI summaries are turned off for meetings with Confidential in the calendar title.
- For all-hands and other large events, request a Zoom Webinar license through the Software Request
  form at least a week ahead.
= Running a good hybrid meeting
- Invite remote participants to speak first, and keep the room microphones on rather than having
  everyone in the room join from laptops.
- Put the agenda and the notes doc in the invite so remote participants can follow along without
  asking.
- If the room camera cannot see the whiteboard, use a shared Google Doc or a Miro board instead.

# Device compliance
= Keeping your laptop up to date
- Managed laptops must install OS security updates within 7 days; Nudge on macOS and Windows Update
  on Windows remind you with increasing urgency.
- Major OS upgrades, such as a new macOS version, are held back for {30-60:15} days after release
  while IT tests our core apps.
- Restart at least once a week: many updates only finish installing after a reboot, and uptime over
  14 days triggers a reminder.
= Device compliance checks
- The compliance checks are disk encryption, a screen lock after 10 minutes, the firewall, a
  running CrowdStrike sensor, and an OS version that still gets security updates.
- To see why a device is non-compliant, open Self Service and choose Check Compliance; it lists
  each failed check with a fix.
- Linux workstations are supported only for engineers who need them and must run Ubuntu 22.04 LTS
  with full-disk encryption and osquery.
- Personal devices can reach Slack and Gmail through the mobile apps only; desktop access to
  company data requires a managed device.
= Why was my laptop blocked from Okta?
- A device that misses the update deadline gets a 48-hour grace period, after which Okta blocks the
  apps that hold customer data.
- Once the device passes the checks again, access returns within about 15 minutes; signing out of
  Okta and back in speeds it up.
- Do not uninstall or pause the CrowdStrike sensor; if it uses a lot of CPU, send a screenshot of
  Activity Monitor to #it-help and Security will look into it.
"""

HR_PEOPLE = r"""
## HR & People
* Questions about this policy can go to #people-questions or [straight|directly] to your People
  Partner.
* Where local law is more generous than this policy, local law applies; country details are in the
  appendix pages for Canada, Ireland and Singapore.
* People Operations last reviewed this policy in {month}; it applies to all full-time and part-time
  employees.
* Contractors should check their agreement or ask their Northwind contact, since most People
  policies do not apply to them.
* Managers will find a short FAQ on applying this policy in the Manager Hub in Confluence.

# Time off
= Paid time off
- US employees have flexible paid time off: there is no fixed allowance, and we expect everyone to
  take at least 15 days a year plus public holidays.
- In Canada, Ireland and Singapore, time off accrues under local contracts, starting at 20 days per
  year; your balance is in Workday under Time Off > My Balances.
- People Ops reviews time-off data each quarter and [nudges|checks in with] the managers of anyone
  who has taken fewer than 5 days in the last six months.
- Time off for jury duty, voting and bereavement is separate from PTO and is not logged as
  vacation.
- Bereavement leave is up to 10 working days for immediate family and 3 days for other relatives.
= Requesting time off in Workday
- Request time off in Workday under Menu > Absence > Request Absence, and let your team know in
  your team channel; your manager gets an approval task automatically.
- For five or more consecutive days, give at least two weeks' notice; for shorter breaks, a few
  days' notice is fine.
- Managers should approve requests within three business days and only decline them for a genuine
  coverage problem, explaining why.
- Block the time in Google Calendar as Out of office so that meetings are declined automatically[
  while you are away|].
- If you are on call during a planned vacation, swap the shift in PagerDuty before you request the
  time off.
= Public holidays and Recharge Days
- Public holidays follow the office you are attached to in Workday, even if you work remotely in
  another city.
- Twice a year the whole company takes a Recharge Day and every office closes; the dates are
  announced at least a quarter ahead.
- If a public holiday falls on a weekend, the office takes the following {weekday} off instead
  where local practice allows.
- Support and on-call teams work some holidays on a rota and get a replacement day off, to be taken
  within 60 days.
= Carryover and long breaks
- Unused accrued days in Ireland and Canada can be carried over, up to 5 days, into the next year;
  anything above that expires on 31 March.
- After five years of service, employees can take a four-week paid sabbatical, planned with their
  manager at least three months ahead.
- Breaks longer than three weeks, other than sabbaticals, need your skip-level manager's approval
  as well as your manager's.
- Unpaid leave of up to three months is possible for personal reasons; benefits continue, but
  equity vesting pauses after the first 30 days.

# Sick leave
= Sick leave
- If you are sick, tell your manager before the start of your working day by Slack or phone, and
  log Sick Leave in Workday when you are back.
- You do not need a doctor's note for absences of up to five consecutive working days.
- From the sixth consecutive day, People Ops asks for a medical certificate and explains how
  short-term disability coverage works in your country.
- There is no annual cap on sick days in the US; in other countries paid sick leave follows local
  law, with a minimum of 10 days per year.
- If you get sick during vacation, convert those days to sick leave in Workday so they do not count
  against your time off.
= Caring for someone who is ill
- Sick leave also covers medical appointments, mental health days, and caring for a sick child,
  partner or parent.
- For longer caregiving needs, talk to your People Partner about a reduced schedule or unpaid
  family leave.
- Your manager will not ask about a diagnosis; anything you choose to share about your health or
  your family's is kept confidential by People Ops.
= Long-term illness and workplace adjustments
- Long-term conditions that need adjustments, such as a modified schedule or special equipment, can
  be discussed confidentially with your People Partner.
- Short-term disability in the US is provided through Lincoln Financial and pays 100 percent of
  base salary for the first 12 weeks.
- Please do not come into the office with a fever or a contagious illness; working from home while
  unwell is optional, never expected.
- A phased return after a long absence is agreed with People Ops and your manager, usually over two
  to six weeks.

# Parental leave
= Parental leave
- All parents get 16 weeks of fully paid parental leave after the birth, adoption or foster
  placement of a child, regardless of gender.
- Leave can be taken in one block or in up to three blocks, as long as it is used within 12 months
  of the child's arrival.
- Birthing parents get an additional 6 weeks of paid medical leave before or after the birth, as
  recommended by their doctor.
- Pregnancy loss is covered by up to 4 weeks of paid leave for both parents.
- Employees in Ireland receive the state maternity or paternity benefit directly, and Northwind
  tops it up to full salary.
= Planning your parental leave
- Tell your manager and People Ops at least 30 days before you plan to start leave when you can;
  your People Partner sets the leave up in Workday.
- Before leaving, write a short handover doc covering ongoing projects, owners and recurring
  meetings, and agree on who covers your on-call shifts.
- During leave your Slack and email stay active, but you are not expected to check them, and
  managers should not contact you about work.
- Benefits, equity vesting and bonus eligibility continue while you are on leave.
= Returning from parental leave
- For the first four weeks back, you can work a 60 percent schedule at full pay.
- Nursing rooms are available in every office and can be booked in Robin; they are open to visitors
  as well.
- Book a return conversation with your manager in your first week back to agree on priorities and
  any schedule changes.

# Expenses
= Submitting expenses in Expensify
- Submit expenses in Expensify within 30 days of the purchase; add the receipt by forwarding it to
  receipts@expensify.com or photographing it in the app.
- Corporate card charges flow into Expensify automatically, so you only need to attach the receipt
  and pick a category.
- Expense categories map to general ledger accounts; choose the closest one, because Finance would
  rather correct a category than chase a missing receipt.
- Reports with missing receipts are returned to you with a comment, and you have 14 days to fix
  them before they are closed.
= What can I expense?
- Receipts are required for every expense over 25 dollars or the local equivalent, and for all
  hotel and airfare charges regardless of amount.
- Team meals and celebrations need the budget owner's approval in advance; list the attendees in
  the expense description.
- Alcohol is reimbursable only at approved client events and team celebrations, with a limit of two
  drinks per person.
- Not reimbursable: personal grooming, minibar charges, in-flight Wi-Fi for personal use, traffic
  or parking fines, and upgrades nobody approved.
- Gifts to customers worth more than 100 dollars need approval from Legal to comply with
  anti-bribery rules.
= Meal limits and per diems
- Meals while travelling are covered up to 75 dollars per day in the US and 60 euros per day in
  Europe, excluding alcohol.
- The daily limit covers the whole day, so a bigger dinner is fine if breakfast was included with
  the hotel.
- Meals with customers do not count toward your daily limit, but the customer attendees must be
  named in the expense.
- Expenses in a foreign currency are converted at the rate on your card statement, or for cash, at
  the rate on the day of purchase.
= Mileage and ground transport
- Mileage for personal cars is reimbursed at the current IRS rate in the US and at the civil
  service rate in Ireland; log the start and end addresses.
- Rideshares are fine for business travel; choose the standard tier rather than premium, unless you
  are travelling alone late at night.
- Airport parking is covered for trips of up to five days; for longer trips a rideshare or public
  transport is usually cheaper.
= Expense approvals and reimbursement
- Expensify sends each report to your manager first and then to Finance; once both approve, the
  money arrives with the next payroll run or within 10 business days.
- Managers should approve expense reports within five business days; reports waiting longer are
  escalated to their manager automatically.
- If a reimbursement is late, check the report status in Expensify before asking #finance-help;
  most delays are a missing approval.

# Travel
= Business travel policy
- Book all flights, hotels and rental cars through Navan, so we can find you in an emergency and
  apply our negotiated rates.
- Economy class is standard for flights under 6 hours; premium economy is allowed on longer
  flights, and business class needs VP approval.
- Hotel nightly caps vary by city and are shown in Navan; staying under the cap earns Navan Rewards
  points you can redeem for gift cards.
- Travel insurance is provided automatically when you book through Navan; the policy details are in
  the Benefits hub.
- Adding personal days to a business trip is fine as long as the airfare does not increase, and the
  extra hotel nights are on you.
= International travel approvals
- International trips need approval from your manager and from Security at least 14 days before
  departure, so Security can check the device rules for the destination.
- For travel to some countries, IT issues a clean loaner laptop and phone, and you must not take
  your regular devices.
- Visa and passport fees for business travel are reimbursable; expedited passport fees only when
  the trip was booked at short notice.
= Changes, cancellations and delays
- Changes and cancellations also go through Navan, and fees caused by business changes are covered.
- If a flight is cancelled, call Navan support, which is open 24/7, or use the in-app chat; they
  can usually rebook you faster than the airline desk.
- Overnight delays are covered: book a hotel near the airport through Navan and expense meals
  within the normal daily limit.

# Onboarding
= Your first week at Northwind
- Your first day starts at 09:30 local time with a welcome session run by People Ops, followed by
  IT setup and lunch with your team.
- Your manager shares a 30/60/90 day plan in your first week; review it together and adjust it by
  the end of week two.
- You get Slack invites to #general, #announcements, your team channel and #new-hires; join #random
  and interest channels at your own pace.
- The Northwind Handbook in Confluence covers our values, how we make decisions and where to find
  things; read it in your first two weeks.
= Onboarding checklist for new hires
- Required training on security awareness, the code of conduct and data privacy is assigned in
  Workday and must be finished within 14 days of your start date.
- Payroll, tax and bank details are entered in Workday before your start date; make sure your legal
  name matches your ID to avoid payroll delays.
- Benefits enrollment opens on your first day and closes after 30 days; miss the window and you
  have to wait for open enrollment in November.
- Badges for office-based hires are printed in advance and handed over at reception; remote hires
  get theirs on their first office visit.
- Engineers complete a first deploy to staging in their first week by following the Hello Northwind
  tutorial in the engineering handbook.
= Onboarding buddies
- Every new hire is paired with an onboarding buddy from another team for their first 60 days, and
  buddies meet at least weekly during the first month.
- A buddy answers the questions that feel too small to ask a manager, such as where things live,
  who owns what and how meetings work.
- Buddies volunteer through the People Ops form and complete a 30-minute briefing before they are
  matched.
- New hire surveys go out at 30 and 90 days; People Ops reads every response and shares anonymized
  trends with leadership.
= Manager onboarding checklist
- Managers should confirm hardware with IT at least two weeks before the start date, using the
  ticket opened by recruiting.
- Book intro meetings with key partners and set up a weekly 1:1 before day one, so the first week's
  calendar is not empty.
- Add the new hire to the right Okta groups through the Access Portal; group access is what grants
  GitHub, Jira and Google Groups.
- Pick a starter project that can ship within the first month; a small real change teaches more
  than a week of reading.

# Offboarding
= Offboarding checklist
- Managers submit the departure in Workday as soon as the last working day is confirmed; this opens
  the offboarding tickets for IT, Finance and Facilities.
- Access to Okta and every connected app is removed at 17:00 local time on the last working day, or
  immediately for involuntary departures.
- Return your laptop, badge, YubiKeys and any equipment worth more than 200 dollars within 10
  business days; remote employees get a prepaid shipping kit.
- Submit outstanding expenses before your last day, because anything submitted later may not be
  reimbursed.
= Leaving Northwind
- Final pay, including unused accrued vacation where applicable, is paid on the next regular
  payroll date or as local law requires.
- Questions about exercising vested options go to equity@northwind.cloud; the post-termination
  exercise window is 90 days.
- Exit interviews are optional and run by People Ops rather than your manager, and the feedback is
  anonymized before it is shared.
- Alumni can stay in touch through the Northwind Alumni Slack community, which is separate from the
  company workspace.
= Offboarding for managers
- Before the last day, transfer ownership of the person's Google Drive files, shared drives and
  recurring calendar events to yourself or a teammate.
- Decide whether their email should be forwarded to you for 30 days or replaced with an auto-reply,
  and note it in the offboarding ticket.
- Reassign on-call shifts, PagerDuty escalation policies, GitHub CODEOWNERS entries and open Jira
  tickets before the departure date.
- Tell customers and partners who worked with the person who their new contact is; Customer Success
  can help with the wording.

# Benefits
= Benefits overview for the US
- US employees choose between three Aetna medical plans: a PPO, a high-deductible plan with an HSA,
  and an EPO; Northwind pays 95 percent of the employee premium.
- Dental and vision coverage are fully paid for employees and 80 percent paid for dependents.
- The 401(k) plan through Fidelity has a 4 percent company match that vests immediately.
- Life insurance at two times annual salary and long-term disability coverage are provided at no
  cost.
= Benefits overview for Ireland and Canada
- In Ireland, the company pension contributes 5 percent of salary when you contribute at least 3
  percent, and private health insurance is provided through Laya Healthcare.
- Canadian employees get extended health and dental through Sun Life, plus an RRSP match of 4
  percent.
- Employees in Ireland and Canada also get the wellness stipend and the Employee Assistance Program
  on the same terms as the US.
= Wellness stipend and support
- The wellness stipend of 75 dollars per month covers gym memberships, fitness classes, meditation
  apps, or therapy not covered by insurance; claim it in Expensify under Wellness.
- The Employee Assistance Program offers six free, confidential counseling sessions per issue per
  year and is available 24/7 by phone.
- Fertility and family-forming benefits through Carrot cover up to 15,000 dollars over a lifetime,
  including IVF, adoption and surrogacy costs.
= Open enrollment and life events
- Open enrollment runs every November for coverage starting on 1 January; outside that window you
  can only change plans after a qualifying life event.
- Qualifying life events include marriage, a birth or adoption, losing other coverage, and moving
  to a new country; report them in Workday within 30 days.
- During open enrollment, plans roll over unchanged if you do nothing, except for the HSA
  contribution, which must be re-elected every year.

# Performance
= Performance reviews
- Performance reviews run twice a year, in April and October, in Lattice; a cycle takes about five
  weeks from self-review to conversations.
- New hires who joined within 90 days of a cycle do a lightweight check-in instead of a full
  review.
- If you disagree with your review, raise it with your manager first and then with your People
  Partner; the formal appeal process is described in the handbook.
= Writing your self-review
- The self-review asks for three to five accomplishments, what you learned, and what you want to
  focus on next; link to docs and pull requests rather than rewriting them.
- Write about impact, not activity: what changed for customers or the team because of the work,
  with numbers where you have them.
- It is fine to include work that did not go as planned, along with what you would do differently.
= Peer feedback
- Choose three to five peers for feedback, ideally including someone outside your team; your
  manager may add one more.
- Peer feedback should be specific and based on work you saw directly, and it is shared with the
  person unless you mark a comment as manager-only.
- Aim for one thing the person should keep doing and one thing that would make them more effective,
  with an example of each.
= Calibration, ratings and promotions
- Managers draft ratings, which are then calibrated across the department to keep standards
  consistent between teams.
- Ratings use a five-point scale from Not yet meeting expectations to Far exceeds expectations, and
  most people land in Meets or Exceeds in a given cycle.
- Promotions are proposed by managers during the review cycle, with a written case mapped to the
  career ladder for the next level.
- Off-cycle promotions are rare and need VP and People approval.
- Compensation changes from the review cycle take effect on 1 June and 1 December.

# Remote work
= Remote and hybrid work
- Northwind is remote-friendly: people near an office come in on their team's anchor days, usually
  Tuesday and Wednesday, and work from anywhere the rest of the week.
- Fully remote employees can work from anywhere in a country where we have a legal entity: the US,
  Canada, Ireland, the UK and Singapore.
- Coworking spaces are covered up to 250 dollars per month for employees more than 50 miles from an
  office.
- Team offsites happen once or twice a year, and travel for them is booked by the People Experience
  team.
= Home office stipend
- New employees receive a one-time home office stipend of 1,000 dollars for a desk, chair, monitor
  and lighting, plus 50 dollars per month toward internet.
- Claim stipend purchases in Expensify under Home Office with a receipt; anything you buy with it
  is yours to keep.
- The stipend refreshes after three years, in line with the laptop refresh cycle.
= Working from another country
- Working from another country for more than 14 days in a 12-month period needs approval from
  People Ops because of tax and immigration rules.
- Requests to work abroad are submitted in Workday at least 30 days ahead, and most approvals take
  about two weeks.
- Moving to a new state or country changes your employment terms, so tell People Ops before you
  sign a lease.
= Core hours and time zones
- Core collaboration hours are 10:00 to 15:00 in your local time zone; keep them free for meetings
  and respond to messages within them.
- Teams that span the US and Europe should rotate meeting times so the same people are not always
  taking calls at 19:00.
- Write things down: decisions made in a call should land in the team channel or the project doc
  for people in other time zones.

# Learning and development
= Learning and development budget
- Each employee has a learning budget of 1,500 dollars per calendar year for courses, books,
  certifications and conference tickets.
- Books and online course subscriptions can be expensed directly under Learning in Expensify;
  anything over 500 dollars needs manager approval first.
- Unused learning budget does not roll over to the next year.
- If you leave within six months of a certification that cost more than 2,000 dollars, you may be
  asked to repay it, as set out in the training agreement.
= Conferences and speaking
- Conference travel is paid from the team's travel budget rather than your learning budget when you
  attend on behalf of Northwind.
- Speaking at a conference? The developer relations team reviews your talk and covers travel even
  if your team budget is used up.
- Share what you learned in a short write-up or a lunch talk within a month of the event.
= Mentoring and learning time
- The internal mentoring program matches mentors and mentees every quarter; sign up in Lattice
  under Growth > Mentorship.
- Engineers can spend up to two days per quarter on a learning project tied to their growth plan,
  agreed in advance with their manager.
- Mentoring pairs meet every two weeks for a quarter, and either side can end the pairing early
  without explanation.
"""

ENGINEERING = r"""
## Engineering
* Questions about this runbook go to #platform; if it is wrong or out of date, fix it, because it
  is a wiki.
* Runbook owner: the {team} team. Last verified during the {month} game day.
* If you are following this during an incident, post each step in the incident channel so the
  timeline is easy to reconstruct afterwards.
* Never run these commands against production without an active VPN session and a recorded reason
  in your access request.
* The Datadog monitors that relate to this page link to it from their descriptions.

# Deploys
bind: svc
- Every service is deployed through ArgoCD from the main branch; merging a pull request builds an
  image and starts a staging deploy automatically.
- Each deploy is tagged with the Git SHA and a version number such as v{version}, and the tag shows
  up in Datadog as the version tag.
- The deploy bot posts the change list, the authors and the Jira tickets of every production deploy
  in #deploys; react with the eyes emoji if you are watching one.
= Deploying {svc} to production *4
- Promote a build from staging to production with `ship deploy {svc} --env production`; the CLI
  prints links to the ArgoCD sync and the canary dashboard.
- Before deploying {svc}, check the service dashboard and #incidents, and do not deploy into an
  ongoing incident unless the deploy is the fix.
- A deploy of {svc} takes about {6-20} minutes end to end, most of it in the canary stage.
- Watch the rollout live with `ship status {svc} --env production --watch`[, or follow the thread
  the deploy bot opens in #deploys|].
- Database migrations run as a separate step with `ship migrate {svc}` before the application
  deploy, so a bad migration never ships together with code that depends on it.
- [Config-only changes|Changes to environment variables] go through the same pipeline; there is no
  way to change production config for {svc} without a deploy.
= Canary releases
- Production deploys start with a canary at 5 percent of traffic for 15 minutes; if the error rate
  stays under 2 percent and p99 latency does not regress by more than 20 percent, the rollout
  continues to 25, 50 and 100 percent.
- If the canary analysis fails, Argo Rollouts aborts and scales the canary down automatically, and
  the reason is posted in #deploys.
- The canary compares the new version against the stable one at the same moment, so traffic spikes
  that hit both do not fail the analysis.
- Services with very little traffic have a fixed canary of 30 minutes instead, because 5 percent of
  a few requests per minute tells you nothing.
= Deploy windows and code freezes
- Deploy windows are Monday to Thursday from 09:00 to 16:00 Pacific, and Friday until 12:00;
  outside those windows you need approval from the on-call engineering manager.
- Code freezes are announced in #eng-announcements before major holidays and during the last week
  of each quarter, and only fixes for customer-facing bugs ship during a freeze.
- Hotfixes follow the same path with the `--expedite` flag, which shortens the canary to 5 minutes
  and requires a second approver on the deploy request.
- If ArgoCD shows an application as OutOfSync after a deploy, someone probably changed the
  manifests by hand; do not click Sync, ask in #platform first.

# Rollbacks
bind: svc
= Rolling back {svc} *3
- To roll back, run `ship rollback {svc} --env production`; by default it returns to the previous
  healthy version, or pass `--to v{version}` to pick one.
- Rollbacks skip the canary and go straight to 100 percent, so they usually finish in under {3-6}
  minutes.
- Announce the rollback in #deploys with a link to the incident or the error graph, and pause the
  pipeline with `ship pause {svc}` so the next merge does not redeploy the bad commit.
- After rolling back, revert or fix the offending change on main, and unpause the pipeline only
  when main is healthy again.
- If `ship rollback` fails with "no healthy revision found", the earlier versions were also marked
  degraded; pick a known-good version from `ship history {svc}`.
= When not to roll back
- Rollbacks do not undo database migrations; if the bad release included one, check that the
  previous version works with the new schema before rolling back.
- When the problem is a feature behind a flag, turning the flag off in LaunchDarkly is faster and
  safer than a rollback.
- Rolling back a shared library means redeploying every service that picked it up, so coordinate
  that in #platform rather than doing it alone.
- During an incident, the incident commander decides on rollbacks; suggest one in the channel
  rather than acting on your own.

# Feature flags
= Feature flags with LaunchDarkly
- We use LaunchDarkly for feature flags, and every flag has an owner team, a Jira ticket and a
  planned removal date.
- Targeting by workspace ID lets you roll a feature out to internal workspaces first and then to a
  percentage of customers.
- Evaluate flags on the server; the client-side SDK is only used in the web app for changes that
  affect the UI alone.
- If LaunchDarkly is unreachable, the SDK serves the last known values and new processes fall back
  to the default in code, so choose safe defaults.
= Flag naming and cleanup
- Flag keys follow the pattern team.feature-name, for example payments.new-invoice-pdf or
  intg.salesforce-bulk-api.
- Release flags should be removed within 30 days of reaching 100 percent; the cleanup report in
  #eng-hygiene lists overdue flags every Monday.
- Do not use flags for configuration values that differ per environment; those belong in the
  service config.
- Flags that gate a paid feature must be reviewed with Billing Engineering so entitlements match
  what customers pay for.
= Kill switches
- Kill switches are long-lived flags that turn off an expensive or risky code path in an emergency;
  they carry the kill-switch label and are exempt from cleanup.
- Changes to production flags are written to the audit trail and mirrored to #flag-changes,
  including who flipped the flag and why.
- Test each kill switch in staging at least once a quarter; a switch that has never been flipped
  may not work when you need it.

# On-call
= On-call at Northwind
- Each service team runs a weekly on-call rotation in PagerDuty with a primary and a secondary, and
  shifts change over on Tuesday at 10:00 Pacific.
- You should be able to reach a laptop within 15 minutes while on call; if you cannot, swap with a
  teammate in PagerDuty under Schedule > Override.
- New engineers shadow two rotations before joining the primary schedule.
- If you are paged for something you cannot fix, escalate; nobody expects the on-call engineer to
  know every system.
- The PagerDuty mobile app must be allowed to override Do Not Disturb for high-urgency
  notifications.
= Paging and escalation policies
- High-urgency pages must be acknowledged within 5 minutes; if the primary does not respond,
  PagerDuty escalates to the secondary after 5 minutes and to the engineering manager after 15.
- Low-urgency alerts create a ticket and notify only during business hours, and they should be
  fixed or tuned during the week.
- Every page should be actionable; alerts that fire without needing a human should be downgraded or
  deleted within the week.
- Each team's escalation policy is named after the team in PagerDuty, for example "{team} -
  Primary".
= On-call handoff
- At handoff, the outgoing primary posts a summary in #eng-oncall: open incidents, noisy alerts,
  risky deploys and anything the next person should watch.
- The weekly on-call review on Wednesday goes through every page from the previous shift and
  decides which alerts to tune.
- Handoff notes for the {team} rotation last week mentioned {inc}, a flapping disk alert and a
  pending deploy of {svc}; that level of detail is about right.
= On-call compensation
- On-call engineers receive a stipend of 500 dollars per week of primary coverage, paid with the
  next payroll run.
- After any night with more than two pages, take the next morning off; tell your team in the
  channel, no approval is needed.
- Holiday shifts pay double the stipend and are assigned by volunteer sign-up before the rota is
  published.

# Incident response
= Declaring an incident
- Anyone can declare an incident by typing /incident declare in Slack; the bot creates a channel
  named after the date and a short slug, starts a Zoom bridge and pages the incident commander on
  duty.
- When in doubt, declare at the higher severity; downgrading later is cheap, while a late
  escalation costs customers time.
- Support is notified automatically for SEV1 and SEV2 and links related tickets in the channel, so
  affected customers can be told when it is over.
- If customer data may have been exposed, page Security immediately with /incident page security;
  Legal must be involved before any customer communication about data.
= Incident severity levels
- SEV1 means a full outage or data loss for many customers, SEV2 a major feature unavailable or
  degraded for many customers, and SEV3 limited impact with a workaround.
- SEV1 and SEV2 incidents always get an incident commander and a communications lead; SEV3
  incidents can be run by the on-call engineer alone.
- An incident is resolved when customer impact has ended, not when the root cause is fixed; the
  follow-up work is tracked in the postmortem.
- In {inc}, a SEV2, webhook deliveries were delayed by up to 40 minutes for EU workspaces; nothing
  was lost, but customers saw late notifications.
= Incident roles
- The incident commander coordinates and makes decisions but does not debug; the technical lead
  investigates, and the communications lead handles customers and the status page.
- Incident commanders rotate weekly and are senior engineers or engineering managers who have
  completed the IC training.
- The scribe, usually the secondary on-call, keeps the timeline current with /incident note so the
  commander can focus on decisions.
- Keep the incident channel for the response itself; side discussions and speculation go to threads
  or #incidents-chatter.
= Communicating during an incident
- For SEV1 and SEV2, the first status page update goes out within 15 minutes of declaring, and
  updates follow every 30 minutes until the incident is resolved.
- Post status updates in the channel with /incident update, so they are captured in the timeline
  automatically.
- At the end, run /incident resolve and choose whether a postmortem is required; it is mandatory
  for SEV1 and SEV2.
- Internal updates in #incidents should say what is affected, what we are doing, and when the next
  update will come, even if nothing has changed.

# Postmortems
= Writing a postmortem
- Postmortems are due within five business days of resolving a SEV1 or SEV2 incident and use the
  template in Confluence under Engineering > Postmortems.
- They are blameless: describe what happened and why the system allowed it, not who made a mistake.
- A good timeline uses UTC timestamps and links to graphs, deploys and Slack messages; the incident
  bot exports a draft timeline to start from.
- Distinguish the trigger, such as a bad deploy, from the contributing factors, such as a missing
  alert or a slow rollback.
- Each action item gets a Jira ticket with the postmortem label, an owner and a due date, and the
  weekly review tracks it until it is closed.
= Postmortem review meeting
- Postmortems are presented at the Thursday reliability review; the author presents, and the group
  focuses on systemic fixes.
- Repeat incidents with the same root cause are flagged in the quarterly reliability report to
  leadership.
- Customer-facing incident reports for Enterprise customers are written by Support from the
  postmortem and reviewed by Legal before they go out.
- The {inc} review, for example, produced three action items for the {team} team: a missing alert
  on queue depth, a runbook fix, and a load test before the next peak.

# Database failover
bind: db
- Our Postgres clusters run on EC2, with Patroni managing leader election and etcd storing the
  cluster state.
- Each cluster has one leader and two replicas in different availability zones, and applications
  connect through PgBouncer, which follows the leader.
- Never run `patronictl remove` on a production cluster; it deletes the cluster state from etcd and
  requires a full restore.
= Failing over {db} *4
- Check the health of {db} with `patronictl -c /etc/patroni/patroni.yml list`; the output shows
  each member's role, state, timeline and lag in MB.
- For a planned switchover of {db}, run `patronictl switchover --leader <current> --candidate
  <replica> --scheduled now` from a bastion and confirm the prompt.
- Only switch over to a replica whose lag is under 10 MB, because a lagging candidate can lose
  recent writes.
- A switchover takes {20-60:10} seconds, during which writes fail with "cannot execute UPDATE in a
  read-only transaction"; most services retry these automatically.
- After a failover, confirm the new leader of {db} with `patronictl list` and check that PgBouncer
  points at it by running SHOW SERVERS on the admin console.
- Write the old and new leader hostnames and the timeline number in the incident channel; you need
  them for the postmortem and for any point-in-time restore.
= Automatic failover
- Patroni fails over automatically if the leader stops renewing its lock in etcd for 30 seconds;
  page the database on-call if this happens outside planned maintenance.
- When the old leader comes back, Patroni rewinds it with pg_rewind and adds it as a replica; if
  the rewind fails, reinitialize it with `patronictl reinit`.
- Maintenance that needs a switchover, such as a minor version upgrade, is announced in #db-ops a
  day ahead and done between 14:00 and 16:00 UTC.
= Postgres replication lag
- Replication lag above 100 MB on {db} pages the database on-call; the usual causes are a
  long-running transaction on a replica or a large batch write on the leader.
- Find long-running queries with `SELECT pid, now() - xact_start, query FROM pg_stat_activity ORDER
  BY 2 DESC LIMIT 10;` and cancel them with pg_cancel_backend.
- Lag that grows steadily without a big write usually means the replica's disk is saturated; check
  its IOPS graph before blaming the leader.
- Read-only traffic is routed to replicas with less than 30 seconds of lag, so a lagging replica
  drops out of the read pool on its own.

# Backups and restore
bind: db
- All Postgres clusters stream WAL to S3 continuously with WAL-G and take a full base backup every
  night at 03:00 UTC.
- Backups are kept for 35 days, encrypted with KMS, and copied to a second region for disaster
  recovery.
= Backups for {db} *3
- A restore of {db} takes roughly {1-4} hours, depending on the size of the base backup and how
  much WAL has to be replayed.
- The backup monitor for {db} alerts if no base backup has completed in 26 hours or if WAL
  archiving falls more than 15 minutes behind.
- S3 buckets holding backups have object lock enabled, so backups cannot be deleted before their
  retention ends, even by administrators.
- Redis and Elasticsearch are treated as caches and indexes that can be rebuilt, so they are not
  backed up.
= Point-in-time restore
- Point-in-time restore can recover a cluster to any second within the retention window; give the
  target time in UTC.
- Restores go to a new cluster, never over the existing one; name it after the source with a
  -restore suffix and the date.
- To restore a single table, restore the whole cluster to a scratch instance, then copy the rows
  back with `pg_dump --table` and a reviewed SQL script.
= Quarterly restore drills
- Every quarter, the database team restores a production cluster to a scratch instance and verifies
  row counts against the source.
- The drill measures the time to restore, and a result slower than the 4-hour target gets a ticket
  for the {team} team.
- The results of each drill, including the restore time and any problems, are recorded on the
  Disaster Recovery page for the SOC 2 audit.

# Kubernetes
= Accessing the Kubernetes clusters
- We run EKS clusters per environment and region: prod-use1, prod-euw1, staging-usw2 and
  tools-usw2.
- Get cluster credentials with `nw-kube login prod-use1`; it uses your Okta session and gives
  read-only access unless you are in a production admin group.
- Write access to production clusters is granted through a time-bound access request of up to 4
  hours.
- Do not edit resources in production with kubectl edit; ArgoCD reverts such changes within
  minutes.
= Debugging a crash-looping pod
- A pod in CrashLoopBackOff usually fails on startup; start with `kubectl logs <pod> --previous`
  and `kubectl describe pod <pod>` to see the exit code and recent events.
- Exit code 137 means the container was killed, usually for exceeding its memory limit; check the
  memory graph before raising the limit.
- Image pull errors in staging are almost always a tag that was never pushed, because CI failed
  after the manifest change merged.
- Use `kubectl top pods -n <namespace>` for a quick look at resource usage, but trust Datadog for
  anything historical.
= Draining and replacing nodes
- Drain a node with `kubectl drain <node> --ignore-daemonsets --delete-emptydir-data`;
  PodDisruptionBudgets slow the drain down to keep services available.
- Nodes are replaced, not patched: the AMI is updated every two weeks and Karpenter rolls the nodes
  gradually.
- A drain that hangs for more than 10 minutes is usually blocked by a PodDisruptionBudget that
  allows zero disruptions; ask the owning team before overriding it.
= Autoscaling and capacity
- Horizontal Pod Autoscalers scale most services on CPU at 60 percent, and queue consumers scale on
  queue depth through KEDA.
- Namespaces map to teams, and resource quotas are set per namespace; ask in #platform if you need
  a higher quota.
- Pending pods with "0/42 nodes are available: insufficient memory" mean the cluster is scaling up;
  if they stay pending for over 10 minutes, page the platform on-call.

# TLS certificates
= TLS certificate rotation
- Public certificates for northwind.cloud and its subdomains are issued by Let's Encrypt through
  cert-manager and renewed automatically 30 days before they expire.
- Internal service certificates come from the Vault PKI engine, are valid for 90 days, and are
  rotated by the Vault agent sidecar without restarts.
- The mTLS certificates used between services are separate from public certificates and are rotated
  every 24 hours.
- Never copy private keys to your laptop; if you need to inspect a certificate, fetch only the
  public part.
= Certificate expiry alerts
- The expiry alert fires when any certificate has fewer than 14 days left, which means automation
  has already failed, so treat it as urgent.
- Check a certificate's expiry date with `openssl s_client -connect host:443 -servername host |
  openssl x509 -noout -enddate`.
- If cert-manager fails to renew, look at the Certificate and CertificateRequest resources with
  kubectl describe; failed DNS challenges are the most common cause.
- Certificates for customers' custom domains are issued on demand at the edge, and renewal failures
  for them show up on the customer-domains dashboard.

# CI
= CI with GitHub Actions
- CI runs on GitHub Actions, and pull requests need the build, unit-tests and lint checks to pass
  plus one approving review from a code owner before merging.
- Most workflows run on self-hosted runners labelled nw-runner-large, which have 16 cores and a
  warm Docker cache.
- The main branch is protected: no direct pushes, linear history, and required status checks.
- Secrets in workflows come from Vault through OIDC; do not add long-lived tokens to repository
  secrets.
= Flaky tests
- A test that fails and then passes on retry is flaky; mark it with the flaky tag and open a ticket
  for the owning team instead of retrying until it goes green.
- Quarantined tests still run but do not block merges; the quarantine list is reviewed every two
  weeks, and tests nobody fixes are deleted.
- Integration tests run against throwaway Postgres and Redis containers started by the workflow,
  which are torn down even if the job is cancelled.
= Speeding up CI
- If jobs wait in the queue for more than 10 minutes, the runner pool may be exhausted; check the
  CI capacity dashboard and post in #dev-productivity.
- Dependency caches are keyed on the lockfile hash, so the first run after a dependency bump is
  slower.
- Median CI time for the monorepo is about {9-14} minutes; if your change pushes it up noticeably,
  talk to Developer Experience.

# Secrets
= Secrets in Vault
- Application secrets live in Vault under secret/team/service and are injected at runtime by the
  Vault agent; they never appear in Git or in container images.
- Read a secret with `vault kv get secret/payments/billing-api` after `vault login -method=oidc`;
  access is granted per team through Okta groups.
- Database credentials are dynamic: services request short-lived Postgres users from Vault that
  expire after 24 hours.
- Local development uses separate sandbox credentials from secret/dev, and production secrets are
  never needed on a laptop.
= Rotating a leaked secret
- If a secret is committed to Git, even to a branch that was later deleted, treat it as leaked:
  rotate it first, then clean the history.
- Rotating a third-party API key means creating the new key, writing it to Vault, restarting the
  service, and only then revoking the old key.
- Report leaked secrets in #security even after you have rotated them, so Security can check the
  access logs for misuse.
- GitHub secret scanning and our pre-commit hook catch most leaks; if the hook blocks a commit, do
  not bypass it with --no-verify.

# Observability
= Dashboards and monitors in Datadog
- Every service has a default Datadog dashboard with request rate, error rate, latency percentiles
  and saturation, generated from the service catalog.
- Monitors are defined in Terraform in the observability repository, and monitors created by hand
  in the UI are deleted by the nightly sync.
- Alert on symptoms that customers feel, such as errors and latency, rather than on causes like
  CPU, unless the cause reliably predicts an outage.
- The {svc} dashboard is a good model: golden signals at the top, dependencies in the middle,
  infrastructure at the bottom.
= Logging guidelines
- Logs are kept for 15 days in Datadog and 13 months in S3; write structured JSON logs with
  request_id, workspace_id and trace_id fields.
- Never log customer payloads, access tokens or personal data; the log scrubber masks common
  patterns, but it is a safety net, not a control.
- Use the warn level for things a human should look at eventually and error only for failed
  requests; noisy error logs hide real problems.
= SLOs and error budgets
- SLOs are defined per user-facing endpoint, usually as 99.9 percent of requests succeeding within
  500 ms over 28 days.
- When a service has burned more than half of its monthly error budget, the team prioritizes
  reliability work over features until it recovers.
- Custom metrics cost money for every unique tag combination, so avoid tags with unbounded values
  such as user IDs.
= Distributed tracing
- Traces are sampled at 10 percent by default and at 100 percent for errors; look them up by the
  trace_id in the logs.
- Propagate the traceparent header on every outgoing call, including calls to queues, or the trace
  stops at your service.
- Spans for database queries include the normalized statement but never the parameters, so they are
  safe to share in tickets.

# Schema migrations
= Writing safe database migrations
- Migrations follow expand and contract: add new columns or tables first, deploy code that writes
  to both, backfill, then remove the old structure in a later release.
- Every migration runs with lock_timeout set to 5 seconds and statement_timeout to 15 minutes, so
  one blocked by a long transaction fails instead of queueing.
- Adding a NOT NULL constraint to an existing column needs a validated CHECK constraint first, or
  Postgres scans the whole table under a lock.
- Create indexes with CREATE INDEX CONCURRENTLY in a migration of their own, because that statement
  cannot run inside a transaction.
- Migrations are reviewed by a member of the database guild, who are listed in CODEOWNERS for the
  migrations folder.
= Backfills and large data changes
- Backfills over more than a million rows run as a background job in batches of 5,000, with a short
  pause between batches to keep replication lag low.
- Renaming a column is never a single step: add the new column, write to both, move the reads, and
  drop the old column at least one release later.
- Test migrations against a recent anonymized snapshot with `ship migrate --dry-run --snapshot
  latest` before merging.
"""

PRODUCT = r"""
## Product Docs
* Need more help? Contact support from the Help menu in the Northwind console or email
  support@northwind.cloud.
* Enterprise customers can also reach their dedicated support engineer in their shared Slack
  channel.
* Screenshots may look slightly different depending on your plan and your role in the workspace.
* Was this page helpful? Use the feedback buttons at the bottom of the page to tell the docs team.
* This page was last reviewed with the {month} release.
* Looking for code samples? The API reference at docs.northwind.cloud/api has them in Python,
  Node.js and Go.

# Billing
- Workspace owners and billing admins manage invoices and payment details under Settings > Billing
  in the Northwind console.
- Prices are in US dollars unless your contract specifies euros or pounds sterling.
= Billing and invoices
- Invoices are issued on the first day of each month and cover the previous month's usage plus the
  coming month's subscription fee.
- Download invoice PDFs from the Billing history table, or fetch them from the API with GET
  /v2/billing/invoices.
- Billing emails go to the workspace owner by default; add more recipients, such as your accounts
  payable team, under Settings > Billing > Billing contacts.
- Charges appear on card statements as NORTHWIND CLOUD followed by the invoice number.
= Payment methods
- Cards (Visa, Mastercard and American Express) are charged automatically; Business and Enterprise
  customers can also pay by ACH or wire transfer within 30 days.
- To change the card on file, go to Settings > Billing > Payment method, click Replace, and enter
  the new card; the change applies from the next invoice.
- Bank transfers must include the invoice number in the reference, or matching the payment to your
  account can take several days.
= Failed payments
- If a payment fails, we retry three times over seven days and email the billing contacts after
  each attempt.
- A workspace with an invoice unpaid for 14 days becomes read-only: pipelines stop running, but
  your data and configuration stay intact.
- Once the balance is paid, the workspace is reactivated within a few minutes, and paused pipelines
  resume on their next schedule.
- Raise disputed charges with support before contacting your bank; a card chargeback suspends the
  workspace automatically while the dispute is open.
= Tax and VAT information
- Add a VAT number or tax ID under Settings > Billing > Tax information; it appears on invoices
  issued after you save it, but not on earlier ones.
- Sales tax or VAT is calculated from the billing address, so keep it current when your company
  moves.
- Tax-exempt organizations can upload an exemption certificate on the same page, and Finance
  reviews it within two business days.

# Plans and usage
= Plans and pricing
- Northwind Cloud has four plans, Starter, Team, Business and Enterprise; all of them include
  unlimited users and differ in sync credits, connectors and support.
- Annual plans are billed upfront with a 15 percent discount and can be upgraded at any time, but
  not downgraded until renewal.
- Test-mode pipelines that use nw_test_ keys do not consume credits.
= Sync credits and usage
- Sync credits measure the rows your pipelines process: one credit is one million rows read or
  written.
- Starter includes 5 credits per month, Team 50 and Business 250, and Enterprise includes a
  contracted amount.
- Usage beyond the included credits is billed as overage at the end of the month, at the rate shown
  under Settings > Billing > Usage.
- The usage graph updates hourly; the numbers on your invoice come from the final daily totals and
  can differ slightly from the live graph.
- Unused credits do not roll over to the next month, except on Enterprise contracts with a credit
  pool.
= Changing your plan
- Upgrades take effect immediately and are prorated for the rest of the billing period.
- Downgrades take effect at the end of the current period; features missing from the lower plan are
  switched off then, and pipelines that use them are paused, not deleted.
- Only workspace owners can change the plan, and the change is recorded in the audit log.
= Usage alerts
- Set usage alerts at 50, 80 and 100 percent of your credits under Settings > Billing > Usage
  alerts.
- Alerts go to the billing contacts and can also send the usage.threshold.reached webhook, for
  example to post in your own Slack.
- A spending cap can pause non-critical pipelines when overage reaches an amount you choose, so a
  runaway backfill cannot surprise you.

# Rate limits
- This page describes API version 2; version 1 is deprecated and stops working on 30 June.
- The REST API at api.northwind.cloud/v2 limits requests per API key per minute: 60 on Starter, 300
  on Team, 1,200 on Business, and a contracted limit on Enterprise.
= API rate limits
- Limits use a token bucket, so short bursts of up to twice the per-minute rate are allowed as long
  as the average stays under the limit.
- Bulk endpoints such as POST /v2/records/batch accept up to 500 records per request and count as a
  single request for rate limiting.
- List endpoints are paginated with a cursor, and asking for the maximum page size of 200 is the
  easiest way to make fewer requests.
- Rate limits are separate from concurrency limits: each workspace can have at most {10-25:5}
  export or sync requests in flight.
- Webhook deliveries do not count against your rate limit, and neither do requests to the status
  endpoint.
= Handling 429 responses
- When you go over the limit, the API returns HTTP 429 with the error code rate_limit_exceeded and
  a Retry-After header in seconds.
- Wait the number of seconds in Retry-After before retrying; clients that keep retrying while
  limited are blocked for 10 minutes.
- Use exponential backoff with jitter for retries, starting at 1 second and capping at 60 seconds.
- The official SDKs for Python, Node.js and Go handle 429 responses and backoff for you.
= Rate limit headers
- Every response includes the X-RateLimit-Limit, X-RateLimit-Remaining and X-RateLimit-Reset
  headers; Reset is a Unix timestamp in seconds.
- Read X-RateLimit-Remaining to slow down before you hit the limit instead of reacting to 429
  responses.
- Requests from every API key in a workspace share one workspace-wide limit of five times the
  per-key rate.
= Requesting a higher limit
- To ask for a higher limit, contact support with your workspace ID, the endpoints you call, and
  your expected peak requests per minute.
- Temporary increases for a migration or backfill are usually approved within one business day.
- Before asking, check whether batch endpoints or webhooks could replace polling; polling is the
  most common reason for hitting the limit.

# API keys and authentication
- The examples use the test environment; replace nw_test_ keys with live keys when you go to
  production.
= Creating API keys
- Create API keys under Settings > Developers > API keys; you need the Admin or Developer role in
  the workspace.
- Live keys start with nw_live_ and test keys with nw_test_, and test keys only see test-mode data.
- The full key is shown only once, when you create it, so store it in your secrets manager;
  Northwind keeps only a hash.
- Send the key in the Authorization header as a Bearer token; keys in the query string were removed
  in API version 2.
= API key scopes
- Scopes restrict what a key can do, for example pipelines:read, pipelines:write, exports:write or
  billing:read; grant the smallest set your integration needs.
- A request with a missing or invalid key returns 401 with the error code invalid_api_key, and a
  valid key without the needed scope returns 403 insufficient_scope.
- Scopes cannot be changed after a key is created; create a new key with the right scopes and
  revoke the old one.
= Rotating and revoking API keys
- Rotate a key by creating a new one, deploying it, and then revoking the old one; both keys work
  until you revoke.
- Revoked keys stop working within 60 seconds in all regions.
- Keys unused for 180 days are flagged in the console and can be revoked automatically if you turn
  on the Unused key cleanup setting.
- If a key leaks, revoke it immediately and check the audit log for requests made with it; GitHub
  secret scanning notifies us of leaked live keys, and we revoke them automatically.
= OAuth apps
- Apps that act on behalf of other Northwind customers should use OAuth 2.0 with the authorization
  code flow instead of API keys.
- OAuth access tokens expire after 1 hour, and refresh tokens last 90 days and rotate on each use.
- Register an OAuth app under Settings > Developers > OAuth apps with its redirect URLs; only exact
  matches are accepted.

# Webhooks
- Webhooks notify your endpoint when something happens in your workspace; configure them under
  Settings > Developers > Webhooks.
= Webhooks overview
- Each delivery is an HTTPS POST with a JSON body containing id, type, created and data, where type
  is an event name such as {event}.
- Subscribe to specific event types rather than to all events; {event} and {event2} are the most
  commonly used.
- Webhook requests come from a fixed set of IP addresses listed at api.northwind.cloud/v2/meta, in
  case you need to allowlist them.
- Test an endpoint with the Send test event button, which sends a sample {event} payload with the
  test field set to true.
= Verifying webhook signatures
- Every request carries a Northwind-Signature header with a timestamp and an HMAC-SHA256 signature
  of the timestamp and the raw body, computed with the endpoint's signing secret.
- Verify the signature against the raw request body before parsing the JSON, because re-serializing
  the body changes whitespace and breaks the comparison.
- Reject deliveries whose timestamp is more than 5 minutes old to protect against replay attacks.
- Each endpoint has its own signing secret; roll it from the endpoint page, and both the old and
  the new secret stay valid for 24 hours.
= Webhook retries and failures
- Your endpoint must respond with a 2xx status within 10 seconds, so do the real work
  asynchronously after acknowledging the delivery.
- Failed deliveries are retried up to 15 times over 72 hours with exponential backoff.
- If an endpoint has failed every delivery for 5 days, it is disabled and the workspace owners are
  notified by email.
- Deliveries can arrive out of order and, rarely, more than once, so use the event id to
  deduplicate.
- Replay past deliveries from the endpoint's page in the console, or with POST
  /v2/webhooks/deliveries/:id/replay.

# Data export
= Exporting your data
- Export a dataset from Settings > Data > Export or with POST /v2/exports; an export includes every
  row as of the moment it starts.
- A workspace can run 5 exports at the same time, and additional exports wait in a queue.
- Exporting data does not consume sync credits.
- Datasets that were deleted can still be exported for 30 days, until the data is purged.
= Export formats
- Formats are CSV, JSON Lines and Parquet; Parquet is the fastest to produce and preserves column
  types.
- CSV exports use UTF-8, a comma delimiter and RFC 4180 quoting, and timestamps are ISO 8601 in
  UTC.
- Large exports are split into files of up to 1 GB, named part-00000, part-00001 and so on.
= Exporting to cloud storage
- Exports can be downloaded from the console or delivered directly to Amazon S3, Google Cloud
  Storage or Azure Blob Storage.
- For S3 delivery, create an IAM role that trusts Northwind's AWS account and grant it s3:PutObject
  on the target prefix; the console shows the exact trust policy.
- Download links expire after 7 days, while delivered exports are never deleted from your bucket.
= Scheduled exports
- Scheduled exports run daily or weekly at a time you choose, in UTC, and can be incremental,
  containing only rows changed since the last run.
- When an export finishes, we send the export.ready webhook with the file locations and row counts.
- A scheduled export that fails three times in a row is paused, and the workspace owners get an
  email with the error.

# SSO and SCIM
= Setting up SAML single sign-on
- SAML single sign-on is available on Business and Enterprise plans and works with Okta, Microsoft
  Entra ID, Google Workspace, OneLogin, or any SAML 2.0 identity provider.
- Start under Settings > Security > Single sign-on: copy the ACS URL and entity ID into your
  identity provider, then upload its metadata XML.
- Users are matched by email address, so the NameID must be the user's email; other formats are
  rejected with SAML error E1203.
- Test with a single user before enabling SSO for everyone; the Test SSO button opens the flow in a
  new window and shows the assertion we received.
- If users see "SAML response signature invalid", the certificate in Northwind does not match the
  one your identity provider signs with, so upload fresh metadata.
= Enforcing SSO
- Once SSO works, you can require it for all members; password sign-in is then disabled except for
  one break-glass owner account.
- Just-in-time provisioning creates users on their first SSO sign-in when SCIM is not enabled, with
  the Viewer role by default.
- Keep the break-glass owner's password in your own vault and test it once a quarter.
= SCIM user provisioning
- SCIM provisioning creates, updates and deactivates Northwind users automatically from your
  identity provider; generate a SCIM token under Settings > Security > SCIM.
- SCIM groups map to Northwind roles: create groups for Admins, Developers and Viewers in your
  identity provider and map them on the SCIM settings page.
- Deactivated users lose access immediately, and the pipelines they own are reassigned to the
  workspace owner.

# Audit logs
= Audit logs
- Audit logs record every change to workspace settings, members, API keys, pipelines and exports,
  with the actor, IP address and timestamp.
- Audit logs are available on Enterprise plans under Settings > Security > Audit log and through
  GET /v2/audit-events.
- Filter by actor, event type or date range in the console, and export the filtered view as CSV.
- Sign-in events, including failed SSO attempts, are included, but individual data reads are not.
- Actions that Northwind support takes while helping you are logged with Northwind Support as the
  actor and the ticket number in the details.
= Streaming audit logs to your SIEM
- Events are kept for one year; stream them to Splunk, Datadog or an S3 bucket to keep them longer.
- Streaming delivers events within about a minute, and if the destination is unavailable, events
  are buffered for up to 24 hours.
- Audit log entries cannot be edited or deleted by anyone, including Northwind staff.

# Data residency
= Data residency and regions
- Workspaces are hosted in the US region (us-east-1, with failover in us-west-2) or the EU region
  (eu-west-1, with failover in eu-central-1).
- In the EU region, customer data, backups and logs stay in the EU, and support engineers outside
  the EU access it only through an audited session that you approve.
- Sub-processors and their locations are listed on the Trust page, and we notify customers 30 days
  before adding a new one.
- Enterprise customers can ask for a dedicated single-tenant deployment in other AWS regions.
= Choosing or changing a region
- Choose the region when you create the workspace; it cannot be changed in the console afterwards.
- Moving a workspace between regions is a scheduled migration run by support, with a short
  read-only window that is usually under an hour.
- Use the regional API hostname, api.eu.northwind.cloud or api.us.northwind.cloud; the global
  hostname works but adds a redirect.

# Pipelines and connectors
- Each pipeline run shows its status, rows read and written, and any errors on the Runs tab; click
  a failed run to see the error code and the step where it stopped.
= Pipeline run errors
- E5000 internal_error is on our side; the run is retried automatically and you do not need to do
  anything unless it keeps failing.
- Failed runs are retried three times with backoff, after which the pipeline is marked as failing
  and the pipeline.run.failed webhook is sent.
- Historical re-syncs reprocess every row and can use a lot of credits; the console shows an
  estimate before you confirm.
= Connector authentication errors
- E2104 auth_expired means the connector's credentials were revoked or expired; reconnect the
  source from the pipeline's Settings tab.
- Connectors for Salesforce, HubSpot and NetSuite share API limits with your other integrations, so
  lower the sync frequency if the source reports rate limit errors.
- OAuth connections made by a user who later leaves your company stop working when their account is
  deactivated, so connect sources with a service account.
= Schema changes in the source
- E3301 schema_drift means a column changed type in the source; choose whether to widen the
  destination column automatically under Schema handling.
- New columns in the source are added to the destination on the next run, and dropped columns are
  kept but stop receiving values.
- Renamed columns look like a dropped column plus a new one, so update downstream queries after a
  rename.
= Destination errors
- E4102 destination_quota means the destination refused writes because of a storage or API quota;
  the pipeline keeps retrying for 6 hours before it fails.
- Warehouse destinations need a user with permission to create tables in the target schema; the
  connection test checks this for you.
= Pipeline scheduling
- Pipelines run on a schedule from every 5 minutes (Business and above) to daily, and can also be
  triggered with POST /v2/pipelines/:id/runs.
- A run that is still going when the next one is due is not duplicated; the next run starts when
  the current one finishes.
- Pausing a pipeline keeps its state, so it resumes incrementally from where it stopped.

# Status and SLA
= Service status and SLA
- Current status and incident history are at status.northwind.cloud; subscribe there for email, SMS
  or webhook notifications.
- Business plans include a 99.9 percent monthly uptime SLA, and Enterprise plans 99.95 percent.
- Uptime is measured on the API and the pipeline scheduler; the console and the documentation site
  are not covered.
- Incidents are posted to the status page within 15 minutes of being confirmed, with updates at
  least every 30 minutes.
= Service credits
- If we miss the SLA, you can claim service credits of 10 to 30 percent of the monthly fee,
  depending on the shortfall, by contacting support within 30 days.
- Credits are applied to the next invoice and cannot be exchanged for cash.
= Scheduled maintenance
- Scheduled maintenance is announced at least 72 hours ahead and happens on weekends between 02:00
  and 06:00 in the region's local time.
- Most maintenance causes no downtime; when it does, the status page lists what will be unavailable
  and for how long.
"""

SECURITY = r"""
## Security
* Report anything suspicious in #security or to security@northwind.cloud; nobody gets in trouble
  for a false alarm.
* The Security on-call can be paged 24/7 through the Security Emergency service in PagerDuty.
* This standard is part of our SOC 2 and ISO 27001 controls, and exceptions need the CISO's
  approval.

# Phishing
= Spotting phishing
- Common signs include urgent requests for payment or gift cards, sender names that do not match
  the address, and links to sign-in pages other than northwind.okta.com.
- Attackers often impersonate executives asking for a quick favor by text or WhatsApp; our leaders
  will never ask you to buy gift cards or change bank details by message.
- Calendar invites and shared Google Docs are also used for phishing, so be careful with unexpected
  shares from outside Northwind.
- QR codes in emails or on posters that lead to sign-in pages are a growing tactic; treat them like
  any other link.
- Requests to change a vendor's or an employee's bank details must be confirmed by phone, using a
  number we already have on file and never the one in the email.
= Reporting a phishing email
- Use the Report Phish button in Gmail to report a suspicious email; it sends the message with its
  headers to Security and removes it from your inbox.
- Security reviews reported messages within an hour during business hours and removes the same
  message from every other inbox if it is malicious.
- Report suspicious texts and calls too, with a screenshot in #security; they often target several
  people at once.
= I clicked a phishing link
- If you clicked a link and entered your password, reset it right away at northwind.okta.com and
  tell Security in #security; speed matters more than embarrassment.
- If you opened an attachment, disconnect from the network and message Security from your phone;
  CrowdStrike may already have isolated the laptop.
- Security will review your recent sign-ins with you, so keep your phone nearby for the next hour.
= Phishing simulations
- Security runs simulated phishing campaigns every quarter, and clicking a simulation leads to a
  short training page, not a penalty.
- Last quarter's simulation had a click rate of {3-9} percent and a report rate of {40-70} percent;
  the goal is more reports, not just fewer clicks.
- Managers see team-level results only; individual results are never shared outside Security.

# Access reviews
= Quarterly access reviews
- Every quarter, app owners and managers review who has access to critical systems in the Access
  Portal and certify or revoke each grant.
- Reviews must be finished within 10 business days, and unreviewed access is revoked automatically
  when the window closes.
- The reviews feed our SOC 2 evidence, so comments explaining unusual approvals matter.
- When someone changes teams, their manager is notified, and access from the old team is removed
  after 30 days unless it is re-approved.
= Production access
- Production access, including AWS admin roles and database write access, is time-bound: it expires
  after 90 days and must be re-requested with a reason.
- Break-glass accounts for AWS and Okta are stored in a sealed 1Password vault and page Security
  whenever they are used.
- Access to customer data in support tools is granted per ticket through just-in-time access and is
  logged.
= Least privilege
- Request the narrowest role that lets you do the job; read-only roles exist for almost every
  system.
- If you notice access you no longer need, remove it yourself in the Access Portal under My access.
- Standing admin rights are the exception, and each one is listed with its justification on the
  Privileged Access page.

# Data classification
= Data classification standard
- Northwind data is classified as Public, Internal, Confidential or Restricted, and the label
  decides where it can be stored and who can see it.
- Customer data, credentials, payment information and personal data about employees are Restricted.
- Confidential data, such as contracts, financials and roadmaps, can live in Google Drive with
  sharing limited to the people who need it.
- Label Google Docs with the Classification label in Drive; Confidential and Restricted documents
  cannot be shared outside Northwind.
- When in doubt, classify higher; it is easy to relax a label later.
= Handling Restricted data
- Restricted data must stay in approved production systems; do not copy it to spreadsheets, Slack,
  personal drives or AI tools.
- Debugging a customer issue with production data happens in the data workspace, which masks
  personal fields by default.
- Test data in staging must be synthetic or anonymized; never restore production backups into
  staging.
- Approved AI assistants are listed in the software catalog, and Confidential or Restricted data
  must not be pasted into any other AI tool.

# Lost or stolen devices
= Lost or stolen laptop or phone
- Report a lost or stolen laptop, phone with work apps, or YubiKey in #security or to the Service
  Desk within one hour of noticing.
- IT can lock and remotely wipe a managed laptop, and because disks are encrypted, the data is safe
  as long as the device was locked.
- For phones, removing the device from Okta and Google Workspace cuts off work data even if the
  phone is never found.
- File a police report for stolen devices and add the report number to the ticket, because
  insurance needs it.
- A replacement laptop usually ships within two business days after the old one has been reported
  and locked.
= Travelling with devices
- Never leave a laptop visible in a car; most of our laptop thefts in the past two years happened
  from parked cars.
- Keep devices in your carry-on when you fly, and turn on Find My on your phone.
- Use a privacy screen when working on trains and planes, and do not take customer calls in public
  spaces.

# Security incidents
= Reporting a security incident
- Report it in #security, by email to security@northwind.cloud, or by paging the Security on-call
  in PagerDuty if it is urgent or outside business hours.
- Do not investigate on your own, delete evidence or contact the attacker; preserve what you have
  and let Security lead.
- Security triages every report within {30-60:30} minutes during business hours and opens an
  incident when needed.
- Reporting quickly matters much more than being sure; most reports turn out to be harmless, and
  that is fine.
= What counts as a security incident?
- A security incident is anything that might put Northwind or customer data at risk: a lost device,
  a leaked secret, a suspicious login, malware, or data sent to the wrong person.
- Emails sent to the wrong recipient count too; ask the recipient to delete the message and confirm
  that in writing.
- If customer data may be involved, Legal and the privacy team decide whether customers or
  regulators must be notified, and some laws require notice within 72 hours.

# Vendor reviews
= Vendor security reviews
- Any new vendor that will store or process Confidential or Restricted data needs a security review
  before the contract is signed.
- Start the review from the procurement request; Security sends the vendor a questionnaire and asks
  for their SOC 2 Type II report or ISO 27001 certificate.
- Reviews take {5-10} business days on average, and high-risk vendors, such as those with access to
  production, can take longer.
- Vendors are re-reviewed every year, or sooner if they have a breach or change how they handle our
  data.
= Using a new SaaS tool
- Connecting a SaaS tool to Google Workspace or GitHub with OAuth counts as using a vendor, even
  when the tool is free.
- Security may approve a vendor with conditions, such as enforcing SSO or limiting which data is
  shared.
- Until the review is done, use the tool only with Public data and without connecting it to company
  accounts.
"""

OPERATIONS = r"""
## Support Operations
* Support macros mentioned here live in Zendesk under the Northwind Support brand.
* Questions about this process go to #support-ops or to the support team lead on shift.

# Ticket triage
= Ticket triage and priorities
- Tickets are triaged into priorities P1 to P4: P1 is a production outage for the customer, P2 a
  major feature broken without a workaround, P3 a problem with a workaround, and P4 a question or
  request.
- Check the status page and #incidents before working a spike of similar tickets, and link them to
  the incident's problem ticket in Zendesk.
- Every ticket should have the workspace ID, such as {workspace}, in the Workspace field so that
  usage and plan details appear in the sidebar.
- Tickets tagged billing go to the Billing queue, and security or privacy questions are tagged
  privacy and routed to the Trust team.
= First response targets
- First response targets are 1 hour for P1 on Business and Enterprise, 4 business hours for P2, 1
  business day for P3 and 2 business days for P4.
- Starter customers get email support only, with a 2 business day response target regardless of
  priority.
- The follow-the-sun rotation hands open P1 and P2 tickets between Portland, Dublin and Singapore
  with a written summary in the ticket.
- Solved tickets reopen automatically if the customer replies within 7 days, and after that a reply
  creates a follow-up ticket.
- Satisfaction surveys go out 24 hours after a ticket is solved, and the team lead reviews every
  score below 3.

# Escalations
= Escalating to engineering
- Escalate to engineering when the issue is a confirmed bug, needs access you do not have, or
  affects several customers; use the ESC project in Jira.
- P1 escalations also page the owning team's on-call through the Escalate to Engineering macro,
  which posts in #support-escalations.
- Engineering acknowledges P1 escalations within 30 minutes and P2 escalations within one business
  day.
- Feature requests are not escalations; log them in Productboard with the customer's name and plan.
= What to include in an escalation
- Include the workspace ID, the request or run IDs, timestamps in UTC, the steps to reproduce, and
  what you have already ruled out.
- A good example is {esc}: {customer} reported failed runs with E4102, and the ticket listed run
  IDs, the destination, and the quota shown in their warehouse console.
- Keep the customer updated even when there is no news; for P1 tickets, send an update at least
  every two hours.
- Do not share internal Jira links, Slack screenshots or engineers' names with customers.
- When the fix ships, the escalation is linked to the release; tell the customer and ask them to
  confirm.

# Refunds and credits
= Refunds and account credits
- Refunds to a card are possible within 60 days of the charge, and older charges are refunded as
  account credit.
- Apply credits in the billing admin tool with the ticket number in the reason field, so Finance
  can reconcile them.
- Annual plan refunds are only given in the first 30 days of the term, prorated for usage.
= Approval limits for credits
- Support agents can issue account credits of up to 250 dollars per customer per month without
  approval, for example after an incident.
- Credits between 250 and 2,000 dollars need a support team lead's approval, and anything higher
  goes to the Head of Support and Finance.
- SLA credits follow the SLA terms and are calculated by Finance, not by Support.

# Customer communication
= Writing to customers
- Use plain language, avoid internal code names, and always say what the customer should do next,
  even if it is "no action needed".
- Do not promise dates for fixes or features; say that the team is working on it and that we will
  follow up.
- For Enterprise accounts, copy the Customer Success Manager on anything about outages, billing
  disputes or security.
- Have a second agent review replies on any ticket that mentions legal action, data loss or a
  regulator.
= Incident communication for support
- During incidents, use the incident macro, which links to the status page instead of repeating
  details that may change.
- Apologize for the impact without speculating on the root cause; the postmortem summary can be
  shared later if the customer asks.
- After a major incident, Support sends a short follow-up to every customer with a linked ticket,
  using the summary approved by the incident commander.
"""

FINANCE = r"""
## Finance
* Finance questions go to #finance-help or finance@northwind.cloud, and the team answers within one
  business day.
* Month-end close runs during the first five business days of each month, so replies may be slower
  then.

# Purchasing
= Purchase requests in Zip
- Purchases over 5,000 dollars, and any software purchase regardless of amount, start with a
  request in Zip, our procurement tool.
- Zip routes the request to your budget owner, Finance, and, when data is involved, Security and
  Legal, and shows the status of each step.
- Once the request is approved, Finance issues a purchase order number that the vendor must put on
  their invoice.
- Renewals follow the same process; start them at least 60 days before the renewal date to leave
  room for negotiation.
= Purchase approvals and contracts
- Multi-year contracts and anything over 100,000 dollars also need the CFO's approval.
- Do not sign vendor order forms yourself; only people with signing authority can commit Northwind
  to a contract.
- Get at least two quotes for one-off purchases over 25,000 dollars, or explain in the request why
  a single vendor is justified.

# Corporate cards
= Corporate cards with Ramp
- Corporate cards are issued through Ramp to employees who travel or manage team budgets; request
  one from your manager in Ramp.
- Virtual cards can be created for a single vendor with a monthly limit, which is the preferred way
  to pay for small subscriptions.
- Default limits are 2,500 dollars per month for travel cards, and team cards have a limit set per
  budget.
= Card receipts and personal charges
- Upload receipts in the Ramp app within 7 days of the charge; cards with receipts missing for more
  than 30 days are locked.
- Avoid personal charges on a corporate card; if one happens by mistake, flag it in Ramp and it is
  deducted from your next paycheck.
- A declined card abroad usually means the merchant category is blocked; ask in #finance-help and
  Finance can lift the block within minutes.

# Vendor invoices
= Sending vendor invoices to Accounts Payable
- Vendors send invoices to ap@northwind.cloud with the purchase order number, and invoices without
  a PO are returned.
- Budget owners approve invoices in Zip, and an invoice that waits more than five days for approval
  is escalated to their manager.
- New vendors submit their banking details through the Zip vendor portal; Finance never accepts
  bank details by email.
= Vendor payments and terms
- Standard payment terms are net 30 from receipt of the invoice, and paying earlier needs Finance
  approval.
- Payments run twice a week, on Tuesday and Friday, by ACH in the US, SEPA in Europe and wire
  transfer elsewhere.
- Vendors asking about a late payment should be pointed to the Zip vendor portal, which shows the
  status of every invoice.
"""

WORKPLACE = r"""
## Workplace
* Workplace requests go to #workplace or the Facilities form on the intranet.
* Office hours, addresses and floor plans are on the office pages in Confluence.

# Office access
bind: office
= Badges and access in the {office} office *3
- Badges open the office doors between 06:00 and 22:00 on weekdays, and out-of-hours access needs a
  request to Workplace.
- Lost badges are deactivated in Kisi as soon as you report them in #workplace; pick up a temporary
  badge at reception in {office}.
- The {office} office is open to all employees, and remote employees can work from it any day
  without booking, although desks are first come, first served.
- Do not hold the door for people you do not recognize; ask them to check in at reception instead.
- Employees from other offices get access to {office} automatically when they book a desk there.

# Desk and room booking
bind: office
= Booking desks and rooms in {office} *2
- Desks in the {office} office are booked in Robin, on the web or in the mobile app, up to two
  weeks ahead.
- Check in to your desk booking by 10:00, or it is released for someone else.
- Team neighborhoods are reserved for their teams on anchor days, but anyone can book them on other
  days.
- Rooms for more than 12 people and the event space need a Facilities request so catering and AV
  can be arranged.
- Phone booths cannot be booked, so keep calls in them under an hour when others are waiting.

# Visitors and deliveries
bind: office
= Visitors and deliveries in {office} *2
- Register visitors in Envoy at least a day in advance; they get a QR code for check-in, and you
  are notified when they arrive.
- Visitors must be accompanied at all times outside the lobby and the meeting rooms.
- Personal packages can be delivered to the {office} office, but please pick them up within three
  days.
- Outgoing mail and courier pickups leave the {office} mailroom daily at 15:00.
- Interview candidates are registered by the recruiting coordinator, so you do not need to add them
  yourself.
"""

LEGAL = r"""
## Legal & Compliance
* Legal requests go through the Legal intake form in Zip or #legal-questions; for anything urgent,
  say so in the request title.
* This page is general guidance, not legal advice for your personal situation.

# Contracts
= Customer contracts and DPAs
- Our standard customer terms and Data Processing Addendum are published on the website, and most
  customers sign them without changes.
- Redlines on the DPA are reviewed by the privacy team, and common requests such as audit rights
  and breach notice periods have pre-approved fallback language.
- Legal aims to return first redlines within 3 business days for deals above 50,000 dollars in
  annual value.
- Signed contracts are stored in Ironclad, which is the source of truth for renewal dates and
  special terms.
= NDAs
- Sales can send the standard mutual NDA from Ironclad without Legal review, but any change to the
  NDA text needs Legal.
- NDAs with candidates, investors or potential acquirers always go through Legal, even when the
  standard template is used.

# Privacy requests
= Handling GDPR and CCPA requests
- Requests from individuals to access, correct or delete their personal data must be forwarded to
  privacy@northwind.cloud on the day they arrive.
- We have 30 days to respond under GDPR and 45 days under CCPA, so do not reply beyond confirming
  receipt.
- When the request concerns data our customer controls, we are the processor: we tell the requester
  to contact the customer and help the customer fulfil it.
= Deleting personal data on request
- Deletion requests are carried out with the privacy tooling, which removes the person from
  production systems and lets backups age out on their normal schedule.
- Every request and its outcome are logged in the privacy register for the auditors.

# SOC 2
= SOC 2 audit and evidence
- Northwind is audited for SOC 2 Type II every year, with the audit period running from 1 July to
  30 June.
- Evidence is mostly collected automatically by Vanta from AWS, GitHub, Okta and Jira, and control
  owners upload the rest before the due date in their task.
- Customers can request our latest SOC 2 report under NDA through the Trust page.
= Compliance controls for engineers
- Code changes to production must be peer reviewed and tested, which branch protection enforces;
  emergency changes are reviewed after the fact within 2 business days.
- Controls that fail during the audit period become exceptions in the report, so fix missed reviews
  quickly rather than waiting for the auditors.
"""

COMPANY = r"""
## Company
* Spotted something out of date? Edit the page, or ask in #wiki-gardening if you are not sure who
  owns it.
* Team pages are reviewed by each team's manager at the start of every quarter.

# Glossary
bind: term
= Glossary: {term} *all ~1
- {term.def}

# Team pages
bind: crew person person2
= Team page: {crew} *all ~3
- The {crew} team {crew.mission}.
- {crew} owns {crew.owns}.
- Reach the team in {crew.chan}; {crew.intake}.
- For anything urgent outside office hours, page {crew.pager} in PagerDuty rather than posting in
  the channel.
- Most of the team sits in the {crew.office} office, and the rest work remotely across [several
  time zones|the US and Europe|North America].
- {crew.ritual}
- The team is managed by {person}, and {person2} is the [tech lead|go-to person for architecture
  questions|longest-serving member and a good first contact].
- New joiners to {crew} start with the team's onboarding page and shadow the on-call rotation
  before taking shifts.

@ term Anchor day
def: Anchor days are the days a team agrees to be in the office together, usually Tuesday and
  Wednesday. They are listed on each team page, and Robin reserves the team's desk neighborhood on
  those days.
@ term Workspace
def: A workspace is a customer's top-level container in Northwind Cloud. It holds pipelines,
  connectors, members and billing settings, lives in exactly one region, and has an ID that starts
  with ws_.
@ term Sync credit
def: A sync credit is the unit we bill usage in: one credit covers one million rows read or written
  by a customer's pipelines. Plans include a monthly allowance, and anything above it is billed as
  overage.
@ term Pipeline
def: A pipeline moves data from one source connector to one destination on a schedule. Each
  execution is called a run and has its own status, row counts and logs in the console.
@ term Connector
def: A connector is the integration that reads from a source system or writes to a destination.
  Connectors are built and maintained by the Integrations team, and each has its own page in the
  product docs.
@ term Run
def: A run is one execution of a pipeline. Runs have a status of queued, running, succeeded or
  failed, and failed runs are retried three times with backoff before the pipeline is marked as
  failing.
@ term Canary
def: A canary is the first slice of production traffic, 5 percent by default, that a new version
  receives for 15 minutes before the rollout continues. If the canary analysis fails, the rollout
  is aborted automatically.
@ term ship
def: ship is the internal deploy CLI. It wraps ArgoCD and Argo Rollouts, and its subcommands
  include deploy, rollback, pause, status, history and migrate; run ship help for the full list.
@ term Incident commander
def: The incident commander, or IC, coordinates an incident and makes decisions but does not debug.
  ICs rotate weekly and are senior engineers or engineering managers who have completed the IC
  training.
@ term SEV
def: SEV is short for severity. SEV1 is a full outage or data loss for many customers, SEV2 a major
  feature degraded for many customers, and SEV3 a limited problem with a workaround.
@ term Error budget
def: An error budget is the amount of unreliability an SLO allows, for example 0.1 percent of
  requests over 28 days for a 99.9 percent SLO. Teams that burn half of it in a month prioritize
  reliability work.
@ term SLO
def: A service level objective is an internal reliability target, such as 99.9 percent of requests
  succeeding within 500 ms over 28 days. SLOs are stricter than the SLAs we promise customers, to
  leave a safety margin.
@ term Kill switch
def: A kill switch is a long-lived LaunchDarkly flag that turns off an expensive or risky code path
  in an emergency. Kill switches carry the kill-switch label and are exempt from the flag cleanup
  report.
@ term Break-glass account
def: A break-glass account is an emergency administrator login for AWS or Okta, stored in a sealed
  1Password vault. Using one pages Security immediately, and every use is reviewed afterwards.
@ term Access Portal
def: The Access Portal at access.northwind.internal is where you request, approve and review access
  to internal apps. Approvals there update Okta groups, which in turn grant access in the connected
  tools.
@ term Recharge Day
def: A Recharge Day is a company-wide day off when every office closes. There are two a year, and
  the dates are announced at least a quarter in advance so teams can plan around them.
@ term People Partner
def: Your People Partner is the member of People Operations assigned to your department. They are
  the confidential first stop for questions about leave, performance, workplace adjustments and
  conflicts at work.
@ term Game day
def: A game day is a scheduled exercise in which a team deliberately breaks part of a system, such
  as failing over a database, to test runbooks, alerts and people. Findings are tracked like
  postmortem action items.
@ term Postmortem
def: A postmortem is the blameless written review of an incident, due within five business days for
  SEV1 and SEV2. It covers the timeline, the trigger, contributing factors and action items with
  owners.
@ term Bastion
def: Bastions are the hardened jump hosts used to reach production networks, for example
  bastion.prod-use1.northwind.internal. Sessions are recorded, and access needs the prod-access
  Okta group and an active VPN connection.
@ term Follow-the-sun
def: Follow-the-sun is how Support covers all time zones: open P1 and P2 tickets are handed between
  Portland, Dublin and Singapore at the end of each shift, with a written summary in the ticket.
@ term Data workspace
def: The data workspace is the analytics environment for working with production data. Personal
  fields are masked by default, queries are logged, and unmasking a column needs a ticket and
  Security approval.
@ term Restricted data
def: Restricted is the highest data classification, covering customer data, credentials, payment
  information and personal data about employees. Restricted data must stay in approved production
  systems.
@ term Schema drift
def: Schema drift is a change in the shape of source data, such as a column changing type or
  disappearing. Pipelines report it as error E3301, and customers choose how it is handled under
  Schema handling.
@ term Backfill
def: A backfill is a one-off job that fills in data for past rows, usually after adding a column.
  Backfills over a million rows run in batches of 5,000 with pauses, to keep replication lag low.
@ term Historical re-sync
def: A historical re-sync reprocesses every row in a pipeline's source instead of only changed
  rows. It can use a lot of sync credits, so the console shows an estimate before the customer
  confirms.
@ term Test mode
def: Test mode is the sandbox side of a customer workspace, used with nw_test_ API keys. Test-mode
  pipelines behave like live ones but do not consume credits and never touch live data.
@ term Overage
def: Overage is usage beyond the sync credits included in a customer's plan. It is billed at the
  end of the month at the per-credit rate for the plan, and spending caps can limit it.
@ term Trust page
def: The Trust page on our website lists our certifications, sub-processors and security practices.
  Customers use it to request our SOC 2 report under NDA and to subscribe to sub-processor changes.
@ term Sub-processor
def: A sub-processor is a third party that processes customer data on our behalf, such as AWS or
  our email provider. We list them on the Trust page and notify customers 30 days before adding
  one.
@ term DPA
def: The DPA, or Data Processing Addendum, is the contract that sets out how we handle customer
  personal data. Our standard DPA is published online, and redlines are reviewed by the privacy
  team.
@ term CSM
def: A Customer Success Manager, or CSM, is the account owner for Enterprise customers after the
  sale. CSMs run quarterly business reviews and should be copied on outages, billing disputes and
  security topics.
@ term ESC ticket
def: An ESC ticket is an escalation from Support to Engineering in the ESC project in Jira. It must
  include the workspace ID, request or run IDs, UTC timestamps and steps to reproduce.
@ term Problem ticket
def: A problem ticket is the parent ticket in Zendesk that groups customer tickets caused by the
  same incident. Replying on the problem ticket updates every linked ticket at once.
@ term Hello Northwind
def: Hello Northwind is the first-week tutorial for engineers. It walks through cloning the
  monorepo, running a service locally, opening a pull request and deploying it to staging with
  ship.
@ term Manager Hub
def: The Manager Hub is the Confluence space for people managers. It holds policy FAQs, templates
  for 1:1s and reviews, and the calendar of People deadlines for the year.
@ term Nudge
def: Nudge is the macOS tool that reminds you to install operating system updates. Its reminders
  get more insistent as the 7-day deadline approaches, and after the deadline the device is marked
  non-compliant.
@ term Self Service
def: Self Service is the macOS app catalog managed by IT through Jamf. It installs approved
  software without admin rights and also offers fixes such as Renew Wi-Fi Certificate and Check
  Compliance.
@ term HIP check
def: A HIP check is the device posture check that GlobalProtect runs before allowing a VPN
  connection. It verifies disk encryption, the OS version and the CrowdStrike sensor, and fails the
  connection if any is missing.
@ term PgBouncer
def: PgBouncer is the connection pooler in front of every Postgres cluster. Applications connect to
  PgBouncer rather than to Postgres directly, and PgBouncer follows the current Patroni leader
  after a failover.
@ term Patroni
def: Patroni manages our Postgres clusters: it elects the leader, stores cluster state in etcd and
  performs failovers. Operators talk to it with patronictl, for example patronictl list to see
  members and lag.
@ term WAL-G
def: WAL-G is the tool that streams Postgres write-ahead logs to S3 and takes nightly base backups.
  Together they allow point-in-time restore to any second in the 35-day retention window.
@ term Karpenter
def: Karpenter is the node autoscaler in our EKS clusters. It adds nodes when pods are pending and
  replaces nodes gradually when the base image is updated every two weeks.
@ term KEDA
def: KEDA scales Kubernetes workloads on external signals such as queue depth. Our queue consumers,
  including sync-worker and webhook-dispatcher, use it instead of CPU-based autoscaling.
@ term Golden signals
def: The golden signals are traffic, errors, latency and saturation. Every service dashboard shows
  them at the top, and most paging alerts are built on one of the four.
@ term Expand and contract
def: Expand and contract is our pattern for schema changes: add the new structure, write to both
  old and new, backfill, switch reads, and remove the old structure in a later release.
@ term Guild
def: A guild is a cross-team group around a discipline, such as the database guild or the frontend
  guild. Guild members review changes in their area and run a monthly meeting open to everyone.
@ term Security champion
def: Security champions are engineers who act as the first security contact for their team. They
  get extra training, join the monthly champions sync, and review designs that touch authentication
  or customer data.
@ term Platform office hours
def: Platform office hours run every Thursday at 16:00 UTC on Zoom. Bring questions about deploys,
  Kubernetes, CI or observability; no agenda or booking is needed.
@ term RFC
def: An RFC is a design document for a change that affects more than one team. RFCs use the
  template in Confluence, stay open for comments for at least five business days, and record the
  final decision at the top.
@ term Hack week
def: Hack week happens twice a year. Everyone can work on any idea with anyone, demos are on the
  Friday, and the best projects get time on the roadmap in the following quarter.
@ term Focus Friday
def: Focus Friday is our agreement to keep Friday afternoons free of internal meetings. Customer
  calls and incidents are exceptions, and calendars show the block automatically.
@ term Handbook
def: The Northwind Handbook in Confluence describes how the company works: our values, how
  decisions are made, and where to find things. Anyone can propose changes through the Handbook
  feedback form.
@ term Service catalog
def: The service catalog at catalog.northwind.internal lists every service with its owner team,
  on-call rotation, dashboards and runbooks. Deploy tooling reads ownership from it, so keep it
  current.
@ term Deploy freeze
def: A deploy freeze is a period when only fixes for customer-facing bugs may ship, for example
  around major holidays and in the last week of each quarter. Freezes are announced in
  #eng-announcements.
@ term Escalation policy
def: An escalation policy in PagerDuty decides who is paged, and when, if an alert is not
  acknowledged. Ours go from the primary to the secondary after 5 minutes and to the engineering
  manager after 15.
@ term nw-kube
def: nw-kube is the helper that fetches Kubernetes credentials through your Okta session, for
  example nw-kube login prod-use1. It grants read-only access unless you hold an approved
  write-access request.
@ term IT bar
def: The IT bar is the walk-up help desk in each office, with spare keyboards, mice, chargers,
  headsets and adapters. It is staffed from 09:00 to 17:00 local time, and loaner laptops are
  issued there.
@ term Quiet period
def: The quiet period is the two weeks before each board meeting, when unreleased financial results
  must not be shared outside Finance and the leadership team.
@ term Northwind console
def: The Northwind console at app.northwind.cloud is the web app customers use to manage
  workspaces, pipelines, members and billing. Internal staff use the separate admin console for
  support tasks.
@ term Admin console
def: The admin console is the internal tool that Support and Engineering use to look up customer
  workspaces, apply credits and run approved fixes. Every action in it is logged with the ticket
  number.

@ term Cursor column
def: A cursor column is the column a pipeline uses to find rows that changed since the last run,
  usually updated_at. Without an index on it, incremental reads from large tables get slow.
@ term Dead-letter queue
def: A dead-letter queue holds messages that failed processing too many times, so they stop
  blocking the main queue. Every SQS queue we run has one, and messages stay in it for 14 days.
@ term Staging environment
def: Staging is the shared pre-production environment at staging.northwind.internal. It runs the
  same services as production on smaller clusters, with synthetic data only, and every merge to
  main deploys there first.
@ term Preview environment
def: A preview environment is a temporary copy of the web app and API created for a pull request
  with the preview label. It is deleted automatically when the pull request closes.
@ term Service template
def: The service template is the starting point for new services, created with ship new. It
  includes the Dockerfile, CI workflow, dashboards, default alerts and the catalog entry.
@ term Light agent
def: A light agent is a Zendesk seat for people outside Support. Light agents can read tickets and
  leave internal notes but cannot reply to customers.
@ term Macro
def: In Zendesk, a macro is a saved set of actions and reply text that agents apply to tickets.
  Support Operations owns the shared macros, and changes to them go through the Support Ops form.
@ term Workspace ID
def: The workspace ID, such as ws_4821930, identifies a customer workspace in every system. Support
  tickets, escalations and logs should always include it, because company names are ambiguous.
@ term Run ID
def: A run ID identifies a single pipeline run and starts with run_. It appears on the Runs tab, in
  webhook payloads and in the logs, and it is the fastest way for Engineering to find a failure.
@ term Region
def: A region is where a workspace's data is stored and processed: US (us-east-1) or EU
  (eu-west-1). Each region has a failover region, and data never leaves its region during normal
  operation.
@ term Egress IPs
def: Egress IPs are the fixed addresses our workers use to connect to customer systems. They are
  listed per region at api.northwind.cloud/v2/meta, and customers allowlist them in their
  firewalls.
@ term Spending cap
def: A spending cap is a limit on overage set by a workspace owner. When overage reaches the cap,
  non-critical pipelines pause until the owner raises the cap or the next billing period starts.
@ term Credit pool
def: A credit pool is an Enterprise contract term that lets unused sync credits carry over within
  the contract year instead of expiring each month.
@ term Hardware Exception
def: A Hardware Exception is a request for a laptop or accessory outside the standard for your
  role, such as more memory. It needs your manager's approval and takes about a week.
@ term Privileges app
def: Privileges is the macOS app that grants engineers temporary admin rights for up to 30 minutes.
  Every elevation is logged, and the reason you type is reviewed in monthly audits.
@ term Company Portal
def: Company Portal is the Windows equivalent of Self Service, managed through Intune. It installs
  approved software and shows whether the device meets our compliance checks.
@ term Okta Verify
def: Okta Verify is the authenticator app required for every Northwind account. It shows push
  notifications with number matching, and it works with Face ID or Touch ID on managed devices.
@ term Vault
def: Vault is where application secrets and dynamic database credentials live. Services read
  secrets through the Vault agent at runtime, and people sign in to Vault with Okta.
@ term ArgoCD
def: ArgoCD deploys our services to Kubernetes from Git. It compares the manifests on the main
  branch with the clusters and reverts manual changes, which is why kubectl edit in production does
  not stick.
@ term Argo Rollouts
def: Argo Rollouts runs canary releases: it shifts traffic to a new version in steps and aborts the
  rollout automatically if the canary analysis finds more errors or slower responses.
@ term LaunchDarkly
def: LaunchDarkly is our feature flag service. Flags are evaluated on the server, every change is
  logged in #flag-changes, and release flags should be removed within 30 days of full rollout.
@ term Problem management
def: Problem management is the follow-up on recurring issues that no single incident fixes. The
  reliability review tracks them, and each problem has an owner team and a quarterly target.
@ term Blameless
def: Blameless means that postmortems and reviews focus on how the system allowed a mistake, not on
  who made it. People are expected to describe their actions openly, without fear of blame.
@ term Dunning
def: Dunning is the process of collecting failed payments: retrying the card three times over seven
  days, emailing billing contacts, and making the workspace read-only after 14 days unpaid.
@ term Entitlement
def: An entitlement is a feature or limit that a plan grants, such as audit logs or the minimum
  schedule interval. Billing Engineering owns the entitlement service that every other service
  checks.
@ term Connector SDK
def: The connector SDK is the internal framework for building connectors. It handles retries, rate
  limits, state and schema detection, so a connector only implements how to read or write records.
@ term On-call stipend
def: The on-call stipend is 500 dollars per week of primary coverage, doubled for holiday shifts.
  It is paid automatically from the PagerDuty schedule with the next payroll run.
@ term Quarterly planning
def: Quarterly planning happens in the last three weeks of each quarter. Teams draft goals, review
  dependencies with other teams, and publish their plan on their team page before the quarter
  starts.
@ term All-hands
def: The company all-hands happens on the first Thursday of each month at 17:00 UTC. Recordings are
  posted in #announcements, and questions can be submitted anonymously in advance.
@ term Engineering ladder
def: The engineering ladder describes expectations for each engineering level, from Engineer I to
  Principal Engineer. Promotion cases are written against the ladder for the next level.

@ term Shadow shift
def: A shadow shift is an on-call week spent alongside the primary without being paged directly.
  New engineers do two before joining the rotation, and they join every incident the primary
  handles.
@ term Runbook
def: A runbook is a step-by-step guide for handling an alert or an operational task. Every paging
  alert must link to one, and runbooks live in the owning team's Confluence space.
@ term Synthetic check
def: A synthetic check is an automated probe that signs in, creates a pipeline or calls the API
  every few minutes, the way a customer would. Failing checks page SRE and update the status page.
@ term Change data capture
def: Change data capture, or CDC, reads a database's change log instead of querying tables, so
  inserts, updates and deletes are picked up with little load on the source.
@ term Soft delete
def: A soft delete marks a row as deleted with a flag or timestamp instead of removing it.
  Cursor-based syncs can only see deletes in tables that use soft deletes.
@ term Idempotency key
def: An idempotency key is a unique value a client sends with a POST request so that retries do not
  create duplicates. We remember each key for 24 hours.
@ term Noisy neighbor
def: A noisy neighbor is a single workspace whose unusual load slows down others on shared
  infrastructure. Per-workspace limits on concurrency and re-syncs exist mainly to contain them.
@ term Cost center
def: A cost center is the budget code that expenses and purchases are charged to. Every team has
  one, shown in Workday, and Finance uses it to track spending against plan.
@ term Purchase order
def: A purchase order, or PO, is the number Finance issues when a purchase request is approved in
  Zip. Vendors must quote it on invoices, and invoices without one are returned.
@ term Net 30
def: Net 30 means an invoice is due 30 days after we receive it. It is our standard payment term
  for vendors, and earlier payment needs Finance approval.
@ term Legal hold
def: A legal hold suspends normal deletion for email, files and chat connected to a legal matter.
  People under a hold are notified by Legal and must not delete anything covered by it.
@ term Data subject request
def: A data subject request is a request from an individual to access, correct or delete their
  personal data. We have 30 days to answer under GDPR, and all requests go to
  privacy@northwind.cloud.
@ term Calibration
def: Calibration is the meeting where managers compare draft performance ratings across a
  department, so that the same rating means the same thing in every team.
@ term 30/60/90 plan
def: A 30/60/90 plan sets goals for a new hire's first three months. The manager drafts it before
  the start date and reviews it with the new hire in the first week.
@ term Buddy
def: An onboarding buddy is a volunteer from another team who helps a new hire find their way
  during their first 60 days, with a weekly check-in during the first month.
@ term Anchor team
def: The anchor team for a service is the team that owns it in the service catalog and carries its
  pager. Other teams may contribute code, but changes need the anchor team's review.
@ term Golden path
def: The golden path is the supported way to build and run a service at Northwind: the service
  template, ship, ArgoCD, Vault and the default dashboards. Going off it is allowed but you own the
  extra work.
@ term Freeze exception
def: A freeze exception allows a deploy during a code freeze. It needs the on-call engineering
  manager's approval in #deploys and is limited to fixes for customer-facing bugs.
@ term Connection test
def: The connection test checks that Northwind can reach a source or destination, sign in and read
  or write what a pipeline needs. Run it from the Settings tab before contacting support.
@ term Full refresh
def: A full refresh rereads every row of a table instead of only changed rows. It is the same as a
  historical re-sync for a single table, and it consumes credits for every row.
@ term Offsite
def: An offsite is a team gathering away from the usual office, held once or twice a year. Travel
  is booked by People Experience and meals are covered by the offsite budget.
@ term Volunteering days
def: Everyone at Northwind gets two paid volunteering days a year. Log them in Workday as
  Volunteering, and look in #volunteering for local opportunities organized by colleagues.
@ term Office hours
def: Office hours are open drop-in sessions run by a team, such as Platform on Thursdays or
  Security on alternate Tuesdays. No booking is needed, and recordings are not kept.
@ term Voice of customer
def: Voice of customer is the weekly review of the top ticket drivers and customer feedback, shared
  in #voice-of-customer and used by Product to prioritize the roadmap.

@ crew Platform
mission: builds and runs the infrastructure every service runs on: the EKS clusters, the deploy
  pipeline and the service templates
owns: ArgoCD, the ship CLI, the Kubernetes clusters and the base container images
chan: #platform
intake: feature requests go on the Platform board in Jira, and the team triages them every Monday
pager: Platform - Primary
office: Portland
ritual: Platform holds office hours every Thursday and publishes a short changelog in #platform at
  the end of each sprint.
@ crew SRE
mission: sets the reliability standards for production and leads the response to the hardest
  incidents
owns: the incident process, the SLO framework, the status page and the reliability review
chan: #sre
intake: ask for a reliability review of a new service with the SRE intake form at least two weeks
  before launch
pager: SRE - Primary
office: Dublin
ritual: The team runs the Thursday reliability review and a game day every month with a different
  service team.
@ crew Payments
mission: handles how customers pay us: card processing, invoicing, dunning and tax
owns: billing-api, the invoice generator and the Stripe integration
chan: #payments
intake: bugs that affect customer invoices should be filed as P2 or higher in the PAY project,
  never left as a Slack thread
pager: Payments - Primary
office: Toronto
ritual: Payments freezes deploys on the first business day of each month, when invoices are
  generated.
@ crew Data Infrastructure
mission: runs the databases, queues and storage behind the product, and the data workspace used for
  analytics
owns: the Postgres clusters, Kafka, the backup system and the data workspace
chan: #data-infra
intake: requests for new databases or large schema changes go through the DATA project with the
  database request template
pager: Data Infrastructure - Primary
office: Austin
ritual: The team runs the quarterly restore drill and posts the results on the Disaster Recovery
  page.
@ crew Identity
mission: builds sign-in, SSO, SCIM and permissions for the product
owns: auth-service, the SAML and SCIM integrations and the role model
chan: #identity
intake: questions about customer SSO setups should come from Support as ESC tickets, with the SAML
  trace attached
pager: Identity - Primary
office: Dublin
ritual: Identity reviews every change to permissions with Security Engineering before it ships.
@ crew Core API
mission: owns the public REST API and the SDKs, including versioning, rate limiting and the
  developer docs
owns: orders-api, the API gateway configuration, the Python, Node.js and Go SDKs and the API
  reference
chan: #core-api
intake: proposals for new endpoints need a short RFC; small fixes can go straight to a pull request
pager: Core API - Primary
office: Portland
ritual: The team publishes an API changelog entry for every customer-visible change, however small.
@ crew Integrations
mission: builds and maintains the connectors that read from and write to customers' systems
owns: connector-runtime, every source and destination connector and the connector SDK
chan: #integrations
intake: connector bugs are filed in the INTG project with the connector name in the title and a
  failing run ID
pager: Integrations - Primary
office: Austin
ritual: Each sprint, one engineer is on connector duty and handles all incoming connector bugs so
  the rest can focus.
@ crew Developer Experience
mission: makes engineers productive: CI, local development, the monorepo tooling and internal
  documentation
owns: GitHub Actions runners, the build cache, the dev containers and the engineering handbook
chan: #dev-productivity
intake: report slow or broken CI in the channel with a link to the run; the team watches it
  throughout the day
pager: Developer Experience - Primary
office: Toronto
ritual: The team sends a monthly survey on developer happiness and shares the results with all of
  Engineering.
@ crew Billing Engineering
mission: meters usage and turns it into what customers are charged, including plans, entitlements
  and credits
owns: usage-meter, the entitlements service and the billing admin tool
chan: #billing-eng
intake: pricing changes need a ticket in the BILL project at least one sprint before launch
pager: Billing Engineering - Primary
office: Portland
ritual: Billing Engineering reconciles metered usage against invoices with Finance after every
  month-end close.
@ crew Search
mission: builds search across customer metadata, logs and documentation
owns: search-indexer, the Elasticsearch clusters and the docs search
chan: #search
intake: relevance problems are best reported with the exact query, the expected result and a
  screenshot
pager: Search - Primary
office: Singapore
ritual: The team reviews a sample of zero-result searches every week to find gaps.
@ crew Edge
mission: runs everything between customers and our services: DNS, CDN, load balancers and custom
  domains
owns: ingest-gateway, the edge proxies, TLS for customer domains and DDoS protection
chan: #edge
intake: DNS and certificate changes need a ticket in the EDGE project; emergencies go through the
  pager
pager: Edge - Primary
office: Singapore
ritual: Edge rehearses a regional traffic failover every quarter.
@ crew Security Engineering
mission: secures the product and the company: threat detection, application security and security
  tooling
owns: CrowdStrike, the SIEM, secret scanning, vendor reviews and the security champions program
chan: #security
intake: design reviews are requested with the Security Review form; suspected incidents are
  reported in the channel straight away
pager: Security Emergency
office: Dublin
ritual: The team runs quarterly phishing simulations and a yearly penetration test with an outside
  firm.
@ crew IT Service Desk
mission: looks after employee devices, accounts and the tools everyone uses every day
owns: Okta, Jamf, Intune, Google Workspace administration and the IT bars in every office
chan: #it-help
intake: open a ticket at help.northwind.internal for anything that needs tracking; quick questions
  are fine in the channel
pager: IT On-Call
office: Portland
ritual: The Service Desk publishes its ticket volume and satisfaction scores in #it-announcements
  every month.
@ crew People Operations
mission: runs hiring logistics, onboarding, benefits, leave and the performance cycle
owns: Workday, Lattice, the People policies and the Manager Hub
chan: #people-questions
intake: personal or sensitive questions should go to your People Partner directly rather than the
  channel
office: Austin
ritual: People Operations holds an open Q&A after every policy change.
@ crew Support Operations
mission: keeps customer support running smoothly: tooling, routing, macros and support metrics
owns: Zendesk, the escalation process and the support knowledge base
chan: #support-ops
intake: macro changes and new ticket fields are requested with the Support Ops form
pager: Support Lead On Shift
office: Dublin
ritual: The team reviews the top ticket drivers every week with Product and shares them in
  #voice-of-customer.
@ crew Finance Operations
mission: runs accounts payable and receivable, procurement, corporate cards and the monthly close
owns: Zip, Ramp, Expensify administration and vendor payments
chan: #finance-help
intake: vendor payment questions should include the invoice number and the purchase order
office: Toronto
ritual: Finance posts the close calendar at the start of each month so teams know when accruals are
  due.
"""

OPERATIONS_REFERENCE = r"""
## Engineering

# Service catalog
bind: service
= Service overview: {service} *all ~4
- The {service} service {service.does}.
- It is owned by the {service.team} team and written in {service.lang}.
- [In production,|At runtime,] {service} depends on {service.deps}.
- Its data lives in {service.db}[, reached through PgBouncer like every other service|].
- It reads work from {service.queue}.
- {service.scale}
- {service.quirk}
- [Alerts for {service} page|Pages for {service} go to] the {service.team} on-call, and its
  dashboard is linked from the service catalog entry.
- The {service} SLO is {service.slo}.

# Alert runbooks
bind: alert service
- Before changing anything, check #deploys and #incidents: most alerts shortly after a deploy are
  fixed fastest by rolling back.
- If you are not on the owning team, page the {service.team} on-call before making changes to
  {service}.
= Runbook: {alert} on {service} *8all ~2
- The {alert} alert for {service} fires when {alert.when}.
- It matters because {alert.why}.
- [First,|As a first step,|To start,] {alert.first}.
- {alert.then}
- [If that does not explain it|If the cause is still unclear], {alert.next}.
- To mitigate, {alert.fix}.
- For {service}, the usual suspects are {service.deps}.
- {service.quirk}
- Escalate to the {service.team} secondary {alert.escalate}.

# Incident log
bind: case inc svc db person person2
- Summaries in this log are written from the full postmortems, which are linked from the incident
  page in Confluence.
= {inc}: {case} *all ~2
- On {date}, {case.what}
- [The incident was declared as|It was handled as] a {case.sev} and lasted about {case.minutes}
  minutes from the first alert to resolution.
- The trigger was {case.trigger}.
- [We mitigated it by|Mitigation:] {case.fix}.
- Follow-up actions included {case.follow}.
- {person} was the incident commander[, with {person2} as technical lead|].

@ service orders-api
does: serves the public REST API for pipelines, runs and connections
team: Core API
lang: Go
deps: auth-service for key checks, the scheduler for starting runs, and Redis for rate limiting
db: orders-db
scale: It runs at least 6 replicas per region and scales on CPU; traffic peaks around 14:00 UTC
  when US and EU business hours overlap.
quirk: Rate limiting lives in Redis, so a Redis failover briefly lets every request through until
  the counters rebuild.
slo: 99.95 percent of requests succeeding within 300 ms, measured at the load balancer
@ service ledger
does: records every billable event and credit movement as an append-only ledger
team: Billing Engineering
lang: Kotlin
deps: usage-meter for usage events and billing-api for invoice generation
db: ledger-db
queue: the usage-events Kafka topic
scale: It processes events in order per workspace, so a single busy workspace can fall behind while
  others are fine.
quirk: Ledger entries are never updated; corrections are written as new entries, so never fix data
  with an UPDATE statement.
slo: 99.99 percent of usage events recorded within 10 minutes
@ service sync-worker
does: executes pipeline runs, reading from sources and writing to destinations through
  connector-runtime
team: Integrations
lang: Go
deps: connector-runtime, the scheduler, S3 for staging files, and the customer's own systems
queue: the run-requests queue in SQS
scale: KEDA scales it on queue depth from 20 to 400 pods per region; the first-of-the-month
  invoicing spike is the busiest time.
quirk: Many failures are on the customer's side, so check the error codes before assuming our code
  is broken.
slo: 99 percent of scheduled runs starting within 2 minutes of their scheduled time
@ service ingest-gateway
does: receives records pushed by customers through the batch records endpoint and writes them to
  staging storage
team: Edge
lang: Rust
deps: auth-service for keys, S3 for staging, and the records-ingest Kafka topic
scale: It is stateless and scales on request rate, with a floor of 4 replicas per region.
quirk: Large batch requests are streamed to S3 before they are acknowledged, so S3 latency shows up
  directly in its p99.
slo: 99.95 percent of batch requests acknowledged within 1 second
@ service auth-service
does: checks API keys, OAuth tokens and sessions for every other service
team: Identity
lang: Go
deps: accounts-db and a Redis cache of key hashes
db: accounts-db
scale: Every API request calls it, so it runs 10 replicas per region and keeps a 60-second local
  cache.
quirk: Key revocations go through the cache, which is why revocations take up to 60 seconds to
  apply everywhere.
slo: 99.99 percent of checks answered within 50 ms
@ service webhook-dispatcher
does: delivers webhook events to customer endpoints and handles retries
team: Core API
lang: Go
deps: the events Kafka topic, webhooks-db for delivery state, and customers' endpoints
db: webhooks-db
queue: the webhook-deliveries queue in SQS
scale: It scales on queue depth; a single slow customer endpoint cannot block others because each
  endpoint has its own concurrency limit.
quirk: Most alerts are caused by a few customer endpoints timing out, which is expected; look at
  the share of endpoints failing, not the raw count.
slo: 99.9 percent of first delivery attempts made within 30 seconds of the event
@ service billing-api
does: generates invoices, handles payment methods and talks to Stripe
team: Payments
lang: Kotlin
deps: ledger for usage totals, Stripe, and the tax calculation service
db: accounts-db
scale: Load is low most of the month and spikes on the first business day, when invoices are
  generated.
quirk: Payments freezes deploys of billing-api on the first business day of each month, so plan
  releases around it.
slo: 99.9 percent of invoices generated by 06:00 UTC on the first of the month
@ service search-indexer
does: indexes workspace metadata, run logs and the documentation for search
team: Search
lang: Java
deps: Elasticsearch and the change events Kafka topic
queue: the index-updates Kafka topic
scale: It batches updates every few seconds, so indexing lag is normally under a minute.
quirk: Elasticsearch can be rebuilt from Kafka and Postgres, so during an incident it is acceptable
  to serve stale search results rather than risk data stores.
slo: 99 percent of changes searchable within 2 minutes
@ service export-service
does: runs customer data exports and delivers them to download links or cloud storage
team: Data Infrastructure
lang: Python
deps: the warehouse replicas, S3, and customers' cloud storage accounts
db: catalog-db
queue: the export-jobs queue in SQS
scale: Each export runs as its own Kubernetes job, and a workspace can run at most 5 at once.
quirk: Delivery failures to customer buckets are almost always IAM mistakes on their side; check
  the E6002 count before digging into our code.
slo: 95 percent of exports under 1 GB finished within 15 minutes
@ service notification-service
does: sends product emails, in-app notifications and usage alerts
team: Core API
lang: TypeScript
deps: the email provider, the events Kafka topic and webhooks-db for preferences
queue: the notifications queue in SQS
scale: It sends in bursts at the top of the hour when scheduled digests go out.
quirk: The email provider throttles us above 200 messages per second, and the service backs off on
  its own when that happens.
slo: 99 percent of transactional emails handed to the provider within 1 minute
@ service scheduler
does: decides when each pipeline should run and places run requests on the queue
team: Integrations
lang: Go
deps: orders-db for schedules and SQS for run requests
db: orders-db
scale: Two replicas run with leader election, and only the leader schedules; the follower takes
  over within 15 seconds.
quirk: If both replicas lose their lease at once, runs are delayed but never duplicated, because
  run requests are idempotent.
slo: 99.9 percent of runs enqueued within 30 seconds of their scheduled time
@ service connector-runtime
does: hosts the connector code that talks to each source and destination, isolated per run
team: Integrations
lang: Go and Python
deps: sync-worker, Vault for customer credentials, and the customers' systems
scale: Each run gets its own sandboxed process with memory limits set per connector.
quirk: A connector that leaks memory shows up as OOM kills on a single connector type; check the
  connector label on the memory graph.
@ service usage-meter
does: counts rows processed by each run and turns them into sync-credit usage events
team: Billing Engineering
lang: Kotlin
deps: sync-worker run reports and the usage-events Kafka topic
db: metering-db
queue: the run-reports Kafka topic
scale: It aggregates per workspace per hour, so a backlog delays usage graphs but not billing
  accuracy.
quirk: Replaying the run-reports topic is safe, because usage events are deduplicated by run ID.
slo: 99.9 percent of run reports metered within 15 minutes
@ service admin-console
does: is the internal tool Support and Engineering use to inspect workspaces and apply approved
  fixes
team: Core API
lang: TypeScript
deps: orders-api, billing-api and auth-service through internal endpoints
db: accounts-db, read-only
scale: Traffic is low and follows support shifts across Portland, Dublin and Singapore.
quirk: Support Operations decides what the tool does, and every action is audit logged with a
  ticket number, so a spike in errors usually means a required ticket field changed.
slo: 99.5 percent availability during support hours

@ alert High error rate
when: more than 2 percent of requests return 5xx over 5 minutes
why: customers see failed requests, and every minute counts against the error budget
first: check whether a deploy went out in the last 30 minutes with ship history
then: Compare the error rate by endpoint and by pod on the dashboard: errors on one pod point to a
  bad node, errors on one endpoint point to a code path or a dependency.
next: look at the logs filtered by status 500 and group them by error message
fix: roll back if a deploy is involved, or turn off the kill switch for the failing feature
escalate: if the alert is still firing after 20 minutes, or straight away if customers have opened
  P1 tickets
@ alert High p99 latency
when: the p99 latency is more than twice its normal value for 10 minutes
why: slow requests hold connections and threads, and they often turn into errors and timeouts
first: check the dependency panel to see whether a database or downstream call got slower
then: Look at traces from the slow requests in Datadog; the longest span usually names the culprit.
next: check whether one workspace is sending far more traffic than usual, which points to a noisy
  neighbor
fix: scale out if the service is saturated, or rate limit the noisy workspace with the admin
  console
escalate: if the cause is still unclear after 30 minutes
@ alert Pod restarts
when: pods restart more than 3 times in 10 minutes
why: restarting pods drop in-flight requests and can leave too few healthy replicas
first: run kubectl describe pod on a restarting pod and read the last state and exit code
then: Exit code 137 means the pod was OOM-killed; exit code 1 or 2 means the process crashed, so
  read kubectl logs with the previous flag.
next: check whether the restarts are on one node, which suggests a node problem rather than the
  service
fix: roll back a recent deploy, or cordon and drain a bad node
escalate: if fewer than half of the replicas are ready
@ alert Memory usage high
when: memory is above 90 percent of the container limit for 15 minutes
why: the pods are close to being OOM-killed, which will cause restarts and dropped requests
first: check whether memory grows steadily after each restart, which points to a leak, or jumps
  suddenly, which points to a large request
then: Compare memory by version on the dashboard; a leak usually starts with a specific deploy.
next: take a heap profile from one pod using the profiling endpoint before it restarts
fix: restart the pods in a rolling fashion to buy time, and raise the memory limit only if usage is
  legitimately higher
escalate: as soon as pods start getting OOM-killed
@ alert Queue backlog growing
when: the oldest message in the queue is older than 10 minutes
why: work is waiting, so customers see delayed runs, webhooks or emails
first: check whether consumers are running and whether KEDA scaled them up as expected
then: If consumers are at their maximum, look for a slow dependency that makes each message take
  longer than usual.
next: check for a poison message that fails and gets retried over and over
fix: raise the maximum number of replicas temporarily, or move the poison message to the
  dead-letter queue
escalate: if the oldest message passes 30 minutes
@ alert Database connections saturated
when: more than 90 percent of the PgBouncer pool for the service is in use for 5 minutes
why: new requests will wait for a connection and then time out
first: check for long-running queries or open transactions with pg_stat_activity
then: A recent deploy that holds transactions open while calling other services is the most common
  cause.
next: check whether the service scaled out, since every new pod opens its own connections
fix: cancel runaway queries, roll back a bad deploy, or lower the replica count if the pool is
  simply too small for it
escalate: if the database itself shows high CPU or replication lag
@ alert Dependency timeouts
when: more than 1 percent of calls to a dependency time out over 5 minutes
why: timeouts are slow failures that tie up workers and spread to callers
first: find out which dependency is timing out from the dependency panel
then: Check that dependency's own dashboard and #incidents; the problem is often already known.
next: check whether only one availability zone is affected, which points to networking
fix: lean on the circuit breaker, which should open on its own, and shed non-critical work until
  the dependency recovers
escalate: and page the dependency's owning team as soon as you know which one it is
@ alert Error log spike
when: error-level log lines are more than 5 times their normal rate for 10 minutes
why: it often catches problems that do not show up in request errors, such as failing background
  jobs
first: group the error logs by message to find the new one
then: New messages right after a deploy are usually the deploy; old messages in larger numbers
  usually mean a dependency problem.
next: check whether the errors affect customers; if not, lower the priority and open a ticket
  instead
fix: roll back or fix forward, then tune the alert if the logs turn out to be noise
escalate: if customer-facing requests are also failing
@ alert CPU throttling
when: containers are throttled for more than 25 percent of the time over 15 minutes
why: throttled pods respond slowly even when the service looks healthy
first: check whether traffic increased or whether the CPU limit was lowered in a recent change
then: Compare CPU per request before and after the last deploy to spot a more expensive code path.
next: check whether the autoscaler is at its maximum replica count
fix: raise the maximum replicas or the CPU limit, and open a ticket if the cost per request went up
escalate: if latency SLOs are at risk
@ alert Disk usage high
when: a persistent volume is more than 85 percent full
why: a full disk stops writes and can corrupt local state
first: find out what is using the space with the volume usage panel
then: Old log files and temporary files from failed jobs are the most common cause.
next: check whether the growth is steady or sudden, to decide whether a cleanup or a bigger volume
  is the answer
fix: clean up temporary files, or expand the volume through the storage class, which can be done
  online
escalate: if usage passes 95 percent

@ case Webhook deliveries delayed in the EU region
what: webhook deliveries from the EU region fell behind by up to 40 minutes after a configuration
  change reduced the dispatcher's concurrency.
sev: SEV2
minutes: 75
trigger: a configuration change that set the per-endpoint concurrency limit to 1 instead of 10
fix: reverting the configuration and scaling the dispatcher out until the backlog cleared
follow: validation for concurrency settings in CI and a queue-age alert per region
@ case {svc} errors after a dependency upgrade
what: {svc} returned errors for a share of requests after a library upgrade changed how HTTP
  connections were reused.
sev: SEV2
minutes: 48
trigger: a shared HTTP client library upgrade that closed idle connections earlier than the load
  balancer expected
fix: rolling back {svc} and pinning the library version in the service template
follow: a canary metric for connection resets and an upgrade checklist for shared libraries
@ case Failover of {db} during peak traffic
what: the leader of {db} became unresponsive and Patroni failed over to a replica during the
  busiest hour of the day.
sev: SEV2
minutes: 22
trigger: an EBS volume on the leader that stopped responding to writes
fix: letting the automatic failover complete and restarting the services that did not reconnect
  through PgBouncer
follow: reconnect logic in two services and a game day for {db} failover under load
@ case Pipeline runs delayed by scheduler lease loss
what: scheduled pipeline runs started up to 25 minutes late after both scheduler replicas lost
  their leases at the same time.
sev: SEV2
minutes: 35
trigger: a network partition between the scheduler pods and etcd during a node rotation
fix: restarting the scheduler pods on healthy nodes, after which the backlog drained on its own
follow: spreading the scheduler replicas across availability zones and alerting on lease loss
@ case Invoices generated with missing usage
what: invoices for a small number of workspaces were generated without the last day of usage, and
  Billing Engineering caught it before payment was collected.
sev: SEV2
minutes: 190
trigger: a delay in the run-reports topic that meant usage-meter had not finished the last day when
  invoicing started
fix: voiding and reissuing the affected invoices and adding a completeness check before invoicing
follow: a hard dependency between metering completeness and invoice generation, and a customer
  email reviewed by Legal
@ case Console sign-in failures for SSO users
what: customers using SAML single sign-on could not sign in to the console, while password sign-in
  and the API kept working.
sev: SEV1
minutes: 42
trigger: an expired certificate used to sign our SAML requests, which the renewal job had skipped
fix: issuing a new certificate and publishing updated metadata, which most identity providers
  picked up automatically
follow: moving the SAML certificate to the standard certificate expiry alert and documenting the
  rotation
@ case Rate limiting disabled after a Redis failover
what: a Redis failover reset all rate limit counters, and a few integrations sent bursts large
  enough to slow the API for everyone.
sev: SEV3
minutes: 18
trigger: a planned Redis maintenance that was not announced to the Core API team
fix: rate limiting the largest clients manually in the admin console until the counters rebuilt
follow: a local fallback limiter in orders-api and maintenance announcements in #core-api
@ case Export deliveries to S3 failing
what: exports to customer S3 buckets failed for two hours with E6002, although the customers' IAM
  roles had not changed.
sev: SEV2
minutes: 120
trigger: a rotation of our AWS role that changed the external ID sent with the assume-role call
fix: restoring the previous external ID and retrying the failed exports automatically
follow: a contract test for the S3 delivery path and a runbook for rotating the export role
@ case Search results stale for a day
what: search in the console showed results up to a day old because the indexer had stopped
  consuming updates without raising an alert.
sev: SEV3
minutes: 1300
trigger: a consumer group rebalance that left the indexer with no partitions assigned
fix: restarting the indexer and reindexing the changes it had missed from Kafka
follow: an alert on indexing lag and on consumers with no assigned partitions
@ case Salesforce syncs failing for many customers
what: Salesforce pipelines failed for many customers at once with authentication errors shortly
  after a Salesforce release.
sev: SEV2
minutes: 95
trigger: a change in Salesforce's OAuth refresh behavior that our token refresh code did not handle
fix: shipping a fix to the token refresh logic and retrying the failed runs
follow: monitoring of the Salesforce release calendar and a sandbox test against preview instances
@ case Elevated API latency from a slow query
what: API requests listing runs became slow for large workspaces after a new filter was released.
sev: SEV3
minutes: 60
trigger: a query on the runs table that could not use an index when the new filter was combined
  with sorting
fix: turning off the new filter with its flag and adding the missing index concurrently
follow: query plan checks in the review checklist for list endpoints
@ case Deploy pipeline blocked by a full disk
what: no service could deploy for about an hour because the ArgoCD repository server ran out of
  disk space.
sev: SEV3
minutes: 65
trigger: build caches that were never cleaned up on the repository server's volume
fix: clearing the cache and expanding the volume
follow: a disk usage alert on the deploy infrastructure and automatic cache cleanup
@ case Duplicate emails sent to customers
what: some customers received the same usage alert email several times in one hour.
sev: SEV3
minutes: 50
trigger: retries in notification-service that were not idempotent after a timeout from the email
  provider
fix: pausing usage alert emails and deploying a fix that deduplicates by event ID
follow: idempotency keys for every email type and a test for provider timeouts
@ case Customer data visible in logs
what: a debug log line in {svc} included request bodies with customer data for three hours before
  the log scrubber was updated.
sev: SEV2
minutes: 180
trigger: a debug statement that was merged without the logging review
fix: removing the log line, deleting the affected logs from Datadog and S3, and confirming the
  deletion with Security
follow: a lint rule against logging request bodies and a privacy review with Legal
@ case TLS errors on custom domains
what: customers using custom domains for the console saw certificate errors after certificates
  expired for a subset of domains.
sev: SEV2
minutes: 80
trigger: DNS validation failures at the certificate authority that the edge renewal job retried
  silently
fix: renewing the affected certificates manually and contacting the customers whose DNS records had
  changed
follow: an alert on renewal failures and a dashboard of certificates close to expiry
@ case Connector runs killed for memory
what: runs for one connector type were repeatedly OOM-killed after a customer added very wide
  tables.
sev: SEV3
minutes: 140
trigger: a connector that loaded whole pages of rows into memory before writing them
fix: lowering the page size for that connector and streaming rows to the destination
follow: memory tests with wide tables for every connector
@ case Usage graphs empty in the console
what: the usage graphs in the console showed no data for several hours, although billing data was
  correct.
sev: SEV3
minutes: 240
trigger: a permissions change on the metering replica that the console's read path used
fix: restoring the permission and backfilling the hourly aggregates
follow: a synthetic check that loads the usage graph every five minutes
@ case Sign-up emails not delivered
what: new customers did not receive verification emails, so they could not finish signing up.
sev: SEV2
minutes: 55
trigger: a DNS change that removed the DKIM record for our sending domain
fix: restoring the DKIM record and resending the pending verification emails
follow: DNS changes for mail records now need a review from IT and the Core API team
@ case API keys rejected after a cache change
what: a share of valid API keys were rejected with E1001 for about twenty minutes after a change to
  the key cache in auth-service.
sev: SEV1
minutes: 24
trigger: a cache key format change that made new pods miss every cached entry and overload
  accounts-db
fix: rolling back auth-service and warming the cache before adding new pods
follow: a canary check on authentication failure rates and a load test for cache changes
@ case Scheduled exports duplicated
what: scheduled incremental exports included rows from the previous export for some workspaces,
  which doubled row counts downstream.
sev: SEV3
minutes: 300
trigger: a time zone bug in how the export cursor was stored after a daylight saving change
fix: correcting the stored cursors and notifying the affected customers with a script to remove
  duplicates
follow: storing cursors in UTC everywhere and a test that runs across daylight saving changes
@ case Console unavailable during a CDN incident
what: the console failed to load for many users because our CDN provider had a regional outage,
  although the API kept working.
sev: SEV2
minutes: 38
trigger: an outage at the CDN provider in two European locations
fix: moving console traffic to the secondary CDN with a DNS change
follow: automatic failover between CDNs and a status page component for the console
@ case Slow pipeline runs from a noisy neighbor
what: pipeline runs in the US region slowed down for about two hours because one workspace started
  hundreds of historical re-syncs at once.
sev: SEV3
minutes: 125
trigger: a customer script that triggered a full refresh for every pipeline in a loop
fix: rate limiting full refreshes for that workspace and contacting the customer through their CSM
follow: a per-workspace limit on concurrent historical re-syncs
@ case Audit log stream interrupted
what: audit log streaming to customer SIEMs stopped for six hours, although events were still
  recorded and shown in the console.
sev: SEV3
minutes: 360
trigger: a credentials rotation for the streaming service that was not applied to one of its
  workers
fix: restarting the worker with the new credentials and replaying the buffered events
follow: an alert on streaming lag per destination
@ case Connector credentials not refreshed
what: OAuth tokens for several sources stopped refreshing after a Vault upgrade, and runs for those
  sources failed with E2104.
sev: SEV2
minutes: 150
trigger: a changed Vault API response that the token refresh job parsed incorrectly
fix: rolling back the refresh job and retrying the failed runs in bulk
follow: a contract test against Vault's API and an alert on the share of E2104 errors across all
  workspaces
@ case Status page showed an outage that did not happen
what: the status page reported a major outage for twelve minutes while every service was healthy.
sev: SEV3
minutes: 12
trigger: a synthetic check that failed because its own test workspace had been deleted in a cleanup
fix: recreating the test workspace and posting a correction on the status page
follow: protecting synthetic check workspaces from cleanup scripts
@ case Delayed usage alerts
what: usage alert emails and webhooks arrived up to six hours late for many workspaces.
sev: SEV3
minutes: 360
trigger: a backlog in usage-meter after a Kafka partition reassignment
fix: scaling usage-meter out and replaying the delayed threshold checks
follow: an alert on metering lag and a load test for partition changes
@ case Partial outage of the EU API
what: API requests in the EU region failed for about 9 percent of customers when one availability
  zone lost network connectivity.
sev: SEV2
minutes: 28
trigger: an AWS networking event in one availability zone of eu-west-1
fix: draining the affected zone from the load balancers and letting Karpenter replace the nodes
  elsewhere
follow: faster zone evacuation with a single ship command and a quarterly zone failure game day
@ case Wrong plan limits after a deploy of {svc}
what: some Team workspaces briefly got Business plan limits after a deploy of {svc} read
  entitlements from a stale cache.
sev: SEV3
minutes: 30
trigger: a cache that was not invalidated when the entitlement schema changed
fix: flushing the cache and redeploying with versioned cache keys
follow: versioned cache keys across all entitlement consumers
"""

REFERENCE = r"""
## Product Docs

# Error codes
bind: code
- [If the error persists|If it keeps happening] after that, contact support with the workspace ID,
  the [run ID or request ID|request ID] and the time of the error in UTC.
- Error codes are stable across API versions, so it is safe to branch on the code in your
  integration rather than on the message text.
= Error {code}: {code.slug} *all ~3
- {code} ({code.slug}) [means|indicates that] {code.means}.
- [The most common cause is|Most often the cause is|Usually this happens because of] {code.cause}.
- To fix it, {code.fix}.
- [You see this error|This error appears] {code.where}.
- The API returns it with HTTP status {code.http}.
- {code.extra}

@ code E1001
slug: invalid_api_key
means: the request carried no API key, a malformed key, or a key that does not exist
cause: a key copied with a missing character or a trailing newline from a secrets file
fix: check the Authorization header is exactly "Bearer" followed by the key, and create a new key
  if the old one was revoked
where: on any API request
http: 401
@ code E1002
slug: insufficient_scope
means: the key is valid but lacks the scope the endpoint needs
cause: a read-only key used for a write call, such as creating a pipeline with a key that only has
  pipelines:read
fix: create a key with the missing scope listed in the error message and replace the old key
where: on API requests
http: 403
extra: The error body lists the required scope in the param field, so your client can log exactly
  what is missing.
@ code E1003
slug: api_key_revoked
means: the key was revoked by a workspace admin or automatically after a leak report
cause: a rotation in which the old key was revoked before every service had picked up the new one
fix: deploy a current key and check the audit log to see who revoked the old one and when
where: on API requests, within 60 seconds of the revocation
http: 401
@ code E1101
slug: rate_limit_exceeded
means: the API key sent more requests in the last minute than its plan allows
cause: polling list endpoints in a tight loop instead of using webhooks or larger page sizes
fix: wait for the number of seconds in the Retry-After header, then retry with exponential backoff
where: on any API request, including reads
http: 429
extra: Clients that keep retrying while limited are blocked for 10 minutes, which turns a short
  slowdown into an outage.
@ code E1102
slug: concurrency_limit_exceeded
means: the workspace already has the maximum number of exports or manual runs in flight
cause: a script that starts an export for every table at once
fix: start new work only when earlier requests finish, or listen for the export.ready webhook
  before starting the next one
where: on POST requests that start exports or runs
http: 429
@ code E1203
slug: saml_nameid_format
means: the identity provider sent a NameID that is not an email address
cause: an identity provider set to send a persistent identifier or username instead of the email
fix: set the NameID format to EmailAddress in the identity provider's SAML app and try the Test SSO
  button again
where: on the SSO sign-in page and in the Test SSO window
http: 400
@ code E1204
slug: saml_signature_invalid
means: the SAML response was signed with a certificate Northwind does not recognize
cause: a signing certificate rotated in the identity provider without uploading the new metadata to
  Northwind
fix: download fresh metadata from the identity provider and upload it under Settings > Security >
  Single sign-on
where: on the SSO sign-in page
http: 400
extra: Keep the break-glass owner's password at hand while you fix this, because SSO users cannot
  sign in until it is resolved.
@ code E1301
slug: workspace_read_only
means: the workspace is read-only because an invoice has been unpaid for 14 days or a card
  chargeback is open
cause: an expired card on file that nobody updated after the payment reminders
fix: pay the outstanding balance under Settings > Billing; the workspace reactivates within a few
  minutes
where: on any write request and in a banner across the console
http: 403
@ code E1302
slug: plan_feature_unavailable
means: the feature you called is not included in the workspace's plan
cause: a downgrade that took effect at the end of the billing period while an integration still
  used a higher-plan feature
fix: upgrade the plan, or remove the call; the error message names the plan that includes the
  feature
where: on API requests and when saving settings in the console
http: 403
@ code E1401
slug: validation_failed
means: the request body failed validation
cause: a missing required field or a value of the wrong type, such as a schedule given as a number
  instead of a cron string
fix: read the errors array in the response, which lists each invalid field and the reason
where: on POST, PATCH and PUT requests
http: 422
@ code E1402
slug: idempotency_conflict
means: an Idempotency-Key was reused with a different request body within 24 hours
cause: a client that generates idempotency keys from a timestamp with one-second resolution
fix: generate a new random key for each distinct request, and reuse a key only when retrying the
  exact same request
where: on POST requests that send an Idempotency-Key header
http: 409
@ code E1403
slug: resource_not_found
means: the ID in the path does not exist in this workspace, or the key cannot see it
cause: a test-mode ID used with a live key, or the other way round
fix: check that the key and the ID belong to the same mode and workspace
where: on requests with an ID in the path
http: 404
@ code E2101
slug: source_unreachable
means: the pipeline could not open a network connection to the source
cause: a firewall on the customer's side that does not allow our egress IP addresses
fix: allowlist the addresses listed at api.northwind.cloud/v2/meta for the workspace's region, or
  set up an SSH tunnel in the connector settings
where: on pipeline runs, in the Connect step
@ code E2104
slug: auth_expired
means: the connector's credentials were revoked or expired
cause: a password change or an OAuth token revoked by the source system's admin
fix: reconnect the source from the pipeline's Settings tab; the pipeline resumes from where it
  stopped
where: on pipeline runs, in the Read step
extra: Connect sources with a service account rather than a personal login, so that credentials do
  not expire when someone leaves.
@ code E2105
slug: source_permission_denied
means: the connector can sign in but is not allowed to read an object it needs
cause: a connecting user that lacks read permission on some tables or objects
fix: grant the permissions listed on the connector's docs page, then retry the run
where: on pipeline runs, in the Read step
@ code E2201
slug: source_rate_limited
means: the source system rejected requests because its own API limit was reached
cause: other integrations sharing the same API quota in the source, such as a CRM with several
  tools connected
fix: lower the sync frequency or move the pipeline to off-peak hours; the run retries automatically
  with backoff
where: on pipeline runs, in the Read step
@ code E3301
slug: schema_drift
means: a column changed type in the source and no longer matches the destination
cause: a source column changed from integer to text, often by an admin editing a field in the
  source application
fix: turn on automatic widening under Schema handling, or change the destination column yourself
  and re-run
where: on pipeline runs, in the Write step
@ code E3302
slug: primary_key_missing
means: the pipeline is set to upsert, but the source table has no primary key
cause: a database view or a table created without a key
fix: choose a column or set of columns as the key under Schema handling, or switch the table to
  append-only mode
where: when saving a pipeline and on runs
http: 422 when saving, and a run error otherwise
@ code E3303
slug: unsupported_type
means: a source column has a type the destination cannot store
cause: spatial types, ranges or deeply nested arrays
fix: exclude the column, or map it to text under Schema handling so the value is written as its
  string form
where: on pipeline runs, in the Write step
@ code E4101
slug: destination_unreachable
means: the pipeline could not connect to the destination
cause: a warehouse that is suspended or a network policy that blocks our IP addresses
fix: resume the warehouse or allowlist our addresses, then retry the run from the Runs tab
where: on pipeline runs, in the Write step
@ code E4102
slug: destination_quota
means: the destination refused writes because of a storage or API quota
cause: a warehouse storage limit or a daily load-job quota reached during a large re-sync
fix: raise the quota in the destination, or spread a re-sync over several days; the pipeline keeps
  retrying for 6 hours before it fails
where: on pipeline runs, in the Write step
@ code E4103
slug: destination_permission_denied
means: the destination user cannot create or alter tables in the target schema
cause: a role that was granted access to existing tables only
fix: grant the role permission to create tables in the schema, as shown in the connection test
where: on pipeline runs and in the connection test
@ code E4201
slug: row_too_large
means: a single row exceeds the maximum size the destination accepts
cause: a long text or JSON column, such as email bodies or raw event payloads
fix: exclude or truncate the column under Schema handling; rows over the limit are skipped and
  listed in the run log
where: on pipeline runs, in the Write step
@ code E5000
slug: internal_error
means: something failed on Northwind's side
cause: a transient fault in our infrastructure, usually resolved by the automatic retry
fix: do nothing at first, since the run is retried automatically; if it keeps failing for more than
  an hour, contact support
where: on API requests and pipeline runs
http: 500
@ code E5001
slug: run_timeout
means: a run exceeded the 12-hour limit and was stopped
cause: a first sync of a very large table, or a slow source query without an index on the cursor
  column
fix: add an index on the cursor column, or split the first sync by table; incremental runs after it
  are much shorter
where: on pipeline runs
@ code E6001
slug: webhook_endpoint_disabled
means: the webhook endpoint was disabled after failing every delivery for 5 days
cause: an endpoint URL that moved, an expired TLS certificate, or a firewall rule
fix: fix the endpoint, re-enable it on its page under Settings > Developers > Webhooks, and replay
  the deliveries you missed
where: in the console and in the email sent to workspace owners
@ code E6002
slug: export_delivery_failed
means: an export finished but could not be written to the cloud storage destination
cause: an IAM role whose trust policy does not include Northwind's account, or a missing
  s3:PutObject permission
fix: compare the role with the trust policy shown in the console, then retry the export
where: on the export's page and in the export.ready webhook, which carries a failed status
@ code E1404
slug: invalid_cursor
means: the pagination cursor is malformed or has expired
cause: a cursor saved for more than 24 hours, or one edited by hand
fix: start the listing again without a cursor and follow next_cursor from each response
where: on list endpoints
http: 400
@ code E2102
slug: tls_handshake_failed
means: the connector could not establish a TLS connection to the source
cause: a server certificate that has expired or does not match the hostname
fix: renew the certificate on the source, or enter the hostname that appears on the certificate
where: on pipeline runs and in the connection test
@ code E2301
slug: replication_slot_missing
means: the PostgreSQL replication slot used by the pipeline no longer exists
cause: a database administrator dropped the slot, or a failover to a replica that did not have it
fix: let the connector recreate the slot and run a full re-sync of the affected tables
where: on PostgreSQL pipeline runs
@ code E3304
slug: duplicate_key
means: two source rows had the same primary key in a single run
cause: a key defined on columns that are not unique in the source
fix: choose a different key under Schema handling, or switch the table to append-only
where: on pipeline runs, in the Write step
@ code E4104
slug: destination_schema_locked
means: the destination table was locked by another process for longer than 10 minutes
cause: a long-running query or a maintenance job on the destination
fix: find and stop the blocking query in the destination, or schedule the pipeline away from
  maintenance windows
where: on pipeline runs, in the Write step
@ code E5002
slug: connector_crashed
means: the connector process stopped unexpectedly during a run
cause: an unusual value in the source data that the connector did not handle, or a memory limit
fix: retry the run; if it fails again, contact support with the run ID so Integrations can
  reproduce it
where: on pipeline runs
@ code E6003
slug: export_too_large
means: an export exceeded the 500 GB limit for a single export
cause: exporting a very large dataset without filters
fix: export by date range or split the dataset, or use a destination pipeline instead of exports
  for full copies
where: when creating an export and on the export's page
http: 422 when the size is known upfront
@ code E7002
slug: workspace_suspended
means: the workspace has been suspended by Northwind, usually for an open chargeback or a terms of
  service review
cause: a card dispute opened with the bank before contacting support
fix: contact support; the workspace owner receives an email explaining the reason and the next
  steps
where: on every request and in the console
http: 403
@ code E7001
slug: spending_cap_reached
means: the workspace reached the spending cap set by its owners, and non-critical pipelines were
  paused
cause: a large re-sync or a new pipeline that processed more rows than expected
fix: raise or remove the cap under Settings > Billing > Usage alerts, then resume the paused
  pipelines
where: on pipeline runs and in a console banner
http: 402 for API calls that would start new runs

# Connectors
bind: conn
- Every connector runs in the workspace's region, and data never leaves that region during a sync.
- New connectors go through a beta period of about three months, during which support responds on
  business days only.
= {conn} connector *all ~4
- The {conn} connector [works as a|is available as a] {conn.kind} on {conn.plan}.
- It [authenticates|connects] with {conn.auth}.
- The [account you connect with|connecting user] needs {conn.perms}.
- To set it up, {conn.setup}.
- Incremental syncs use {conn.sync}.
- [It syncs|Supported objects include|It can read] {conn.objects}.
- {conn.note}
= Troubleshooting the {conn} connector *all ~3
- {conn.limits}
- {conn.quirk}
- {conn.errors}
- [When a|If a] {conn} sync fails with E2104 auth_expired, reconnect it from the pipeline's
  Settings tab, using the same account so that sync state is kept.
- Run logs for {conn} pipelines are on the Runs tab; [filter by status|open the failed run] to see
  the step and the exact message returned by {conn}.
- Before contacting support about {conn}, run the connection test on the pipeline's Settings tab
  and include its output in the ticket.

@ conn Salesforce
kind: source
plan: all plans
auth: OAuth, through a Salesforce user with the API Enabled permission
perms: read access to every object you want to sync and the View All Data permission for complete
  history
setup: choose Add source > Salesforce, sign in to Salesforce in the pop-up, and pick the objects to
  sync
sync: the SystemModstamp field, so changes made by automation are picked up too
objects: standard and custom objects, including Accounts, Contacts, Opportunities and Cases
note: Formula fields are recalculated by Salesforce on read, so they can change without
  SystemModstamp changing; a weekly re-sync of those objects keeps them accurate.
limits: Salesforce counts our requests against the org's daily API limit, which is shared with
  every other integration; the connector stops at 80 percent of the limit by default.
quirk: Deleted records are detected through the Salesforce recycle bin, which is emptied after 15
  days, so a pipeline paused for longer than that can miss deletes.
errors: INVALID_SESSION_ID from Salesforce means the OAuth token was revoked, usually because the
  connecting user's password was reset.
@ conn HubSpot
kind: source
plan: all plans
auth: OAuth with a HubSpot super admin or a private app token
perms: the crm.objects and crm.schemas read scopes for the objects you sync
setup: choose Add source > HubSpot, approve the requested scopes, and select the portal if your
  login has access to several
sync: the hs_lastmodifieddate property for CRM objects and event timestamps for engagements
objects: contacts, companies, deals, tickets, engagements and custom objects
limits: HubSpot allows 100 requests every 10 seconds per app, and the connector slows down
  automatically when it nears that rate.
quirk: Merged contacts keep the ID of the surviving record, so the merged-away contact shows up as
  deleted in the destination.
errors: A 403 with MISSING_SCOPES means a scope was removed from the private app after setup; add
  it back and reconnect.
@ conn NetSuite
kind: source
plan: Business and Enterprise
auth: token-based authentication with a dedicated integration role
perms: a custom role with SuiteAnalytics Connect and read permission on the records you sync
setup: create an integration record and token in NetSuite, then paste the account ID, consumer key
  and token into Add source > NetSuite
sync: the lastModifiedDate field through SuiteQL
objects: transactions, customers, vendors, items, accounts and custom records
limits: NetSuite allows a limited number of concurrent requests per account, shared with other
  integrations, so syncs slow down during month-end when finance tools are busy.
quirk: Some transaction lines do not update the parent's lastModifiedDate, so line-level changes
  can appear a day late until the nightly full refresh of transaction lines.
errors: INVALID_LOGIN_ATTEMPT usually means the token was created for a different role than the one
  assigned to the integration user.
@ conn Zendesk
kind: source
plan: all plans
auth: OAuth or an API token for an admin user
perms: admin access, because agents cannot read ticket audits or other agents' data
setup: choose Add source > Zendesk, enter your subdomain, and sign in as an admin
sync: the incremental export API, which returns tickets changed since the last cursor
objects: tickets, ticket comments, users, organizations, satisfaction ratings and ticket metrics
limits: The incremental export API allows 10 requests per minute, so the first sync of a large
  account can take several hours.
quirk: Ticket comments are read from audits, so comments redacted in Zendesk are updated in the
  destination on the next run.
@ conn Stripe
kind: source
plan: all plans
auth: a restricted API key with read access
perms: read access to the resources you sync; a restricted key is safer than the secret key
setup: create a restricted key in the Stripe dashboard, then paste it into Add source > Stripe
sync: the events API, which replays every change since the last run
objects: charges, customers, invoices, subscriptions, payouts, balance transactions and disputes
limits: Stripe keeps events for 30 days, so a pipeline paused for longer needs a historical
  re-sync.
quirk: Test mode and live mode data are separate in Stripe, and a restricted key only sees the mode
  it was created in.
errors: A 401 from Stripe after a key rotation means the restricted key was rolled; paste the new
  key into the connector settings.
@ conn Shopify
kind: source
plan: all plans
auth: OAuth through the Northwind app in the Shopify App Store
perms: the read_orders, read_products and read_customers scopes, plus read_all_orders for orders
  older than 60 days
setup: install the Northwind app from the Shopify App Store, then finish the connection in Add
  source > Shopify
sync: the updated_at field through the GraphQL Admin API
objects: orders, products, variants, customers, inventory levels and fulfillments
limits: Shopify uses a cost-based GraphQL limit per store, and large product catalogs are read in
  several smaller queries to stay within it.
quirk: Without read_all_orders, Shopify only returns the last 60 days of orders, which looks like
  missing history in the destination.
@ conn Google Analytics 4
kind: source
plan: Team plans and above
auth: OAuth with a Google account that has Viewer access to the property
perms: Viewer access on each GA4 property you sync
setup: choose Add source > Google Analytics 4, sign in with Google, pick the properties, and choose
  the reports
sync: a rolling window that re-reads the last 3 days, because Google keeps processing recent data
objects: standard reports and custom reports defined by dimensions and metrics
limits: GA4 property quotas limit the number of report requests per hour, and big custom reports
  use more of the quota.
quirk: Numbers for the last 72 hours can change as Google finishes processing, which is why the
  connector re-reads that window on every run.
@ conn Google Sheets
kind: source
plan: all plans
auth: OAuth with the Google account that can open the spreadsheet
perms: view access to the spreadsheet
setup: choose Add source > Google Sheets, sign in, paste the spreadsheet URL, and pick the tabs to
  sync
sync: a full read of each tab on every run, since Sheets has no change tracking
objects: individual tabs, each synced as its own table with the first row as the header
limits: Tabs larger than 100,000 rows are slow to read and are better moved to a database.
quirk: Renaming a header in the sheet renames the column in the destination, which breaks queries
  that use the old name.
@ conn Jira
kind: source
plan: Team plans and above
auth: OAuth or an API token for Jira Cloud
perms: Browse Projects permission on every project you sync
setup: choose Add source > Jira, sign in to your Atlassian site, and select the projects
sync: the updated field in JQL searches
objects: issues, issue changelogs, comments, sprints, projects and users
limits: Jira Cloud applies cost-based rate limits, and syncs of projects with long changelogs take
  longer than the issue count suggests.
quirk: Issues moved between projects get a new key, so they appear under the new key while the old
  key is marked deleted.
@ conn Intercom
kind: source
plan: all plans
auth: OAuth with an Intercom workspace admin
perms: read access to conversations, contacts and companies
setup: choose Add source > Intercom and approve the app in your Intercom workspace
sync: the updated_at timestamp on each object
objects: conversations, conversation parts, contacts, companies, tags and admins
limits: Intercom allows about 1,000 requests per minute per app, shared across all its workspaces.
quirk: Conversation parts are only available through the conversation itself, so very long
  conversations slow the sync down.
@ conn Marketo
kind: source
plan: Business and Enterprise
auth: a Marketo API-only user with a client ID and secret
perms: an API role with Read-Only Lead, Read-Only Activity and Read-Only Assets permissions
setup: create an API-only user and a LaunchPoint service in Marketo, then enter the REST endpoint,
  client ID and secret in Add source > Marketo
sync: the bulk extract API with date filters for leads and activities
objects: leads, activities, programs, campaigns and lists
limits: Marketo limits bulk extracts to 500 MB per day per instance by default, so large activity
  histories are loaded over several days.
quirk: The bulk extract quota is shared with other tools using Marketo's API, and the connector
  reports the remaining quota on each run.
@ conn PostgreSQL
kind: source
plan: all plans
auth: a database user with a password, optionally through an SSH tunnel
perms: SELECT on the tables you sync, and the REPLICATION attribute if you use logical replication
setup: create a read-only user, allowlist our IP addresses or set up an SSH tunnel, then enter the
  host, port and database in Add source > PostgreSQL
sync: logical replication with the pgoutput plugin, or a cursor column such as updated_at if
  replication is not available
objects: tables and views in the schemas you select
note: Logical replication captures deletes; cursor-based syncs cannot see deleted rows unless the
  table uses soft deletes.
limits: A replication slot that is not read keeps WAL on the server, so delete the slot if you
  remove the pipeline for good.
quirk: Views cannot use logical replication and always fall back to cursor-based or full syncs.
errors: "replication slot does not exist" means the slot was dropped on the server; the connector
  recreates it, but a full re-sync of affected tables is needed.
@ conn MySQL
kind: source
plan: all plans
auth: a database user with a password, optionally through an SSH tunnel
perms: SELECT on the tables you sync, plus REPLICATION SLAVE and REPLICATION CLIENT for binlog
  replication
setup: enable row-based binary logging, create the user, then enter the connection details in Add
  source > MySQL
sync: the binary log in row format, or a cursor column when the binlog is not available
objects: tables in the databases you select
limits: Binary logs must be kept for at least 3 days, or a pipeline paused over a long weekend
  loses its position.
quirk: Managed MySQL services often set binlog retention to 1 day by default, which is too short;
  raise it before connecting.
@ conn SQL Server
kind: source
plan: Business and Enterprise
auth: a SQL login or Azure AD service principal
perms: SELECT on the tables and permission to read change tracking or CDC tables
setup: enable change tracking on the database and tables, then enter the connection details in Add
  source > SQL Server
sync: SQL Server change tracking, or change data capture where it is already enabled
objects: tables in the schemas you select
limits: Change tracking retention defaults to 2 days; a pipeline paused longer than that needs a
  full re-sync.
quirk: Tables without a primary key cannot use change tracking and are synced in full on every run.
@ conn MongoDB
kind: source
plan: Team plans and above
auth: a database user with SCRAM authentication, or an X.509 certificate
perms: the read role on each database you sync
setup: allowlist our IP addresses in your cluster's network access list, then paste the connection
  string into Add source > MongoDB
sync: change streams, which require a replica set or a sharded cluster
objects: collections, with nested documents flattened or stored as JSON
limits: Change streams depend on the oplog window, so a pipeline paused longer than the window
  needs a re-sync.
quirk: Fields with mixed types across documents are stored as text in the destination to avoid
  schema drift errors.
@ conn Amazon S3
kind: source
plan: all plans
auth: an IAM role that trusts Northwind's AWS account
perms: s3:ListBucket on the bucket and s3:GetObject on the prefix you sync
setup: create the IAM role using the trust policy shown in the console, then enter the bucket,
  prefix and file format in Add source > Amazon S3
sync: object modification times, so each file is read once unless it changes
objects: CSV, JSON Lines, Parquet and Avro files under a prefix, merged into one table per pattern
limits: Files larger than 5 GB are split into ranges and read in parallel, which speeds up the
  first sync.
quirk: Overwriting a file with the same name re-reads the whole file, which can duplicate rows in
  append-only tables.
@ conn Workday
kind: source
plan: Enterprise
auth: an integration system user with a password, through Workday's RaaS reports
perms: access to the custom reports you expose as web services
setup: publish each report as a web service in Workday, then add the report URLs in Add source >
  Workday
sync: a full read of each report, filtered by an effective date where the report supports it
objects: any custom report, typically workers, positions, organizations and time off
limits: Workday report timeouts apply, so very large reports should be split by organization or
  date.
quirk: Report fields are renamed when someone edits the report in Workday, which shows up as schema
  drift on the next run.
@ conn Greenhouse
kind: source
plan: Team plans and above
auth: a Harvest API key
perms: read access to candidates, applications, jobs, offers and scorecards in the API key settings
setup: create a Harvest API key in Greenhouse with the permissions above and paste it into Add
  source > Greenhouse
sync: the updated_after filter on each endpoint
objects: candidates, applications, jobs, offers, interviews and scorecards
limits: Greenhouse allows 50 requests per 10 seconds per key.
quirk: Candidate data deleted for privacy reasons disappears from the API without a delete event,
  so the nightly reconciliation is what removes it from the destination.
@ conn QuickBooks Online
kind: source
plan: Team plans and above
auth: OAuth with a QuickBooks admin
perms: admin access to the company you connect
setup: choose Add source > QuickBooks Online and sign in to Intuit
sync: the change data capture endpoint, which covers the last 30 days
objects: invoices, bills, payments, customers, vendors, accounts and journal entries
limits: QuickBooks allows 500 requests per minute per company.
quirk: OAuth refresh tokens expire after 100 days without use, so a pipeline paused for that long
  has to be reconnected.
@ conn Xero
kind: source
plan: Team plans and above
auth: OAuth with a Xero user who has the Adviser role
perms: the Adviser role in each organization you sync
setup: choose Add source > Xero, sign in, and select the organizations
sync: the If-Modified-Since header on each endpoint
objects: invoices, contacts, payments, bank transactions, accounts and journals
limits: Xero allows 60 calls per minute and 5,000 per day per organization, so the first sync of a
  large organization can take a day.
quirk: Xero journals are immutable, so corrections appear as new journal entries rather than
  changes to old ones.
@ conn Facebook Ads
kind: source
plan: Team plans and above
auth: OAuth with a Facebook user who has access to the ad accounts
perms: the ads_read permission on each ad account
setup: choose Add source > Facebook Ads, sign in, and select the ad accounts and reports
sync: a rolling attribution window that re-reads the last 28 days
objects: campaigns, ad sets, ads, creatives and insights reports
limits: Insights requests are throttled per ad account, and large breakdowns are requested
  asynchronously.
quirk: Conversions can be attributed up to 28 days after a click, so recent numbers keep changing
  and are re-read on every run.
@ conn Google Ads
kind: source
plan: Team plans and above
auth: OAuth with a Google account that can access the ads customer
perms: read-only access to the customer accounts, or to a manager account above them
setup: choose Add source > Google Ads, sign in, and pick the customer accounts
sync: a rolling window of the last 30 days for reports and updated times for campaign settings
objects: campaigns, ad groups, keywords, search terms and performance reports
limits: Google Ads limits operations per developer token per day, and very wide reports are split
  into several requests.
quirk: Cost values come from the API in micros, so divide by one million when you compare them with
  the Ads interface.
@ conn Pipedrive
kind: source
plan: all plans
auth: an API token from a Pipedrive admin user
perms: admin visibility settings, so that deals and contacts owned by other users are included
setup: copy the API token from Personal preferences > API in Pipedrive and paste it into Add source
  > Pipedrive
sync: the update_time field on deals, persons, organizations and activities
objects: deals, persons, organizations, activities, pipelines, stages and custom fields
limits: Pipedrive limits requests per token per two-second window, scaled by the plan of the
  Pipedrive account.
quirk: Custom field keys in Pipedrive are random hashes, so the connector renames columns to the
  field's display name and keeps the hash in the column description.
@ conn Asana
kind: source
plan: Team plans and above
auth: OAuth with an Asana user who is a member of the workspaces you sync
perms: membership in every project you want to sync, since private projects are invisible otherwise
setup: choose Add source > Asana, sign in, and pick the workspaces and projects
sync: the modified_at field through Asana's events API
objects: tasks, projects, sections, stories, tags and custom fields
limits: Asana allows 1,500 requests per minute on paid plans, and heavy syncs can slow down other
  Asana integrations.
quirk: Tasks that belong to several projects appear once per project in the project memberships
  table but only once in the tasks table.
@ conn GitHub
kind: source
plan: Team plans and above
auth: a GitHub App installed in your organization
perms: read access to metadata, issues, pull requests and actions for the selected repositories
setup: install the Northwind GitHub App from Add source > GitHub and choose all repositories or a
  selected list
sync: the updated timestamps on issues and pull requests and the created time for workflow runs
objects: repositories, issues, pull requests, reviews, commits, workflow runs and teams
limits: GitHub Apps get 5,000 requests per hour per installation, rising with the size of the
  organization.
quirk: Commit history is read only for the default branch, since reading every branch of a large
  monorepo would use most of the hourly limit.
@ conn Segment
kind: source
plan: Business and Enterprise
auth: a Segment destination that forwards events to Northwind through a webhook
perms: workspace owner access in Segment to add the destination
setup: add the Northwind destination in Segment, paste the ingest key shown in Add source >
  Segment, and enable it for the sources you want
sync: streaming, with events written in micro-batches every minute
objects: track, identify, page and group events, each in its own table
limits: Events arrive through ingest-gateway, which accepts bursts of up to 10,000 events per
  second per workspace.
quirk: Events replayed from Segment's archive arrive with their original timestamps, so they land
  in older partitions of the destination.
@ conn Mixpanel
kind: source
plan: Team plans and above
auth: a Mixpanel service account with a username and secret
perms: the Consumer role on the projects you sync
setup: create a service account in Mixpanel's organization settings, then enter it with the project
  ID in Add source > Mixpanel
sync: the raw event export API, reading one day at a time
objects: raw events, user profiles, cohorts and funnels
limits: The raw export API allows 60 queries per hour, so backfills of long histories run over
  several hours.
quirk: Mixpanel finalizes each day's events after midnight in the project's time zone, so the
  connector waits until then before reading a day.
@ conn Microsoft Dynamics 365
kind: source
plan: Business and Enterprise
auth: OAuth with an Entra ID app registration that has access to the Dynamics environment
perms: an application user in Dynamics with a security role that can read the entities you sync
setup: register an app in Entra ID, create the application user in Dynamics, and enter the
  environment URL and credentials in Add source > Microsoft Dynamics 365
sync: change tracking on each entity, which must be enabled in Dynamics
objects: accounts, contacts, leads, opportunities, cases and custom entities
limits: Dynamics applies service protection limits per user, and the connector backs off when it
  receives a 429 from Dynamics.
quirk: Entities without change tracking enabled are synced in full on every run, which can be slow
  for large tables.
@ conn Oracle Database
kind: source
plan: Enterprise
auth: a database user with a password, over an SSH tunnel or private connectivity
perms: SELECT on the tables you sync and access to LogMiner views for change data capture
setup: create the user, enable supplemental logging, and enter the connection details in Add source
  > Oracle Database
sync: LogMiner-based change data capture, or a cursor column where LogMiner is not allowed
objects: tables in the schemas you select
limits: LogMiner reads compete with the database's own workload, so large backfills are best
  scheduled outside business hours.
quirk: NUMBER columns without a declared precision are written as decimal strings to avoid losing
  precision in the destination.
@ conn Sage Intacct
kind: source
plan: Business and Enterprise
auth: a web services user with sender credentials
perms: read access to the general ledger, accounts payable and accounts receivable modules
setup: add Northwind as an authorized web services sender in Sage Intacct, create the user, and
  enter the company ID and credentials in Add source > Sage Intacct
sync: the WHENMODIFIED field on each object
objects: general ledger entries, invoices, bills, vendors, customers and dimensions
limits: Sage Intacct limits concurrent API sessions per company, and syncs pause during the nightly
  maintenance window.
quirk: Entries in closed periods are rarely modified, so the connector reads them once and then
  only checks open periods.
@ conn Amazon S3 (destination)
kind: destination
plan: all plans
auth: an IAM role that trusts Northwind's AWS account
perms: s3:PutObject and s3:ListBucket on the target prefix
setup: create the IAM role with the trust policy from the console, then enter the bucket and prefix
  in Add destination > Amazon S3
sync: new files for each run, partitioned by date and source object
objects: Parquet or JSON Lines files, with a manifest file per run listing what was written
limits: Each run writes at least one file per object, so very frequent schedules create many small
  files; compact them downstream if needed.
quirk: Files are never updated in place, so deduplicate by key and updated time when you read them.
@ conn Snowflake
kind: destination
plan: all plans
auth: key-pair authentication for a dedicated service user
perms: USAGE on the warehouse and database, and CREATE TABLE and CREATE STAGE on the target schema
setup: create the user, role and warehouse with the script shown in the console, then enter the
  account identifier in Add destination > Snowflake
sync: MERGE statements from a staging table for upserts, and COPY INTO for append-only tables
objects: one table per source table or object, in the schema you choose
note: An extra-small warehouse is enough for most workspaces; set it to auto-suspend after 60
  seconds to keep costs down.
limits: Loads run in your warehouse, so a suspended warehouse resumes on every run and is billed by
  Snowflake for the time it runs.
quirk: Column names are upper-cased by Snowflake unless they are quoted, so queries should use the
  upper-case names the connector creates.
errors: "Insufficient privileges to operate on schema" means the role is missing CREATE TABLE on
  the target schema.
@ conn BigQuery
kind: destination
plan: all plans
auth: a Google Cloud service account with a JSON key, or workload identity federation
perms: the BigQuery Data Editor and BigQuery Job User roles on the project
setup: create the service account, grant the roles, and upload the key or configure federation in
  Add destination > BigQuery
sync: load jobs into a staging table, followed by MERGE for upserts
objects: one table per source object, in the dataset you choose
limits: BigQuery allows 1,500 load jobs per table per day, and the connector batches writes to stay
  well under that.
quirk: Datasets are created in the location you choose and cannot be moved later, so pick the same
  location as the rest of your data.
errors: "Access Denied: Project" means the service account lacks the Job User role on the project
  that runs the load jobs.
@ conn Amazon Redshift
kind: destination
plan: all plans
auth: a database user with a password, plus an S3 bucket for staging
perms: CREATE on the target schema and permission for Redshift to read the staging bucket
setup: create the user and staging bucket, then enter the cluster endpoint and bucket in Add
  destination > Amazon Redshift
sync: COPY from S3 into a staging table, followed by a delete and insert for upserts
objects: one table per source object, in the schema you choose
limits: Concurrent loads compete with your queries for the cluster's query slots, so schedule large
  syncs outside business hours.
quirk: Redshift VARCHAR lengths are in bytes, so long text with multi-byte characters can be
  truncated unless the column is widened.
@ conn Databricks
kind: destination
plan: Business and Enterprise
auth: a personal access token or OAuth machine-to-machine credentials for a service principal
perms: USE CATALOG, USE SCHEMA and CREATE TABLE in the target schema, and CAN USE on the SQL
  warehouse
setup: create a service principal, grant it the permissions, and enter the SQL warehouse details in
  Add destination > Databricks
sync: MERGE INTO Delta tables through the SQL warehouse
objects: Delta tables in the Unity Catalog schema you choose
limits: A serverless SQL warehouse starts in seconds, while a classic one can take several minutes,
  which adds to every run.
quirk: Column names with spaces or special characters are rewritten with underscores because Delta
  does not allow them by default.
@ conn ClickHouse
kind: destination
plan: Team plans and above
auth: a database user with a password over TLS
perms: CREATE TABLE and INSERT on the target database
setup: allowlist our IP addresses, create the user, and enter the host and port in Add destination
  > ClickHouse
sync: inserts into ReplacingMergeTree tables, with a version column for upserts
objects: one table per source object
limits: ClickHouse merges duplicate rows in the background, so queries should use FINAL or group by
  the key until merges finish.
quirk: Deletes are written as rows with a deleted flag, since ClickHouse does not handle frequent
  deletes well.
@ conn Azure Blob Storage
kind: destination
plan: Business and Enterprise
auth: a shared access signature or a service principal
perms: write access to the container and prefix
setup: create a container and a SAS token with write permission, then enter them in Add destination
  > Azure Blob Storage
sync: new files for each run, partitioned by date
objects: Parquet or JSON Lines files, one folder per source object
limits: SAS tokens expire on the date you set, and the pipeline fails with E4103 once the token has
  expired.
quirk: Files are never updated in place, so downstream readers have to deduplicate by key and the
  row's updated time.

# API reference
bind: ep
- Like every v2 endpoint, it is rate limited per API key and returns the X-RateLimit headers with
  each response.
- All timestamps in requests and responses are ISO 8601 strings in UTC.
= API reference: {ep} *all ~2
- {ep} {ep.does}.
- It requires an API key with the {ep.scope} scope.
- {ep.auth}
- {ep.params}
- {ep.returns}
- {ep.notes}
- {ep.errors}

@ ep GET /v2/pipelines
does: lists the pipelines in the workspace, newest first
scope: pipelines:read
params: Filter with the status parameter (active, paused or failing) and page with the cursor and
  limit parameters, where limit is at most 200.
returns: The response has a data array of pipeline objects and a next_cursor field that is null on
  the last page.
@ ep POST /v2/pipelines
does: creates a pipeline from a source connection, a destination and a schedule
scope: pipelines:write
params: The body needs source_id, destination_id and schedule, a cron expression in UTC; tables is
  optional and defaults to every table the source exposes.
returns: It returns the new pipeline with status paused, so you can review the schema before the
  first run.
errors: A schedule more frequent than the plan allows returns 422 with error code E1401 and the
  minimum interval in the message.
@ ep GET /v2/pipelines/:id
does: returns a single pipeline with its settings, schedule and latest run
scope: pipelines:read
returns: The latest_run field includes the run status, row counts and the error code if the run
  failed.
errors: An ID from test mode used with a live key returns 404 with E1403.
@ ep PATCH /v2/pipelines/:id
does: updates a pipeline's name, schedule, tables or schema handling
scope: pipelines:write
params: Send only the fields you want to change; omitted fields keep their current values.
notes: Changing the tables list does not trigger a re-sync of existing tables; new tables are read
  in full on the next run.
@ ep POST /v2/pipelines/:id/runs
does: starts a run immediately, outside the schedule
scope: pipelines:write
params: Set full_refresh to true for a historical re-sync; it defaults to false.
returns: It returns the run object with status queued, and the pipeline.run.completed or
  pipeline.run.failed webhook follows when it ends.
errors: If a run is already in progress, the request returns 409 and the ID of the running run.
@ ep POST /v2/pipelines/:id/pause
does: pauses a pipeline after the current run finishes
scope: pipelines:write
notes: Paused pipelines keep their sync state and resume incrementally; call POST
  /v2/pipelines/:id/resume to start them again.
@ ep GET /v2/runs/:id
does: returns a run with its status, timing, row counts and error
scope: pipelines:read
returns: Failed runs include error.code, error.message and the step that failed: connect, read,
  write or finalize.
@ ep GET /v2/runs/:id/logs
does: streams the log lines of a run as JSON Lines
scope: pipelines:read
params: Use since to read only lines after a given timestamp when tailing a run that is still
  going.
notes: Logs are kept for 30 days after the run ends.
@ ep GET /v2/connections
does: lists the source and destination connections in the workspace
scope: connections:read
returns: Credentials are never returned; each connection shows its type, status and the time of the
  last successful test.
@ ep POST /v2/connections/:id/test
does: runs the connection test for a source or destination
scope: connections:write
returns: The result lists each check, such as network, authentication and permissions, with a pass
  or fail and a hint.
@ ep POST /v2/exports
does: starts an export of a dataset to a download link or to cloud storage
scope: exports:write
params: The body needs dataset and format (csv, jsonl or parquet); add destination to deliver to
  S3, GCS or Azure Blob Storage.
returns: It returns the export with status pending, and the export.ready webhook fires when the
  files are ready.
errors: Starting a sixth concurrent export returns 429 with E1102.
@ ep GET /v2/exports/:id
does: returns an export's status and, when it has finished, the file list with row counts and
  download links
scope: exports:read
notes: Download links in the response expire after 7 days; request the export again to get fresh
  links.
@ ep GET /v2/datasets
does: lists the datasets in the workspace with their row counts and last update time
scope: datasets:read
params: Pass include_deleted=true to also see datasets deleted in the last 30 days.
@ ep POST /v2/records/batch
does: writes up to 500 records into a dataset in one request
scope: records:write
params: Each record needs a key and a fields object; send an Idempotency-Key header so retries do
  not write twice.
returns: The response lists accepted and rejected records, with a reason for each rejected one.
notes: The whole batch counts as a single request for rate limiting.
@ ep GET /v2/webhooks
does: lists the webhook endpoints in the workspace with their status and subscribed events
scope: webhooks:read
returns: Disabled endpoints include disabled_reason and the time of the last successful delivery.
@ ep POST /v2/webhooks
does: creates a webhook endpoint
scope: webhooks:write
params: The body needs url, which must be HTTPS, and events, a list of event types or the wildcard.
returns: The signing secret is returned once in the response; store it, because it cannot be read
  again.
@ ep POST /v2/webhooks/deliveries/:id/replay
does: sends a past delivery again with its original payload
scope: webhooks:write
notes: Replays carry a new delivery ID but the same event ID, so deduplication by event ID still
  works.
@ ep GET /v2/audit-events
does: returns audit log events for the workspace
scope: audit:read
params: Filter by actor, type, since and until, and page with the cursor parameter.
notes: This endpoint is available on Enterprise plans only; other plans get 403 with E1302.
@ ep GET /v2/billing/invoices
does: lists invoices with their status, totals and PDF links
scope: billing:read
returns: Each invoice includes line items for the subscription, overage and credits applied.
@ ep GET /v2/billing/usage
does: returns daily sync-credit usage for the current and previous billing periods
scope: billing:read
params: Use group_by=pipeline to see which pipelines used the most credits.
notes: Usage for the current day is provisional and is finalized after midnight UTC.
@ ep GET /v2/members
does: lists workspace members with their roles and last sign-in time
scope: members:read
notes: Members provisioned through SCIM show scim_managed set to true and cannot be edited through
  this endpoint.
@ ep POST /v2/members/invitations
does: invites a person to the workspace by email with a role
scope: members:write
params: The role must be admin, developer or viewer; invitations expire after 7 days.
errors: Workspaces that enforce SSO reject invitations for email domains that are not verified,
  with 422 and E1401.
@ ep GET /v2/api-keys
does: lists API keys with their scopes, prefixes and last-used times
scope: api_keys:read
notes: The full key is never returned; the prefix, such as nw_live_4f2a, is enough to identify it.
@ ep DELETE /v2/api-keys/:id
does: revokes an API key
scope: api_keys:write
notes: Revocation takes effect within 60 seconds in every region and sends the api_key.revoked
  webhook.
@ ep GET /v2/meta
does: returns the API version, the workspace's region and the IP addresses our workers connect from
auth: No scope is needed; any valid key works, and the endpoint also answers without a key.
notes: Use the egress addresses in this response for firewall allowlists, since they are updated
  here before they change.
@ ep GET /v2/connections/:id/schema
does: returns the tables and columns a source connection exposes, with their types
scope: connections:read
notes: The schema is cached for 10 minutes; pass refresh=true to read it from the source again.
@ ep POST /v2/pipelines/:id/resume
does: resumes a paused pipeline on its normal schedule
scope: pipelines:write
notes: The next run is incremental from where the pipeline stopped, unless the source's change
  history has expired in the meantime.
@ ep DELETE /v2/pipelines/:id
does: deletes a pipeline and its sync state
scope: pipelines:write
notes: Data already written to the destination is not touched; only the pipeline, its schedule and
  its state are removed.
errors: Deleting a pipeline with a run in progress returns 409; pause it first and wait for the run
  to finish.
@ ep GET /v2/runs
does: lists runs across the workspace, newest first
scope: pipelines:read
params: Filter by pipeline_id, status and since, and page with the cursor parameter.
notes: Runs are kept for 90 days; older runs are removed from the API but remain in your
  destination if you export run history.
@ ep PATCH /v2/members/:id
does: changes a member's role
scope: members:write
errors: Members managed through SCIM cannot be changed here and return 409 with a hint to change
  the group in your identity provider.
@ ep POST /v2/api-keys
does: creates an API key with a name, scopes and optional IP ranges
scope: api_keys:write
returns: The full key is returned once in the response and never again, so store it immediately.
@ ep GET /v2/status
does: returns the current status of the API and the pipeline scheduler in the workspace's region
auth: No scope is needed; any valid key works.
notes: Requests to this endpoint do not count against your rate limit.

# Webhook events
bind: hook
- Every event includes the workspace_id and a created timestamp, and events of the same type keep
  their payload fields stable within an API version.
= Webhook event: {hook} *all ~3
- The {hook} event [is sent|fires] {hook.when}.
- {hook.data}
- {hook.use}
- {hook.note}

@ hook pipeline.run.completed
when: when a pipeline run finishes successfully
data: The payload includes the pipeline ID, the run ID, rows read and written, and the run's
  duration in seconds.
use: Teams often use it to start downstream jobs, such as refreshing a dashboard, as soon as fresh
  data lands.
@ hook pipeline.run.failed
when: when a run fails after its automatic retries
data: The payload includes the run ID, the error code, the failed step and the error message.
use: Route it to your on-call tool or a Slack channel so that failing pipelines do not go unnoticed
  over a weekend.
note: It is sent once per failed run, not once per retry attempt.
@ hook connector.paused
when: when Northwind pauses a connector, for example after repeated authentication failures
data: The payload names the connection, the reason code and the pipelines affected.
use: A paused connector stops every pipeline that uses it, so this event deserves an alert.
@ hook invoice.finalized
when: when an invoice is finalized at the start of the month
data: The payload includes the invoice ID, the total, the currency and a link to the PDF.
use: Finance teams use it to import invoices into their accounts payable system automatically.
@ hook workspace.member.added
when: when someone joins the workspace by invitation, SCIM or just-in-time SSO provisioning
data: The payload includes the member's email, role and how they were added.
use: Security teams use it to check that new members match their access policies.
@ hook export.ready
when: when an export finishes, successfully or not
data: The payload includes the export ID, its status, the file locations and row counts, and an
  error code if delivery failed.
use: Start your import job from this event rather than polling the export endpoint.
@ hook usage.threshold.reached
when: when sync-credit usage crosses one of the thresholds set under Settings > Billing > Usage
  alerts
data: The payload includes the threshold, the credits used so far and the credits included in the
  plan.
use: Post it to a Slack channel so that someone can pause a runaway backfill before overage builds
  up.
@ hook api_key.revoked
when: when an API key is revoked by a member, by the Unused key cleanup setting, or by Northwind
  after a leak report
data: The payload includes the key's prefix, who revoked it and the reason.
use: It is a useful trigger for checking that every service has already moved to the replacement
  key.
@ hook pipeline.schema.changed
when: when a run detects a schema change in the source, such as a new or removed column
data: The payload lists the table, the changed columns and how each change was handled.
use: Data teams use it to review changes before they break downstream models.
@ hook sso.configuration.changed
when: when someone changes the workspace's SSO or SCIM settings
data: The payload includes the actor and the settings that changed, without any certificates or
  tokens.
use: Forward it to your security team, because a changed identity provider is a common step in
  account takeovers.
"""

MISC_REFERENCE = r"""
## Product Docs

# Release notes
bind: month
- Release notes list changes that reached every workspace during the month; features still in beta
  are marked as such.
= Release notes: {month} *8 ~7
- New: the {conn} connector now supports column-level selection, so you can leave out columns you
  do not need before they reach the destination.
- New: pipelines can be grouped into folders in the console, and folder permissions apply to every
  pipeline inside.
- New: the Runs tab shows a row-count chart for the last {14-30:2} runs, which makes sudden drops
  easy to spot.
- New: usage alerts can now be sent to a Slack channel as well as to email and webhooks.
- New: a dry-run mode for historical re-syncs estimates the credits a re-sync will use before you
  start it.
- New (beta): the {conn} connector, available on Team plans and above.
- New: API keys can be restricted to a list of IP ranges under Settings > Developers > API keys.
- New: the pipeline.schema.changed webhook reports new, removed and retyped columns as soon as a
  run detects them.
- New: scheduled exports can be incremental, writing only rows changed since the previous export.
- New: workspace owners can set a spending cap that pauses non-critical pipelines when overage
  reaches a set amount.
- New: audit log streaming to Datadog, in addition to Splunk and S3.
- New: the Python SDK version {version} adds typed models for every v2 resource.
- Improved: first syncs from {src} are up to {2-4} times faster, thanks to parallel reads of large
  objects.
- Improved: the connection test now checks destination permissions and explains which grant is
  missing.
- Improved: error messages for E3301 schema_drift now name the column and both the old and new
  types.
- Improved: console pages for workspaces with more than 1,000 pipelines load noticeably faster.
- Improved: webhook delivery logs now include the response body from your endpoint, truncated to 2
  KB.
- Improved: retries after E2201 source_rate_limited now follow the source's own Retry-After hints
  where it sends them.
- Improved: the {conn} connector uses less memory on very wide tables, which removes most E5001 run
  timeouts for them.
- Improved: CSV exports quote every field that contains a delimiter, newline or quote, in line with
  RFC 4180.
- Improved: SCIM provisioning now syncs display names and job titles from the identity provider.
- Improved: the usage graph can be grouped by pipeline or by connector.
- Fixed: runs that were cancelled while starting could stay in the queued state for up to an hour.
- Fixed: pipelines syncing from {src} could skip rows updated in the same second as the previous
  cursor.
- Fixed: the console showed the wrong time zone for schedules created through the API.
- Fixed: invoice PDFs did not include the customer's tax ID when it had been added in the same
  month.
- Fixed: the Test SSO window did not show the assertion when the identity provider used a POST
  binding with a large response.
- Fixed: replaying a webhook delivery from the console sent it to all endpoints instead of only the
  selected one.
- Fixed: exports to Azure Blob Storage failed when the prefix contained a space.
- Fixed: members invited through the API did not receive the invitation email when SSO was
  enforced.
- Fixed: the {conn} connector reported E4201 for rows that were within the destination's size
  limit.
- Changed: the minimum schedule interval on Team plans is now 15 minutes, down from 30.
- Changed: API version 1 returns a Deprecation header on every response ahead of its shutdown on 30
  June.
- Changed: test-mode keys are now limited to 60 requests per minute on every plan.
- Changed: download links for exports now expire after 7 days instead of 14.
- Changed: new workspaces enforce number matching for console sign-ins that use email and password.
- Deprecated: the legacy CSV upload source will be removed in three months; use the Amazon S3 or
  Google Sheets sources instead.

## Workplace

# Office guides
bind: site
- Every office has a first aid kit and an AED at reception, and fire wardens are listed on the
  notice board by the kitchen.
= Office guide: {site} *all ~7
- The {site} office is at {site.address}[, on {site.floors}|].
- Getting there: {site.transit}
- {site.parking}
- {site.food}
- The office is open {site.hours}.
- Meeting rooms in {site} are named after {site.rooms}.
- {site.quirk}
- Reception is staffed {site.reception}, and the Workplace lead for {site} is the first contact for
  anything about the building.
- {site.nearby}

@ site Portland
address: 1220 SW Morrison Street, our headquarters
floors: floors 6 to 9
transit: the MAX Blue and Red lines stop two blocks away at Pioneer Square, and TriMet passes are
  subsidized in full for Portland employees.
parking: There is no company parking; the building garage charges by the day, and a secure bike
  room with showers is on the ground floor.
food: Breakfast is provided every day, and lunch is catered on Tuesdays and Wednesdays, the most
  common anchor days.
hours: from 06:00 to 22:00 on weekdays, with badge access at weekends on request
rooms: Oregon rivers, such as Willamette, Deschutes and Rogue
quirk: The 9th floor is the quiet floor: no calls at desks, and the phone booths are on the 8th
  floor instead.
reception: from 08:00 to 18:00
nearby: Pioneer Courthouse Square and the food carts on Alder Street are a short walk away for
  lunch.
@ site Austin
address: 401 Congress Avenue
floors: the 14th and 15th floors
transit: several CapMetro bus routes stop on Congress Avenue, and the downtown MetroRail station is
  a 10-minute walk.
parking: Parking in the building garage is validated for up to 8 days a month; ask reception for a
  validation code.
food: Lunch is catered on anchor days, and the kitchen is stocked with snacks and cold brew every
  day.
hours: from 06:00 to 22:00 on weekdays
rooms: Texas wildflowers, such as Bluebonnet, Paintbrush and Primrose
quirk: The 15th floor terrace can be booked for team events through Facilities; it closes when the
  wind is above 25 miles per hour.
reception: from 08:00 to 17:30
nearby: Lady Bird Lake is a few blocks south, and many people walk the trail at lunchtime.
@ site Dublin
address: 2 Grand Canal Square, our European headquarters
floors: the 3rd and 4th floors
transit: the Luas Red Line stops at Grand Canal Dock, and the DART station is a five-minute walk.
parking: There is no car parking, but the building has a bike cage for 60 bikes and the company
  pays for the Bike to Work scheme.
food: Lunch is provided on Tuesdays and Thursdays, and there is fresh fruit and coffee every day.
hours: from 07:00 to 21:00 on weekdays
rooms: Irish islands, such as Achill, Inishmore and Valentia
quirk: Dublin is the main hub for follow-the-sun support, so parts of the 3rd floor are reserved
  for the support team from 07:00.
reception: from 08:30 to 17:30
nearby: The Bord Gais Energy Theatre is across the square, and the canal path is good for a walk
  between meetings.
@ site Toronto
address: 100 King Street West
floors: the 22nd floor
transit: St Andrew and King subway stations are both a few minutes away, and the building connects
  to the PATH network.
parking: Parking is not provided; PRESTO card costs are covered by the commuter benefit.
food: Lunch is catered on Wednesdays, and a coffee cart visits the floor on Tuesday mornings.
hours: from 06:30 to 22:00 on weekdays
rooms: Ontario lakes, such as Muskoka, Simcoe and Nipissing
quirk: Through the PATH network you can reach the office from the subway without going outside,
  which is popular in January.
reception: from 08:00 to 17:00
nearby: The financial district has plenty of lunch options underground in the PATH.
@ site Singapore
address: 80 Robinson Road
floors: the 18th floor
transit: Tanjong Pagar and Telok Ayer MRT stations are both within a seven-minute walk.
parking: Season parking is not provided; taxis and rideshares to client meetings can be expensed.
food: Lunch is catered on Thursdays, and the pantry is stocked daily.
hours: from 07:00 to 21:00 on weekdays
rooms: Singapore neighborhoods, such as Tiong Bahru, Katong and Joo Chiat
quirk: The Singapore team covers APAC support and the evening half of several on-call rotations, so
  the office is busiest from 10:00 to 19:00.
reception: from 09:00 to 18:00
nearby: Lau Pa Sat and the Amoy Street food centre are both close for lunch.

## IT Support

# Software catalog
bind: tool
= Software catalog: {tool} *all ~2
- {tool} is {tool.what}.
- {tool.who}
- {tool.how}
- {tool.note}
- [Training material for|Tips for using] {tool} are linked from its entry in Self Service and from
  the IT space in Confluence.

@ tool Slack
what: our main chat tool for teams, projects and incidents
who: Everyone gets Slack on day one; guests from other companies join through Slack Connect
  channels approved by IT.
how: It is installed automatically during laptop setup, and the mobile app works on personal
  phones.
note: Messages are kept for two years, except in channels under legal hold; do not share Restricted
  data in Slack.
@ tool Google Workspace
what: our suite for email, calendar, documents and file storage
who: Every employee gets a Google Workspace account; contractors get one only if their contract
  requires it.
how: Sign in through Okta; the Google Drive desktop app is installed during setup.
note: Shared drives are owned by teams, not people, so files do not disappear when someone leaves.
@ tool Zoom
what: our video conferencing tool for internal and customer meetings
who: Everyone gets a licensed account, and webinar licenses are available for large events.
how: It is installed during setup, and the Zoom Rooms in every office work with the same account.
note: Cloud recordings are deleted after 90 days, so download the ones you need to keep.
@ tool 1Password Business
what: the company password manager
who: Everyone gets a Private vault, and teams get shared vaults on request.
how: Install the desktop app and browser extension from Self Service or Company Portal, and sign in
  with your work email.
note: Recovery of a Private vault needs a team admin and an identity check by the Service Desk.
@ tool Jira
what: the issue tracker for engineering, IT and most project work
who: Everyone has access; project admins are set per project.
how: Sign in through Okta; the Jira Cloud app for Slack is installed in most team channels.
note: Each team owns its project and workflow, but the Platform and Security projects have required
  fields for every ticket.
@ tool Confluence
what: the company wiki, where the handbook, runbooks and team pages live
who: Everyone can read and edit almost every space; a few spaces such as Legal and People are
  restricted.
how: Sign in through Okta and use the search bar or the space directory.
note: Pages that have not been edited for a year are flagged for their owners to review or archive.
@ tool GitHub
what: where our code lives, in the northwind-cloud organization
who: Engineers get access through their team's Okta group; others can request read access to
  specific repositories.
how: Sign in with SSO and register an SSH key or use the GitHub CLI with a browser login.
note: Personal access tokens must have an expiry date, and tokens older than 90 days are revoked
  automatically.
@ tool Datadog
what: our monitoring tool for metrics, logs, traces and alerts
who: Engineers get write access through their team; everyone else can get read-only access.
how: Sign in through Okta; dashboards for each service are linked from the service catalog.
note: Custom metrics are billed per tag combination, so ask in #observability before adding
  high-cardinality tags.
@ tool PagerDuty
what: the paging and on-call scheduling tool
who: Engineers on on-call rotations, Security, the IT on-call and support leads have accounts.
how: Sign in through Okta and install the mobile app, then test your notification rules from your
  profile.
note: Set the mobile app to override Do Not Disturb for high-urgency pages.
@ tool Figma
what: the design tool used by product designers and, for viewing and commenting, by everyone else
who: Editor seats go to designers; anyone can view and comment with a free viewer seat.
how: Request an editor seat through the Software Request form; viewer access works through Okta
  without a request.
note: Editor seats unused for 60 days are moved back to viewer seats.
@ tool Postman
what: the API client used to test our API and third-party APIs
who: Engineers, support engineers and solutions engineers can request a seat.
how: Install it from Self Service and sign in with your work email to join the team workspace.
note: Never save live API keys in shared Postman collections; use environment variables marked as
  secret.
@ tool DataGrip
what: the database client approved for engineers
who: Engineers on teams that own databases, and anyone with access to the data workspace.
how: Install it from Self Service; the license is assigned through the Okta group for database
  users.
note: Production connections must go through the bastion and use credentials from Vault, never a
  saved password.
@ tool Tableau Desktop
what: the analytics and dashboard tool used by the data and finance teams
who: Analysts get Creator licenses; everyone else uses Tableau Cloud with a viewer license.
how: Request a Creator license through the Software Request form with your manager's approval.
note: Dashboards built on the data workspace respect its masking rules.
@ tool Miro
what: the online whiteboard for workshops, planning and retrospectives
who: Everyone can create boards.
how: Sign in through Okta; boards shared outside Northwind need the owner to allow external access.
note: Boards untouched for 12 months are archived, and can be restored by the owner for 30 days.
@ tool Lucidchart
what: the diagramming tool for architecture diagrams and process maps
who: Everyone can create diagrams.
how: Sign in through Okta, or use the Confluence integration to embed diagrams in pages.
note: Architecture diagrams for production systems should live in the team's Confluence space so
  they are easy to find.
@ tool Docker Desktop
what: the container runtime used for local development
who: Engineers can install it; it is licensed through the company subscription.
how: Install it from Self Service, which applies our default resource limits.
note: Give it no more than half of your laptop's memory, or video calls will suffer.
@ tool Loom
what: the tool for recording short screen videos
who: Everyone can record videos up to 25 minutes.
how: Install it from Self Service and sign in through Okta.
note: Videos that show customer data must stay inside the Northwind workspace and must not be
  shared externally.
@ tool Lattice
what: the performance and goals platform
who: Every employee has an account.
how: Sign in through Okta; review cycles and 1:1 agendas are set up there by People Operations.
note: Private notes in 1:1 agendas are visible only to their author.
@ tool Workday
what: our HR system for personal details, time off, payroll and benefits
who: Every employee has an account, and managers get approval tasks there.
how: Sign in through Okta; the Workday mobile app works with the same sign-in.
note: Keep your emergency contact and home address current, as they are used by Security during
  emergencies.
@ tool Expensify
what: the tool for submitting and approving expenses
who: Every employee has an account.
how: Sign in through Okta; receipts can be forwarded by email or photographed in the mobile app.
note: Corporate card transactions from Ramp are imported automatically.
@ tool Navan
what: the travel booking tool for flights, hotels and rental cars
who: Every employee can book travel; approvals follow the travel policy.
how: Sign in through Okta, and add your passport details and loyalty numbers to your profile.
note: Bookings made outside Navan are not covered by our duty-of-care service.
@ tool Zendesk
what: the customer support platform
who: Support agents, support engineers and support leads have full seats, and other teams get light
  agent seats.
how: Request a light agent seat through the Access Portal to view tickets and leave internal notes.
note: Light agents cannot reply to customers, which keeps customer communication with Support.

## HR & People

# People FAQ
= People FAQ ^1
- Can I take time off during my first month? Yes. Flexible PTO applies from your first day in the
  US, and in other countries you start accruing immediately; just agree the dates with your
  manager.
- Do I need to log half days off? Yes, log them in Workday as a half day, so that your balance and
  the team calendar stay accurate, even under flexible PTO.
- Who approves time off when my manager is on leave? Workday routes the request to your manager's
  manager automatically if your manager is out for more than three days.
- Can I work from a different city for a week? Yes, within your country of employment no approval
  is needed; tell your manager and keep to your usual core hours.
- How do I update my bank details for payroll? Change them in Workday under Pay > Payment Elections
  at least five business days before the next payday, or the change applies to the following one.
- When is payday? US employees are paid on the 15th and the last business day of each month;
  Canada, Ireland and Singapore are paid monthly on the 25th.
- Where do I find my payslips? Payslips are in Workday under Pay > Payslips, and tax forms such as
  W-2s and P60s appear there when they are issued.
- How do I change my name in company systems? Update your legal and preferred names in Workday; IT
  updates your email alias within two business days and keeps the old address as an alias.
- Can I change my pronouns in Slack and Workday? Yes, add them to your Workday profile and your
  Slack profile; both are optional and up to you.
- Who do I talk to about a conflict with a colleague? Start with your manager if you can; if that
  is not possible, your People Partner is a confidential alternative.
- How do I report harassment or discrimination? Contact your People Partner or use the anonymous
  ethics hotline linked in the Handbook; every report is investigated and retaliation is
  prohibited.
- Can I refer someone for an open role? Yes, submit the referral in Greenhouse; the referral bonus
  is paid after the new hire completes 90 days.
- How do internal transfers work? Apply through the internal jobs board in Greenhouse once you have
  been in your role for 12 months; tell your manager before the first interview.
- Is there a dress code? No formal one; dress for your day, and be a little more formal for
  customer visits and events.
- Can I bring my dog to the office? Dogs are welcome in the Austin and Portland offices on Fridays,
  as long as they are registered with Workplace and vaccinated.
- How do I get a letter confirming my employment? Request an employment verification letter in
  Workday; it is generated automatically for standard letters.
- What happens to my PTO if I move from Ireland to the US? Your accrued balance is paid out under
  Irish rules when your Irish employment ends, and you move to flexible PTO in the US.
- Are there volunteering days? Yes, everyone gets two paid volunteering days a year; log them in
  Workday as Volunteering, and the team in #volunteering posts local opportunities.

# Expenses FAQ
= Expenses FAQ ^1
- Can I expense a coworking day pass? Yes, if you live more than 50 miles from an office, up to the
  monthly coworking limit of 250 dollars; choose the Coworking category.
- Can I expense my home internet? Yes, up to 50 dollars per month under Home Office; attach the
  monthly bill or a yearly statement.
- Can I expense a phone plan? Only if your role requires a phone for on-call or field work;
  otherwise personal phone plans are not covered.
- Is a team lunch during an offsite covered? Yes, offsite meals are covered by the offsite budget;
  the organizer submits the expense and lists every attendee.
- Can I expense books? Yes, books related to your work are covered by your learning budget; use the
  Learning category.
- What if I lost a receipt? Add a missing receipt declaration in Expensify for amounts under 75
  dollars; for larger amounts ask the vendor for a copy first.
- Can I expense a taxi home after working late? Yes, if you worked past 21:00 for a business
  reason, such as an incident or a customer call in another time zone.
- Is in-flight Wi-Fi reimbursable? Yes, when you need to work during the flight; add a one-line
  reason in the description.
- Can I expense a gym membership? Yes, through the wellness stipend of 75 dollars per month; choose
  the Wellness category.
- Are tips reimbursable? Yes, up to 20 percent for meals and a reasonable amount for taxis and
  hotel staff, following local custom.
- Can I buy a monitor for my home office? Yes, from the one-time home office stipend; it is claimed
  like any other expense under Home Office.
- Who pays for a visa for a conference trip? Northwind does, as long as the trip was approved;
  expense it under Travel with the approval linked.
- Can I expense a meal with a candidate? Yes, for final-round candidates with the recruiter's
  approval, within the client meal limits.
- Can I expense gifts for a colleague? Team gifts for life events, such as a new baby, are covered
  up to 75 dollars from the team budget with the manager's approval.
- How do I expense mileage? Use the Mileage option in the Expensify app, enter the start and end
  addresses, and the distance and amount are calculated for you.
- Can I split a bill with a colleague? Yes, but only one person should expense it; the other
  attendees are listed in the description.

# IT FAQ
= IT FAQ ^1
- Can I use my personal laptop for work? No; company data may only be accessed from managed
  devices, except for Slack and Gmail through the mobile apps on your phone.
- Can I install software that is not in Self Service? Only after a Software Request is approved;
  admin elevation with the Privileges app is for development tools, not for installing unreviewed
  apps.
- How do I get a second monitor at the office? Pick one up from the IT bar, or ask in #it-help;
  most desks already have two.
- Why is my laptop fan loud during video calls? Video calls use a lot of CPU, especially with
  background effects; turn off virtual backgrounds and close unused tabs.
- Can I have admin rights on my laptop? Engineers can elevate for 30 minutes at a time with the
  Privileges app; permanent admin rights are not granted.
- How do I connect to the office printer? Install Northwind Print from Self Service or Company
  Portal, print, and release the job at any printer with your badge.
- My Slack notifications stopped working; what should I do? Check Do Not Disturb in Slack and in
  your operating system, then sign out and in again; if it persists, reinstall Slack from Self
  Service.
- How do I share a large file with a customer? Upload it to Google Drive and share it with their
  email address only; for files over 5 GB, ask IT for a temporary secure transfer link.
- Can I use a personal Zoom account for customer calls? No, always use your Northwind Zoom account
  so recordings and security settings follow our policies.
- What do I do if my laptop is stolen? Report it in #security or to the Service Desk within an
  hour, file a police report, and IT will lock and wipe the laptop.
- How do I get access to a shared Google Drive? Ask one of the shared drive's managers; IT only
  adds people when the drive's managers have all left the company.
- Why does Chrome say my browser is managed by my organization? Managed browsers get our security
  settings, the extension allowlist and the certificate for internal sites; it does not show IT
  your browsing history.
- How do I use a headset with the Zoom Room? Zoom Rooms use the room's own audio; join from your
  laptop with audio off if you want to use your own headset in a small room.
- Can I keep my laptop when I leave? Laptops must be returned; in some countries, devices older
  than three years can be bought at fair value, so ask IT during offboarding.
- How long does a new account take for a contractor? Usually two business days after the contract
  is signed and the manager submits the Contractor Access form.
- My calendar shows meetings twice; why? You probably have both the Google Calendar app and another
  calendar client syncing the same account; remove one of them.

# Engineering FAQ
= Engineering FAQ ^1
- Can I deploy on a Friday afternoon? Production deploy windows end at 12:00 Pacific on Fridays;
  after that you need approval from the on-call engineering manager, and only fixes qualify.
- How do I get access to production logs? Logs are in Datadog, which engineers can use without
  special access; raw logs in S3 need the logs-reader Okta group.
- Who reviews my database migration? A member of the database guild, assigned automatically through
  CODEOWNERS for the migrations folder; expect a review within one business day.
- Can I create a new service? Yes, start from the service template with ship new, and register the
  service in the service catalog before the first deploy.
- How do I get a new Datadog monitor reviewed? Open a pull request in the observability repository;
  the owning team and someone from SRE review it.
- What if I get paged for a service I do not know? Acknowledge the page, follow the linked runbook,
  and escalate to the owning team's on-call if the runbook does not cover it.
- Can I swap an on-call shift at short notice? Yes, find a teammate to cover, create an override in
  PagerDuty, and note it in the team channel.
- How do I run a service locally against staging data? Use the dev container and the staging
  read-only credentials from Vault under secret/dev; production data is never used locally.
- Where do I propose a change that affects several teams? Write an RFC in Confluence using the
  template and share it in #eng-rfcs for at least five business days of comments.
- What should go in a pull request description? What changed, why, how it was tested, and how to
  roll it back; link the Jira ticket and any RFC.
- How long should a code review take? Reviewers aim to respond within one business day; if a review
  is blocking you, say so in the team channel.
- Can I use a new open source library? Yes, if its license is on the approved list and it is
  actively maintained; the dependency scanner flags licenses that need Legal review.
- How do I get a staging environment for a branch? Add the preview label to the pull request; a
  preview environment is created within 10 minutes and deleted when the pull request closes.
- Who decides whether an incident needs a postmortem? The incident commander, when resolving it;
  postmortems are always required for SEV1 and SEV2.

# Billing FAQ
= Billing FAQ ^1
- Can I get an invoice in a different currency? Invoices are in the currency of your contract;
  Enterprise customers can ask their account manager to change it at renewal.
- Why was I charged overage? Your pipelines processed more rows than your plan includes; the usage
  page shows which pipelines used the most credits.
- Can I pause my subscription? You can pause pipelines at any time, but the subscription continues;
  downgrade to Starter to reduce costs during a quiet period.
- Do test-mode pipelines use credits? No, pipelines that run with nw_test_ keys never consume sync
  credits, so you can test schedules and schema handling for free.
- How do I add a purchase order number to invoices? Add it under Settings > Billing > Tax
  information; it appears on every invoice issued after you save it.
- Can I pay annually? Yes, annual plans are billed upfront with a 15 percent discount; switch under
  Settings > Billing > Plan.
- What happens if my card expires? We email the billing contacts before the expiry date; if the
  card is not updated, the payment fails and is retried over seven days.
- Can I get a refund for unused credits? Unused monthly credits do not roll over and are not
  refunded; annual plans can be refunded only in the first 30 days.
- Why did my invoice change after I upgraded? Upgrades are prorated, so the next invoice includes
  the difference for the rest of the period you upgraded in.
- Who can see billing information? Workspace owners and members with the Billing admin role; other
  roles cannot see invoices or payment methods.
- Do historical re-syncs cost credits? Yes, every row read and written counts; the console shows an
  estimate before you confirm a re-sync.
- How is tax calculated? Tax is based on your billing address and tax ID; a valid EU VAT number
  applies the reverse charge where the law allows.

# API FAQ
= API FAQ ^1
- Is there a sandbox for testing the API? Yes, use a test key starting with nw_test_; test mode has
  its own data and never affects live pipelines.
- Which API version should I use? Use version 2; version 1 is deprecated, returns a Deprecation
  header and stops working on 30 June.
- Can I use the same API key in several services? You can, but separate keys per service make
  rotation and auditing much easier, and each key gets its own rate limit.
- How do I paginate list endpoints? Pass the next_cursor from the previous response as the cursor
  parameter until next_cursor is null; page numbers are not supported.
- Are API requests idempotent? GET, PUT and DELETE are; for POST, send an Idempotency-Key header so
  that retries do not create duplicates.
- How long are idempotency keys remembered? For 24 hours; reusing a key with a different body
  within that window returns E1402.
- Do you have official SDKs? Yes, for Python, Node.js and Go; they handle authentication,
  pagination and retries for you, and each one is published with a changelog.
- Can I call the API from a browser? No, the API does not allow cross-origin requests from
  browsers, to keep keys out of front-end code; call it from your backend.
- What timezone does the API use? All timestamps are ISO 8601 in UTC, and schedules are cron
  expressions evaluated in UTC.
- How do I find the ID of a pipeline? It is in the pipeline's URL in the console and in the
  Settings tab, and it starts with pl_.
- Why do I get 404 for a pipeline I can see in the console? You are probably using a test key for a
  live pipeline or the other way round.
- Can I get higher rate limits temporarily? Yes, for migrations or backfills; contact support with
  your workspace ID, the endpoints and the expected peak requests per minute.

# Security FAQ
= Security FAQ ^1
- Can I use an AI assistant for work? Yes, the approved assistants in the software catalog; never
  paste Confidential or Restricted data into any other AI tool.
- Can I forward a suspicious email to Security? Use the Report Phish button instead, which includes
  the headers Security needs; forwarding loses some of them.
- Is it safe to click unsubscribe in spam? No, report the message as phishing or spam instead;
  unsubscribe links confirm that your address is active.
- Can I share my screen in customer calls? Yes, but close Slack, email and anything with other
  customers' data first, or share a single window instead of the whole screen.
- Can I store customer data in a spreadsheet for analysis? Only in the data workspace, which masks
  personal fields; exports to personal drives or spreadsheets are not allowed.
- Do I have to report a lost badge? Yes, report it in #workplace right away so it can be
  deactivated; badges open the office doors.
- Can I use public Wi-Fi? Yes, with the VPN connected for anything internal; our apps use TLS, but
  the VPN protects internal traffic and DNS.
- What do I do if a customer sends me a password by email? Do not use it; ask Support to tell the
  customer to rotate it, and delete the message.
- Can I plug my phone into my laptop to charge it? Yes, for charging only; do not transfer files
  between your phone and your work laptop.
- How often do I have to do security training? Every new hire completes it in the first 14 days,
  and everyone repeats a shorter refresher every year.

## Workplace

# Workplace FAQ
= Workplace FAQ ^1
- Can I book a desk for a visitor from another office? Yes, book it in Robin on their behalf and
  add their name; their badge works in every office once the booking exists.
- Is there a quiet area for focused work? Most offices have a quiet zone or quiet floor where calls
  are not allowed; look for the signs or check the floor plan in Robin.
- Can I leave things on my desk overnight? Desks are shared, so clear your desk at the end of the
  day; personal lockers are available on request from Workplace.
- Who do I tell about a broken chair or desk? Post in #workplace or submit the Facilities form with
  the desk number; broken chairs are usually replaced within two business days.
- Can I host a meetup in the office? Yes, community events are welcome after hours; submit the
  Facilities request at least three weeks ahead so security and cleaning can be arranged.
- What should I do if the fire alarm goes off? Leave by the nearest stairwell, do not use the
  lifts, and gather at the assembly point shown on the evacuation plan near reception.
- Can family members visit the office? Yes, register them in Envoy like any visitor; children must
  be accompanied at all times and cannot stay in restricted areas.
- How do I get a parking spot for a client visit? Ask reception at least a day ahead; where the
  building has visitor parking, reception can reserve a space.

## Support Operations

# Support FAQ
= Support FAQ ^1
- Can I give a customer my direct email address? No, keep all communication in the ticket so the
  history stays in one place and colleagues can help when you are away.
- What if a customer asks for a call? Calls are fine for P1 and P2 tickets and Enterprise
  customers; summarize what was agreed in the ticket afterwards.
- Can I look at a customer's data to troubleshoot? Only with just-in-time access tied to the
  ticket, and only what is needed; the access is logged and reviewed.
- How do I handle a customer who threatens legal action? Stop replying, tag the ticket legal, and
  notify the support lead on shift, who will involve Legal.
- Can I promise a feature to a customer? No, log the request in Productboard and tell the customer
  it has been shared with the product team.
- What if a ticket is in a language I do not speak? Use the translation app in Zendesk for the
  first reply, and reassign it to a native speaker if the conversation gets detailed.
- Can Support change a customer's plan? Support can downgrade or cancel on request from a workspace
  owner; upgrades and contract changes go to the account team.
- How do I know if an issue is already an incident? Check the status page and #incidents; if there
  is an open incident, link the ticket to its problem ticket.

## HR & People

# Manager FAQ
= Manager FAQ ^1
- How do I approve time off for my team? Approve it in Workday from the task in your inbox; if you
  need to decline, talk to the person first and explain the coverage problem.
- What do I do when someone on my team is sick for a long time? After five consecutive working
  days, contact your People Partner, who explains short-term disability and keeps the details
  confidential.
- How do I request a new headcount? Submit a headcount request in Workday with the role, level and
  business case; it is reviewed in the monthly headcount meeting.
- Can I change a team member's title? Title changes follow the career ladder and are made during
  the review cycle, except when someone moves to a different role.
- How do I handle a performance concern? Raise it early in your 1:1, write down the expectations
  and examples, and involve your People Partner before any formal step.
- Who sets salary ranges for new roles? People Operations sets ranges by level and location;
  recruiters share them with you when the role is opened.
- How much budget does my team have for events? Each team gets 50 dollars per person per quarter
  for team events, tracked by Finance under your cost center.
- How do I get someone access to the systems they need? Add them to the right Okta groups through
  the Access Portal; the approvals are routed to the app owners automatically.
"""

EXTRA_REFERENCE = r"""
## HR & People

# Country pages
bind: country
- Country pages summarize how company policies apply locally; the employment contract and the local
  employee handbook are the authoritative versions.
= Working at Northwind in {country} *all ~6
- Employees in {country} are employed by {country.entity}.
- Time off: {country.pto}
- Public holidays: {country.holidays}
- Sick leave: {country.sick}
- Parental leave: {country.parental}
- Retirement: {country.pension}
- Health cover: {country.health}
- Payroll: {country.payroll}
- Notice and probation: {country.notice}
- {country.extra}

@ country the United States
entity: Northwind Cloud, Inc., a Delaware corporation headquartered in Portland
pto: flexible PTO with an expected minimum of 15 days a year, plus two Recharge Days.
holidays: 11 company holidays, including the day after Thanksgiving and Juneteenth.
sick: no fixed cap, and no doctor's note is needed for up to five consecutive working days.
parental: 16 weeks fully paid for all parents, plus 6 weeks of medical leave for birthing parents,
  running alongside FMLA where it applies.
pension: a 401(k) through Fidelity with a 4 percent match that vests immediately.
health: a choice of three Aetna medical plans, with Northwind paying 95 percent of the employee
  premium.
payroll: twice a month, on the 15th and the last business day, through Workday Payroll.
notice: employment is at will; we ask for two weeks' notice, and there is no probation period.
extra: Employees in California, Washington and New York get additional state-mandated paid sick
  leave and family leave on top of company policy.
@ country Canada
entity: Northwind Cloud Canada Ltd., based in the Toronto office
pto: 20 days of vacation a year, accruing monthly, rising to 25 days after five years.
holidays: the statutory holidays of your province plus the civic holiday in August.
sick: 10 paid sick days a year, in addition to any provincial entitlement.
parental: the federal EI benefit topped up to full salary for 16 weeks, with the option to extend
  unpaid leave under provincial rules.
pension: an RRSP with a 4 percent employer match through Sun Life.
health: extended health and dental through Sun Life, fully paid for employees and their families.
payroll: monthly, on the 25th, in Canadian dollars.
notice: notice follows the Employment Standards Act of your province, with a three-month probation
  period.
extra: Employees outside Ontario are supported, but provincial rules differ, so check the Canada
  appendix for your province.
@ country Ireland
entity: Northwind Cloud Ireland Limited, our European headquarters in Dublin
pto: 23 days of annual leave a year, rising by one day for every two years of service to a maximum
  of 27.
holidays: the 10 Irish public holidays, including St Brigid's Day.
sick: full pay for up to 20 days a year, well above the statutory sick pay scheme.
parental: state maternity, paternity and parent's benefit topped up to full salary, for 16 weeks in
  total.
pension: a defined contribution pension with a 5 percent employer contribution when you contribute
  at least 3 percent.
health: private health insurance through Laya Healthcare for employees and their families.
payroll: monthly, on the 25th, in euros.
notice: one month's notice after probation, which lasts six months.
extra: The Bike to Work scheme and the tax-saver commuter ticket are both available through
  payroll.
@ country the United Kingdom
entity: Northwind Cloud UK Ltd., with employees working remotely or from coworking spaces
pto: 25 days of holiday a year plus bank holidays.
holidays: the bank holidays of England and Wales, or of Scotland or Northern Ireland for employees
  based there.
sick: full pay for up to 20 days a year, after which statutory sick pay applies.
parental: statutory maternity, paternity or shared parental pay topped up to full salary for 16
  weeks.
pension: a workplace pension with a 5 percent employer contribution through salary sacrifice.
health: private medical insurance through Vitality, including dental and optical cover.
payroll: monthly, on the 25th, in pounds sterling.
notice: one month's notice after a three-month probation period.
extra: Coworking memberships are covered up to 250 pounds per month, since there is no UK office.
@ country Singapore
entity: Northwind Cloud Singapore Pte. Ltd., based in the Robinson Road office
pto: 18 days of annual leave a year, rising to 21 days after three years.
holidays: the 11 gazetted public holidays of Singapore.
sick: 14 days of outpatient sick leave and 60 days of hospitalization leave a year, in line with
  the Employment Act.
parental: 16 weeks of paid parental leave for all parents, including the government-paid portion,
  which Northwind administers.
pension: CPF contributions at the statutory rates, with no additional private pension.
health: group medical, dental and hospitalization insurance through AIA, including coverage for
  dependants.
payroll: monthly, on the 25th, in Singapore dollars.
notice: one month's notice after a three-month probation period.
extra: The Singapore team's core hours shift later to overlap with Europe, usually from 11:00 to
  16:00 local time.

## Product Docs

# Plan details
bind: tier
- Plan prices are listed per month when billed monthly; annual billing is 15 percent cheaper.
= Plan details: {tier} *all ~4
- Price: {tier.price}.
- It includes {tier.credits}.
- Overage: {tier.overage}
- Pipelines can run as often as {tier.interval}.
- Connectors: {tier.connectors}
- Support: {tier.support}
- {tier.sla}
- Extra features on {tier}: {tier.features}
- The {tier} plan is [a good fit|best suited] for {tier.fit}.

@ tier Starter
price: 99 dollars per month
credits: 5 sync credits per month and up to 3 pipelines
overage: 25 dollars per additional credit, capped at 10 extra credits per month.
interval: once an hour
connectors: every connector marked as available on all plans, which covers the most common SaaS
  sources and warehouses.
support: email support with a 2 business day response target.
sla: There is no uptime SLA on Starter.
features: the full API, webhooks and CSV exports.
fit: small teams syncing a handful of sources into one warehouse
@ tier Team
price: 499 dollars per month
credits: 50 sync credits per month and unlimited pipelines
overage: 20 dollars per additional credit, with no cap unless you set a spending cap.
interval: every 15 minutes
connectors: everything on Starter plus the Team connectors, such as Google Analytics 4, Jira and
  the advertising sources.
support: email and chat support, with responses within 1 business day for most requests.
sla: There is no contractual SLA on Team, but incidents are handled exactly as for other plans.
features: usage alerts, scheduled exports and folders with permissions.
fit: data teams that run dozens of pipelines and want faster schedules
@ tier Business
price: 1,999 dollars per month
credits: 250 sync credits per month and unlimited pipelines
overage: 15 dollars per additional credit.
interval: every 5 minutes
connectors: every connector, including NetSuite, Marketo, SQL Server and Databricks.
support: priority support with a 1-hour first response for P1 issues and a named support contact.
sla: Business includes a 99.9 percent monthly uptime SLA with service credits.
features: SAML single sign-on, SCIM provisioning, IP allowlists for API keys and column-level
  selection.
fit: companies where data pipelines feed customer-facing products or finance reporting
@ tier Enterprise
price: set in a custom annual contract, usually starting at 50,000 dollars a year
credits: a contracted amount of sync credits, optionally as a yearly credit pool
overage: a contracted rate, usually lower than Business.
interval: every 5 minutes, or continuously for database sources using change data capture
connectors: every connector, plus custom connectors built with the connector SDK under a services
  agreement.
support: a dedicated support engineer, a shared Slack channel and a 1-hour first response for P1
  issues around the clock.
sla: Enterprise includes a 99.95 percent monthly uptime SLA with service credits.
features: audit logs, audit log streaming, data residency options and single-tenant deployments on
  request.
fit: large organizations with security, compliance and residency requirements

## Company

# Slack channel guide
bind: chan
= Slack channel guide: {chan} *all ~1
- {chan.about}

@ chan #announcements
about: The #announcements channel carries company-wide news from leadership and People Operations.
  Only admins can post, so replies and questions go in #general or the thread linked in each post.
@ chan #general
about: The #general channel is for company-wide conversation that does not fit anywhere else.
  Everyone is a member, so keep posts relevant to most of the company and use threads for replies.
@ chan #it-help
about: The #it-help channel is the quickest way to ask the Service Desk a question. For anything
  that needs tracking, such as hardware or access, the team will ask you to open a ticket.
@ chan #incidents
about: The #incidents channel lists every declared incident with a link to its own channel. It is
  read-only except for the incident bot, so discussion happens in the incident channel itself.
@ chan #deploys
about: The #deploys channel shows every production deploy with its author, change list and canary
  result. Rollbacks and pipeline pauses are announced here too, so check it before you deploy.
@ chan #eng-oncall
about: The #eng-oncall channel is where on-call engineers post handoff notes and ask each other for
  help. Use it for coordination; pages themselves go through PagerDuty.
@ chan #security
about: The #security channel is the place to report suspicious emails, lost devices and anything
  else that looks wrong. Security watches it during business hours and pages its on-call for urgent
  reports.
@ chan #people-questions
about: The #people-questions channel answers general questions about policies, benefits and People
  processes. Personal or sensitive questions should go to your People Partner directly.
@ chan #platform
about: The #platform channel is for questions about deploys, Kubernetes, ArgoCD and the ship CLI.
  The Platform team answers during business hours and runs office hours every Thursday.
@ chan #support-escalations
about: The #support-escalations channel receives every P1 and P2 escalation from Support through a
  Zendesk macro. Engineers reply in the thread so Support can see progress.
@ chan #flag-changes
about: The #flag-changes channel mirrors every change to a production feature flag in LaunchDarkly,
  with the person who made it and the reason. It is read-only and useful during incidents.
@ chan #workplace
about: The #workplace channel covers everything about our offices, from broken chairs to Wi-Fi dead
  spots and event space requests. Mention the office in your message, since one team serves all
  five.
@ chan #finance-help
about: The #finance-help channel is for questions about expenses, corporate cards, purchase
  requests and vendor payments. Include the Expensify report or Zip request link so Finance can
  find it quickly.
@ chan #new-hires
about: The #new-hires channel is for people in their first three months to ask anything, however
  small. People Operations and the onboarding buddies keep an eye on it.
@ chan #wins
about: The #wins channel is where teams share customer wins, launches and milestones. Posts here
  are collected for the monthly all-hands.
@ chan #eng-rfcs
about: The #eng-rfcs channel announces every new RFC with a link and the date comments close.
  Discussion happens in the RFC document so the decision and its reasons stay together.
@ chan #voice-of-customer
about: The #voice-of-customer channel shares customer feedback from Support, Sales and Customer
  Success. Product managers read it daily and tag related items in Productboard.
@ chan #random
about: The #random channel is for everything that is not work: pets, photos, recommendations and
  jokes. Keep it friendly and remember that everyone at Northwind can read it.
@ chan #volunteering
about: The #volunteering channel shares local volunteering opportunities organized by colleagues in
  every office. Remember that everyone gets two paid volunteering days a year.
@ chan #dev-productivity
about: The #dev-productivity channel is where Developer Experience answers questions about CI,
  local development and the monorepo tooling. Post links to failing or slow runs so the team can
  look at them.
@ chan #db-ops
about: The #db-ops channel announces database maintenance, switchovers and migrations that need
  coordination. The Data Infrastructure team posts planned work here at least a day ahead.
@ chan #legal-questions
about: The #legal-questions channel is for quick legal questions, such as whether an NDA is needed.
  Contracts and anything confidential go through the Legal intake form in Zip instead.
@ chan #support-ops
about: The #support-ops channel covers Zendesk, macros, routing and support metrics. Support agents
  use it to report tooling problems and request changes to ticket fields.
@ chan #observability
about: The #observability channel answers questions about Datadog dashboards, monitors, logging and
  tracing. Ask here before adding custom metrics with new tags, since they affect our Datadog bill.

## IT Support

# IT how-to guides
bind: ithow
= How to {ithow} *all ~1
- {ithow.steps}

@ ithow set up email on your phone
steps: Install the Gmail app, add your work account, and sign in through Okta when prompted.
  Approve the Okta Verify push, allow the device management prompt on Android, and your mail,
  calendar and contacts sync within a few minutes.
@ ithow share your screen in a Zoom Room
steps: Open share.zoom.us in your browser, type the sharing key shown on the room display, and
  choose the window to share. To stop, click Stop Share in the Zoom bar, or tap Stop Sharing on the
  room controller.
@ ithow request access to an app
steps: Open the Access Portal at access.northwind.internal, search for the app, and click Request.
  Add a one-line reason and pick the role you need; the request goes to the app owner, and you get
  a Slack message when it is approved.
@ ithow replace a lost YubiKey
steps: Report the loss in #security straight away so the key is deactivated. Then open a Hardware
  Request ticket for a replacement, register the new key under Settings > Security Methods in Okta
  when it arrives, and remove the old entry.
@ ithow set up a new Mac yourself
steps: Turn the Mac on, join Wi-Fi, and sign in with your Okta credentials when the Northwind
  enrollment screen appears. Keep it plugged in while the baseline apps install, then restart once
  Self Service shows the setup as complete.
@ ithow renew your Wi-Fi certificate
steps: Open Self Service, search for Renew Wi-Fi Certificate, and click Run. Wait for the
  notification that the certificate was installed, then turn Wi-Fi off and on again and reconnect
  to the Northwind network.
@ ithow move files to a new laptop
steps: Make sure everything important is in Google Drive, then sign in to Drive on the new laptop
  and let it sync. For local files outside Drive, use Migration Assistant over Wi-Fi, and skip the
  system settings so the new laptop keeps its managed configuration.
@ ithow create a shared vault in 1Password
steps: Open a ticket with the vault name, the owners and the people who need access. IT creates the
  vault and makes the owners vault admins, who can then add and remove members themselves.
@ ithow report a phishing email
steps: Open the message in Gmail and click the Report Phish button in the toolbar, then confirm.
  The message is sent to Security with its headers and moved out of your inbox; do not forward it
  by hand.
@ ithow set up a YubiKey for the first time
steps: Sign in at northwind.okta.com, open Settings > Security Methods, and choose Security Key or
  Biometric Authenticator. Insert the key, touch it when your browser asks, and repeat for the
  spare key so both are registered.
@ ithow fix a Mac that keeps asking for your old password
steps: Open Keychain Access only if the prompt says the keychain password is out of date, and
  choose Update Keychain Password. Enter your previous Okta password, and if you do not remember
  it, ask the Service Desk to reset the login keychain for you.
@ ithow book a meeting room
steps: Create the event in Google Calendar, open the Rooms tab, and pick a room in your office with
  enough capacity. The room accepts or declines automatically, and rooms with Zoom Room hardware
  show a camera icon.
@ ithow set an out-of-office reply
steps: In Gmail, open Settings > See all settings > General, turn on the Vacation responder, and
  set the dates and message. Also block the time in Google Calendar as Out of office so meetings
  are declined automatically.
@ ithow update macOS
steps: Save your work, open System Settings > General > Software Update, and click Update Now. Keep
  the laptop plugged in during the update, which usually takes 20 to 40 minutes including the
  restart.

## Product Docs

# Product how-to guides
bind: prodhow
= How to {prodhow} *all ~1
- {prodhow.steps}

@ prodhow set up a scheduled export
steps: Go to Settings > Data > Export, choose the dataset and the format, and select Schedule. Pick
  daily or weekly, the time in UTC, and whether the export should be incremental, then add a cloud
  storage destination or leave it as a download link.
@ prodhow rotate an API key without downtime
steps: Create a new key with the same scopes under Settings > Developers > API keys and store it in
  your secrets manager. Deploy the new key to every service that uses the old one, check the old
  key's last-used time stops changing, and then revoke it.
@ prodhow verify a webhook signature
steps: Read the Northwind-Signature header and split it into the timestamp and the signature.
  Compute an HMAC-SHA256 of the timestamp, a period and the raw request body with your signing
  secret, compare it to the signature in constant time, and reject timestamps older than 5 minutes.
@ prodhow connect a PostgreSQL database through an SSH tunnel
steps: Create a tunnel user on your bastion host and add the public key shown in Add source >
  PostgreSQL > SSH tunnel to its authorized keys. Enter the bastion host and port, then the
  database host as seen from the bastion, and run the connection test.
@ prodhow invite a teammate to a workspace
steps: Go to Settings > Members, click Invite, enter the email address and choose the Admin,
  Developer or Viewer role. The invitation expires after 7 days; if your workspace enforces SSO,
  the email domain must be verified first.
@ prodhow set a spending cap
steps: Go to Settings > Billing > Usage alerts and turn on Spending cap. Enter the maximum overage
  for the month and choose which pipelines are critical, since critical pipelines keep running when
  the cap is reached.
@ prodhow replay missed webhook deliveries
steps: Open Settings > Developers > Webhooks and select the endpoint. Filter the delivery log by
  failed status and time range, select the deliveries you want, and click Replay; each replay gets
  a new delivery ID but keeps the event ID.
@ prodhow enforce SSO for a workspace
steps: Set up SAML under Settings > Security > Single sign-on and test it with one user first. Then
  turn on Require SSO, choose the break-glass owner account that keeps password sign-in, and tell
  members to sign in again.
@ prodhow find which pipelines use the most credits
steps: Open Settings > Billing > Usage and group the graph by pipeline, or call GET
  /v2/billing/usage with group_by=pipeline. Historical re-syncs and pipelines with frequent
  schedules on large tables are the usual top spenders.
@ prodhow set up SCIM provisioning
steps: Generate a SCIM token under Settings > Security > SCIM and paste it with the SCIM base URL
  into your identity provider. Create groups for Admins, Developers and Viewers, map them on the
  SCIM settings page, and assign users to the groups.
@ prodhow move a workspace to the EU region
steps: Contact support with the workspace ID and a preferred maintenance window. Support schedules
  the migration, the workspace is read-only for up to an hour while data is copied, and API clients
  need to switch to api.eu.northwind.cloud afterwards.

## Engineering

# Engineering how-to guides
bind: enghow
= How to {enghow} *all ~1
- {enghow.steps}

@ enghow get temporary write access to a production cluster
steps: Open the Access Portal, request the prod-k8s-write role for the cluster, give a reason and
  pick a duration of up to 4 hours. Once a second engineer approves, run nw-kube login again to
  pick up the new role.
@ enghow add a new alert
steps: Add the monitor to your team's file in the observability repository, using the existing
  monitors as a template and linking the runbook in the description. Open a pull request; once
  merged, the monitor is created by the nightly sync or immediately with the deploy workflow.
@ enghow create a new service
steps: Run ship new with the service name and language, which creates the repository folder,
  Dockerfile, CI workflow, dashboards and default alerts. Register the service in the catalog with
  its owner team before the first deploy to staging.
@ enghow pause a deploy pipeline
steps: Run ship pause with the service name and a reason; the reason is shown in #deploys. Merges
  keep building images, but nothing is deployed until someone runs ship unpause.
@ enghow run a database migration
steps: Add the migration file in the service's migrations folder, run it against a recent snapshot
  with the dry-run flag, and get a review from the database guild. After merging, run ship migrate
  for the service before deploying code that needs the new schema.
@ enghow read a secret from Vault
steps: Run vault login with the oidc method, which opens Okta in your browser, then vault kv get
  with the path of the secret. If you get permission denied, your team's Okta group does not have a
  policy for that path yet; ask in #platform.
@ enghow swap an on-call shift
steps: Agree the swap with a teammate, then open the schedule in PagerDuty, choose Schedule an
  Override, and select the teammate and the time range. Post the swap in your team channel so the
  rest of the team knows who is on call.
@ enghow roll back a service
steps: Run ship rollback with the service name and the production environment; it returns to the
  previous healthy version and skips the canary. Then pause the pipeline with ship pause so the
  next merge does not redeploy the bad change, and post in #deploys.
@ enghow find who owns a service
steps: Search for the service in the service catalog at catalog.northwind.internal; the entry shows
  the owning team, the PagerDuty rotation, the Slack channel and links to the dashboards and
  runbooks.
@ enghow write a postmortem
steps: Copy the postmortem template in Confluence under Engineering > Postmortems, import the draft
  timeline from the incident bot, and fill in the trigger, contributing factors and action items.
  Share it in the incident channel for comments before the Thursday reliability review.
@ enghow declare an incident
steps: Type /incident declare in any Slack channel, give a short title and pick the severity. The
  bot creates the incident channel, starts a Zoom bridge and pages the incident commander on duty;
  post what you know so far in the new channel.

# Known issues
= Known issues: internal tools ^1
- GlobalProtect can fail to reconnect after a Mac wakes from sleep on some hotel networks; quitting
  the client from the menu bar and reopening it fixes it until IT ships the next client update.
- Zoom Rooms in the Dublin office sometimes show the previous meeting's name on the room display;
  the meeting itself works, and the display catches up after a minute.
- The Okta dashboard can show duplicate tiles for Jira after an access review; the duplicate
  disappears within a day, and either tile works in the meantime.
- Docker Desktop can use a lot of memory after a macOS update until its virtual machine is
  restarted; choose Restart from the Docker menu to get the memory back.
- Expensify sometimes imports Ramp transactions twice when a card is frozen and unfrozen in the
  same week; delete the duplicate and Finance will not be charged twice.
- The ship CLI prints a deprecation warning about an old configuration key on some laptops; run
  ship doctor to migrate the configuration and the warning goes away.
## HR & People

# Benefits FAQ
= Benefits FAQ ^1
- When does my health coverage start? Coverage starts on your first day of employment, as long as
  you enroll within 30 days; enrollment is backdated to your start date.
- Can I add my partner to my health plan? Yes, spouses and domestic partners can be added during
  enrollment or within 30 days of a qualifying life event, with supporting documents.
- Does the 401(k) match vest right away? Yes, the 4 percent company match vests immediately, so it
  is yours even if you leave the next day.
- Can I use the wellness stipend for a bike? The stipend covers recurring wellness costs such as
  gyms and classes; bikes are covered by the commuter benefit in offices that have one instead.
- How do I find a therapist covered by our plan? Use the Employee Assistance Program for six free
  sessions, or search the insurer's directory from the Benefits hub for in-network providers.
- What happens to my benefits if I go part-time? Employees working at least 30 hours a week keep
  full benefits; below that, People Operations explains your options before the change.
- Is there a benefit for fertility treatment? Yes, Carrot covers fertility, adoption and surrogacy
  costs up to 15,000 dollars over a lifetime, for employees and their partners.
- Can I change my HSA contribution during the year? Yes, HSA contributions can be changed at any
  time in Workday, unlike the medical plan choice itself.
- Do contractors get benefits? No, contractors are not eligible for Northwind benefits; their
  agency or their own business provides them.
- Where do I find the plan documents? All summaries of benefits and full plan documents are in the
  Benefits hub in Workday, under Benefits > Plan Documents.

# Travel FAQ
= Travel FAQ ^1
- Can I book a flight outside Navan if it is cheaper? Only with Finance approval in advance;
  bookings outside Navan miss our duty-of-care tracking and negotiated changes.
- Can I bring my partner on a business trip? Yes, as long as their costs are paid personally; book
  your own travel in Navan and theirs separately.
- How far in advance should I book? At least 14 days for domestic flights and 21 days for
  international ones; late bookings need a short reason in Navan.
- Can I stay with friends instead of a hotel? Yes, and you can expense a thank-you gift of up to 50
  dollars per night in place of the hotel cost.
- What if I get sick while travelling? Call the travel insurance assistance line listed in the
  Benefits hub; it works worldwide and can arrange doctors and hospitals.
- Are loyalty points mine to keep? Yes, airline and hotel points earned on business travel are
  yours, as long as they do not drive more expensive choices.
- Can I rent a car? Yes, when it is cheaper than taxis or the destination needs one; choose an
  economy or compact car, and decline extra insurance since it is covered.
- Do I need approval for a conference trip? Yes, from your manager in Navan; international
  conference trips also need Security approval at least 14 days ahead.

# Onboarding FAQ
= Onboarding FAQ ^1
- What should I do before my first day? Complete your details in Workday, activate Okta from the
  welcome email, and make sure your laptop has arrived; nothing else is expected.
- When will I meet my team? On your first day, after the welcome session; your manager schedules
  lunch with the team and intro meetings for your first week.
- How long until I am expected to be productive? There is no fixed timeline; your 30/60/90 day plan
  sets realistic goals, and most people ship their first real piece of work within the first month.
- Who do I ask when I do not know who to ask? Your onboarding buddy is the best first stop,
  followed by #new-hires, where someone will point you in the right direction.
- When do I get access to production systems? Engineers request production access after completing
  the security training and their first on-call shadow shift, usually in the second month.
- Is there a new hire orientation for managers? Yes, new managers join the Manager Essentials
  program in their first quarter, with sessions on reviews, hiring and People policies.
- Can I start on a day other than Monday? Start dates are usually Mondays so the welcome session
  fits, but Tuesday starts are arranged around public holidays.
- What training do I need to complete? Security awareness, the code of conduct and data privacy,
  assigned in Workday and due within 14 days of your start date.

## Product Docs

# Webhooks FAQ
= Webhooks FAQ ^1
- Can I send webhooks to an HTTP endpoint? No, endpoints must use HTTPS with a valid certificate;
  self-signed certificates are rejected.
- How many webhook endpoints can a workspace have? Up to 20 endpoints per workspace, each
  subscribed to its own list of event types.
- Do webhooks arrive in order? Not always; deliveries can arrive out of order and occasionally more
  than once, so use the event ID to deduplicate and the created time to order events.
- What counts as a failed delivery? Any response that is not 2xx within 10 seconds, including
  timeouts, redirects and TLS errors, counts as a failure and is retried.
- Can I test webhooks locally? Use a tunnelling tool to expose your local server over HTTPS, then
  add the tunnel URL as an endpoint in test mode and click Send test event.
- Are webhook payloads signed with the same secret for all endpoints? No, every endpoint has its
  own signing secret, shown once when you create the endpoint or roll the secret.
- Why was my endpoint disabled? It failed every delivery for 5 days; fix the endpoint, re-enable it
  in the console and replay the deliveries you missed.
- Do test-mode events go to live endpoints? No, test-mode events are only delivered to endpoints
  created in test mode, and live events only to live endpoints.

# Data export FAQ
= Data export FAQ ^1
- How long does an export take? Most exports under 1 GB finish within 15 minutes; very large
  datasets can take a few hours and are split into 1 GB files.
- Can I export only some columns? Yes, choose the columns when you create the export in the
  console, or pass a columns list to POST /v2/exports.
- Why did my export to S3 fail with E6002? Usually the IAM role's trust policy does not include
  Northwind's account or the external ID; compare it with the policy shown in the console.
- Do exports include deleted rows? No, exports contain current rows only; deleted rows are excluded
  unless the dataset keeps them with a deleted flag.
- Can I export data from a paused pipeline? Yes, exports read the dataset as it is, whether or not
  its pipeline is running.
- Are exports encrypted? Exports are encrypted at rest, download links use HTTPS, and deliveries to
  cloud storage use the encryption settings of your bucket.
- Is there a limit on how often I can export? A workspace can run 5 exports at the same time, and
  scheduled exports can run at most once a day per dataset.

# Connectors FAQ
= Connectors FAQ ^1
- Can I request a new connector? Yes, vote for it or suggest it from the Connectors page in the
  console; the Integrations team reviews requests every quarter.
- Can one source feed several destinations? Yes, create one pipeline per destination from the same
  source connection; each pipeline keeps its own sync state.
- Do connectors see data I did not select? No, connectors read only the tables and objects selected
  in the pipeline, although the connection test may list all of them.
- What happens to my data if I delete a pipeline? Data already written to your destination stays
  there; only the pipeline, its schedule and its sync state are removed.
- Can I change the destination schema name later? Yes, but the next run writes into the new schema
  from scratch, so it starts with a full sync of every table.
- Why does my first sync take so long? The first run reads every row in the source; later runs are
  incremental and usually finish in minutes.
- Do you store my source credentials? Credentials are encrypted and stored in Vault, used only by
  the connector during runs, and never shown again in the console or API.
- Can I sync from a database that is not reachable from the internet? Yes, use an SSH tunnel
  through a bastion host you control, or ask about private connectivity on Enterprise plans.

## IT Support

# Laptop FAQ
= Laptop FAQ ^1
- Can I choose a Windows laptop instead of a Mac? Yes, if your role's tools work on Windows;
  mention it to your recruiter before your start date so IT can ship the right model.
- Can I get more memory than the standard? Request it through the Hardware Exception form with a
  reason; data and machine learning roles are usually approved.
- What do I do if my laptop will not turn on? Plug it into power for 15 minutes and try again; if
  it still does not start, bring it to the IT bar or open an urgent Hardware Repair ticket.
- Can I put stickers on my laptop? Yes, on the lid, as long as they do not cover the asset tag or
  the serial number on the bottom case.
- Can I take my laptop abroad on vacation? Yes, for most countries; for some destinations, Security
  asks you to leave it at home, so check the travel page first.
- How do I check the warranty on my laptop? IT tracks warranties for every device; open a ticket
  and the Service Desk will check coverage with the asset tag.
- Can I install Linux on my Mac? No, managed Macs must run macOS; engineers who need Linux can
  request a Linux workstation or use containers and cloud development environments.

## Finance

# Finance FAQ
= Finance FAQ ^1
- How do I know which cost center to use? Your cost center is shown in Workday on your profile; for
  team purchases, use the budget owner's cost center noted in the Zip request.
- Can I pay a vendor with my corporate card? Yes, for purchases under 5,000 dollars that are not
  software; software always goes through Zip, whatever the amount.
- When is the deadline for month-end expenses? Submit expenses by the third business day of the
  month so they are included in the previous month's books.
- How do I get a vendor set up for payment? Send them the Zip vendor portal link so they can submit
  tax and banking details; Finance never takes bank details by email.
- Can Finance pay an invoice urgently? Yes, for genuine emergencies such as a service about to be
  cut off; ask in #finance-help with the invoice and the deadline.
- Who can approve a purchase over my budget? Your VP, through the Zip request; anything over
  100,000 dollars also needs the CFO's approval.
- How do I cancel a subscription we no longer use? Cancel it with the vendor, then tell Finance in
  #finance-help so the virtual card or purchase order can be closed.
- Why was my corporate card declined? Usually the monthly limit was reached or the merchant
  category is blocked; Finance can check and adjust it within minutes during business hours.

## Security

# Access FAQ
= Access FAQ ^1
- Why did I lose access to an app? Access is removed when an access review is not certified in time
  or when you change teams; request it again in the Access Portal if you still need it.
- How long does production access last? Production roles expire after 90 days and temporary write
  access to clusters after at most 4 hours; both can be requested again with a reason.
- Can I approve my own access request? No, the Access Portal always routes requests to someone
  else, even for app administrators.
- Can I share my access with a teammate while I am on vacation? No, never share accounts; ask your
  manager to approve temporary access for the teammate instead.
- Who reviews access for contractors? The contractor's Northwind manager certifies their access
  every quarter, and contractor accounts expire on the contract end date.
- How do I get access to customer data for a ticket? Request just-in-time access from the ticket in
  the admin console; it is limited to that workspace and expires after 8 hours.

## Engineering

# On-call FAQ
= On-call FAQ ^1
- What if I miss a page? PagerDuty escalates to the secondary after 5 minutes, so the page is not
  lost; tell the team in #eng-oncall and check your notification settings.
- Do I have to stay home while on call? No, but you need your laptop and a connection within 15
  minutes; swap the shift if you will be somewhere without signal.
- Can I be on call during my first month? No, new engineers shadow two rotations first, usually in
  their second and third months.
- How are on-call shifts assigned? Each team builds its own schedule in PagerDuty, usually a weekly
  rotation; holiday shifts are filled by volunteers first.
- What if an incident runs past the end of my shift? Hand over to the next primary with a written
  summary in the incident channel, unless you are the best person to finish it.
- Who pays for my phone data while on call? Reasonable extra data costs while on call can be
  expensed under Phone in Expensify.
"""

BANKS = (
    COMPANY,
    IT_SUPPORT,
    HR_PEOPLE,
    ENGINEERING,
    OPERATIONS_REFERENCE,
    PRODUCT,
    REFERENCE,
    SECURITY,
    OPERATIONS,
    FINANCE,
    WORKPLACE,
    LEGAL,
    MISC_REFERENCE,
    EXTRA_REFERENCE,
)

if __name__ == "__main__":
    main()
