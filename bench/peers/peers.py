#!/usr/bin/env python3
"""Praxis side by side with its peers on the same generated corpus and the same query mix.

    bench/peers/run [--docs 100000] [--runs 600] [--repeat 3]

(`bench/peers/run` makes the Python environment — Debian's python3-xapian, and tantivy-py and
PyYAML from PyPI at the versions in requirements.txt — then runs this file.)

What it does, in one run:
1. Generates the corpus with `praxis gen-corpus` (kept under target/peers/ and reused).
2. Loads it into each engine the way a competent user would, timing the load: Praxis with
   `praxis ingest` (reading and validating the Markdown files is inside its time; the peers get
   the files already parsed), SQLite FTS5 (a BM25 table plus a facet table with indexes), Xapian
   (a stemmed text index, boolean facet terms, facet values in slots) and tantivy-py (text
   fields plus fast string fields for facets). Reports docs/s and the size on disk.
3. Checks on a sample that the engines agree where their semantics agree: with no text, the
   total and every facet count of the filtered requests must be identical in every engine.
   With text they cannot be (Praxis has typo tolerance, synonyms, a cross-language glossary
   and language-specific stemmers; the peers stem everything as English and match any word),
   so for text queries only the overlap of the top 20 is reported.
4. Runs the same faceted query mix as `cargo run --release --example latency` (a query, a
   region and a theme, top 20 with snippets, counts for all nine facet groups, disjunctive:
   a group's counts ignore that group's own selection), interleaved: each request goes to
   every engine in turn, in a rotating order. Praxis is measured over HTTP (keep-alive,
   loopback) and server-side (its `took_ms`); the peers in this process, without HTTP — which
   favours them.
5. Exports every document's metadata as CSV from each engine, timing rows/s.
It prints the table BENCHMARKS.md keeps; `--json FILE` also writes the numbers.
"""

import argparse
import csv
import http.client
import io
import json
import os
import re
import shutil
import sqlite3
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]

# The query words of bench/fixture.rs (QUERIES), in the same order: the mix must be the same.
QUERIES = [
    "genocide", "prevention", "violence", "justice", "commission", "tribunal", "elections",
    "police", "reparations", "victims", "hate speech", "early warning", "truth commission",
    "war crimes", "international court", "human rights", "national law", "ethnic violence",
    "reconciliation process", '"crimes against humanity"', "R2P", "genocde", "reconcilation",
    "génocide", "prévention", "justicia", "víctimas", "verdad", "loi", "memoria histórica",
]

GROUPS = ["type", "region", "country", "theme", "mechanism_type", "instrument", "language",
          "decade", "shareable"]
MULTI_VALUED = {"region", "country", "theme", "mechanism_type", "instrument"}


def faceted_mix(count, regions, themes):
    """The requests of bench/fixture.rs `faceted_mix`: the same linear congruential generator,
    drawing a query, a region and a theme in that order."""
    state = 0x9E3779B97F4A7C15
    mask = (1 << 64) - 1

    def draw(n):
        nonlocal state
        state = (state * 6364136223846793005 + 1442695040888963407) & mask
        return (state >> 33) % n

    mix = []
    for _ in range(count):
        q = QUERIES[draw(len(QUERIES))]
        region = regions[draw(len(regions))]
        theme = themes[draw(len(themes))]
        mix.append({"q": q, "filters": {"region": [region], "theme": [theme]}})
    return mix


# ---------------------------------------------------------------------------------------------
# The corpus, as every engine sees it


class Geography:
    """Regions of each country and the parents of each region, from corpus/reference."""

    def __init__(self):
        regions = yaml.safe_load((ROOT / "corpus/reference/regions.yaml").read_text())
        self.order = [r["slug"] for r in regions]
        self.parent = {r["slug"]: r.get("parent") for r in regions}
        self.country = {}
        with open(ROOT / "corpus/reference/countries.csv", newline="") as f:
            for row in csv.DictReader(f):
                slugs = [row["region"], row["subregion"], row["intermediate_region"]]
                self.country[row["iso3"]] = [s for s in slugs if s]
                self.country[row["iso2"]] = self.country[row["iso3"]]
        self.iso3 = {}
        with open(ROOT / "corpus/reference/countries.csv", newline="") as f:
            for row in csv.DictReader(f):
                self.iso3[row["iso2"]] = row["iso3"]
                self.iso3[row["iso3"]] = row["iso3"]

    def with_ancestors(self, slug):
        out = []
        while slug:
            out.append(slug)
            slug = self.parent.get(slug)
        return out

    def regions_of(self, countries, explicit):
        found = []
        for c in countries:
            for slug in self.country.get(c, []):
                found.extend(self.with_ancestors(slug))
        for slug in explicit:
            found.extend(self.with_ancestors(slug))
        return sorted(set(found))


FRONT_MATTER = re.compile(r"\A---\n(.*?)\n---\n(.*)\Z", re.S)


def read_corpus(folder, geography):
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    docs = []
    for path in sorted(folder.rglob("*.md")):
        if path.name == "README.md":
            continue
        match = FRONT_MATTER.match(path.read_text())
        meta = yaml.load(match.group(1), Loader=loader)
        countries = [geography.iso3.get(c, c) for c in meta.get("countries", [])]
        year = int(meta.get("year") or str(meta.get("date"))[:4])
        facets = {
            "type": [meta["type"]],
            "region": geography.regions_of(countries, meta.get("regions", [])),
            "country": countries,
            "theme": meta.get("themes", []),
            "mechanism_type": meta.get("mechanism_types", []),
            "instrument": meta.get("instruments", []),
            "language": [meta["language"]],
            "decade": [str(year // 10 * 10)],
            "shareable": [] if meta.get("shareable") is None
            else ["yes" if meta["shareable"] else "no"],
        }
        docs.append({
            "id": meta.get("id", path.stem),
            "title": meta["title"],
            "summary": meta.get("summary", ""),
            "body": match.group(2),
            "year": year,
            "facets": facets,
        })
    return docs


def dir_size(path):
    path = Path(path)
    if path.is_file():
        return path.stat().st_size
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def words_of(q):
    """The query as the peers read it: a quoted phrase stays a phrase, other words are OR-ed."""
    phrases = re.findall(r'"([^"]+)"', q)
    rest = re.sub(r'"[^"]+"', " ", q)
    return phrases, re.findall(r"\w+", rest)


# ---------------------------------------------------------------------------------------------
# Engines. Each has load(docs), search(request) -> (total, top ids, facet counts), export(out).


class Praxis:
    def __init__(self, binary, data, corpus, name="praxis-http"):
        self.binary, self.data, self.corpus = binary, data, corpus
        self.name = name
        self.server = None
        self.took = []

    def load(self, docs):
        if self.data.exists():
            shutil.rmtree(self.data)
        started = time.perf_counter()
        subprocess.run([self.binary, "--data", self.data, "ingest", self.corpus], check=True,
                       stdout=subprocess.DEVNULL)
        return time.perf_counter() - started

    def start(self):
        self.server = subprocess.Popen(
            [self.binary, "--data", self.data, "serve", "--addr", "127.0.0.1:0"],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        for line in self.server.stdout:
            found = re.search(r"(127\.0\.0\.1:\d+)", line)
            if found:
                # Keep reading what the server prints (its request log): a full pipe would
                # block the server's writes and stall every request.
                threading.Thread(target=self.server.stdout.read, daemon=True).start()
                host, port = found.group(1).split(":")
                self.address = (host, int(port))
                self.conn = http.client.HTTPConnection(host, int(port), timeout=60)
                return
        raise RuntimeError("praxis serve printed no address")

    def stop(self):
        if self.server:
            self.server.terminate()
            self.server.wait(timeout=30)

    def get(self, path):
        try:
            self.conn.request("GET", path)
            response = self.conn.getresponse()
        except (http.client.RemoteDisconnected, ConnectionError):
            # The server closes keep-alive connections left idle (while the peers were being
            # queried); a client reconnects, as browsers do. Only the first request after an idle
            # spell pays for it, and the timed mix never idles that long.
            self.conn.close()
            self.conn = http.client.HTTPConnection(*self.address, timeout=60)
            self.conn.request("GET", path)
            response = self.conn.getresponse()
        body = response.read()
        if response.status != 200:
            raise RuntimeError(f"{path}: {response.status} {body[:200]!r}")
        return body

    def search(self, request):
        params = [("q", request["q"]), ("page_size", "20"), ("lang", "en")]
        for group, values in request["filters"].items():
            params.extend((group, v) for v in values)
        body = json.loads(self.get("/api/search?" + urllib.parse.urlencode(params)))
        self.took.append(body["took_ms"])
        counts = {}
        for facet in body["facets"]:
            flat = {}
            stack = list(facet["values"])
            while stack:
                value = stack.pop()
                if value["count"]:
                    flat[value["value"]] = value["count"]
                stack.extend(value.get("children", []))
            counts[facet["group"]] = flat
        return body["total"], [h["id"] for h in body["hits"]], counts

    def export(self, out):
        out.write(self.get("/api/search?format=csv").decode())


class Sqlite:
    name = "sqlite-fts5"

    def __init__(self, path):
        self.path = path

    def load(self, docs):
        if self.path.exists():
            self.path.unlink()
        started = time.perf_counter()
        db = sqlite3.connect(self.path)
        db.executescript("""
            PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;
            CREATE TABLE doc (rowid INTEGER PRIMARY KEY, id TEXT, title TEXT, year INTEGER,
                              type TEXT, language TEXT, countries TEXT, themes TEXT);
            CREATE VIRTUAL TABLE fts USING fts5(title, summary, body,
                tokenize = 'porter unicode61 remove_diacritics 2');
            CREATE TABLE facet (doc INTEGER, grp TEXT, val TEXT);
        """)
        with db:
            for rowid, d in enumerate(docs, 1):
                f = d["facets"]
                db.execute("INSERT INTO doc VALUES (?,?,?,?,?,?,?,?)",
                           (rowid, d["id"], d["title"], d["year"], f["type"][0],
                            f["language"][0], ";".join(f["country"]), ";".join(f["theme"])))
                db.execute("INSERT INTO fts(rowid, title, summary, body) VALUES (?,?,?,?)",
                           (rowid, d["title"], d["summary"], d["body"]))
                db.executemany("INSERT INTO facet VALUES (?,?,?)",
                               [(rowid, g, v) for g in GROUPS for v in f[g]])
        db.executescript("""
            CREATE INDEX facet_by_value ON facet (grp, val, doc);
            CREATE INDEX facet_by_doc ON facet (doc, grp, val);
            INSERT INTO fts(fts) VALUES ('optimize');
        """)
        db.close()
        elapsed = time.perf_counter() - started
        self.db = sqlite3.connect(self.path)
        return elapsed

    @staticmethod
    def match(q):
        phrases, words = words_of(q)
        terms = ['"' + p.replace('"', "") + '"' for p in phrases]
        terms += ['"' + w + '"' for w in words]
        return " OR ".join(terms)

    def search(self, request):
        db = self.db
        match = self.match(request["q"])

        def filtered(skip=None):
            sql, args = "", []
            for group, values in request["filters"].items():
                if group == skip or not values:
                    continue
                sql += (" AND m.rowid IN (SELECT doc FROM facet WHERE grp = ? AND val IN (%s))"
                        % ",".join("?" * len(values)))
                args += [group, *values]
            return sql, args

        db.execute("DROP TABLE IF EXISTS temp.m")
        if match:
            db.execute("CREATE TEMP TABLE m AS SELECT rowid, bm25(fts, 10.0, 5.0, 1.0) AS score "
                       "FROM fts WHERE fts MATCH ?", (match,))
        else:
            db.execute("CREATE TEMP TABLE m AS SELECT rowid, 0.0 AS score FROM doc")
        where, args = filtered()
        total = db.execute(f"SELECT count(*) FROM m WHERE 1{where}", args).fetchone()[0]
        top = db.execute(f"SELECT m.rowid FROM m WHERE 1{where} ORDER BY score, m.rowid LIMIT 20",
                         args).fetchall()
        ids = []
        for (rowid,) in top:
            ids.append(db.execute("SELECT id FROM doc WHERE rowid = ?", (rowid,)).fetchone()[0])
            if match:
                db.execute("SELECT snippet(fts, 2, '<mark>', '</mark>', '…', 24) FROM fts "
                           "WHERE fts MATCH ? AND rowid = ?", (match, rowid)).fetchone()
        counts = {}
        for group in GROUPS:
            where, args = filtered(skip=group)
            rows = db.execute(f"SELECT f.val, count(*) FROM m JOIN facet f ON f.doc = m.rowid "
                              f"AND f.grp = ? WHERE 1{where} GROUP BY f.val", [group, *args])
            counts[group] = dict(rows.fetchall())
        return total, ids, counts

    def export(self, out):
        writer = csv.writer(out)
        for row in self.db.execute("SELECT id, title, type, year, language, countries, themes "
                                   "FROM doc ORDER BY rowid"):
            writer.writerow(row)


class Xapian:
    name = "xapian"

    def __init__(self, path):
        import xapian
        self.x = xapian
        self.path = path

    @staticmethod
    def prefix(group):
        return "X" + group.upper().replace("_", "") + ":"

    def load(self, docs):
        x = self.x
        if self.path.exists():
            shutil.rmtree(self.path)
        started = time.perf_counter()
        db = x.WritableDatabase(str(self.path), x.DB_CREATE_OR_OVERWRITE)
        generator = x.TermGenerator()
        generator.set_stemmer(x.Stem("english"))
        for d in docs:
            doc = x.Document()
            generator.set_document(doc)
            generator.index_text(d["title"], 10, "S")
            generator.index_text(d["title"], 10)
            generator.increase_termpos()
            generator.index_text(d["summary"], 5)
            generator.increase_termpos()
            generator.index_text(d["body"])
            f = d["facets"]
            for slot, group in enumerate(GROUPS):
                for value in f[group]:
                    doc.add_boolean_term(self.prefix(group) + value)
                doc.add_value(slot, "\x1f".join(f[group]))
            doc.set_data(json.dumps({"id": d["id"], "title": d["title"], "year": d["year"],
                                     "type": f["type"][0], "language": f["language"][0],
                                     "body": d["body"]}))
            db.add_document(doc)
        db.commit()
        db.close()
        elapsed = time.perf_counter() - started
        self.db = x.Database(str(self.path))
        self.parser = x.QueryParser()
        self.parser.set_stemmer(x.Stem("english"))
        self.parser.set_stemming_strategy(x.QueryParser.STEM_SOME)
        self.parser.set_database(self.db)
        self.parser.set_default_op(x.Query.OP_OR)
        return elapsed

    def filter_query(self, request, skip=None):
        x = self.x
        parts = []
        for group, values in request["filters"].items():
            if group == skip or not values:
                continue
            parts.append(x.Query(x.Query.OP_OR, [x.Query(self.prefix(group) + v)
                                                 for v in values]))
        return parts

    def search(self, request):
        x = self.x
        text = (self.parser.parse_query(request["q"], x.QueryParser.FLAG_PHRASE)
                if request["q"] else x.Query.MatchAll)
        everything = self.db.get_doccount()

        def run(filters, spies, size):
            query = text
            if filters:
                query = x.Query(x.Query.OP_FILTER, text, x.Query(x.Query.OP_AND, filters))
            enquire = x.Enquire(self.db)
            enquire.set_query(query)
            for spy in spies.values():
                enquire.add_matchspy(spy)
            return enquire.get_mset(0, size, everything)

        # Xapian counts a value slot with ValueCountMatchSpy; a multi-valued facet is one slot
        # holding the values joined, so its counts are split afterwards.
        def spies_for(groups):
            return {g: x.ValueCountMatchSpy(GROUPS.index(g)) for g in groups}

        selected = [g for g, v in request["filters"].items() if v]
        unselected = [g for g in GROUPS if g not in selected]
        spies = spies_for(unselected)
        mset = run(self.filter_query(request), spies, 20)
        counts = {}
        for group, spy in spies.items():
            counts[group] = self.split(spy)
        for group in selected:
            own = spies_for([group])
            run(self.filter_query(request, skip=group), own, 0)
            counts[group] = self.split(own[group])
        ids = []
        for match in mset:
            data = json.loads(match.document.get_data())
            ids.append(data["id"])
            if request["q"]:
                mset.snippet(data["body"], 200)
        return mset.get_matches_estimated(), ids, counts

    @staticmethod
    def split(spy):
        counts = {}
        for item in spy.values():
            if not item.term:
                continue
            for value in item.term.decode().split("\x1f"):
                counts[value] = counts.get(value, 0) + item.termfreq
        return counts

    def export(self, out):
        writer = csv.writer(out)
        for posting in self.db.postlist(""):
            data = json.loads(self.db.get_document(posting.docid).get_data())
            writer.writerow([data["id"], data["title"], data["type"], data["year"],
                             data["language"]])


class Tantivy:
    name = "tantivy-py"

    def __init__(self, path):
        import tantivy
        self.t = tantivy
        self.path = path

    def load(self, docs):
        t = self.t
        if self.path.exists():
            shutil.rmtree(self.path)
        self.path.mkdir(parents=True)
        started = time.perf_counter()
        builder = t.SchemaBuilder()
        builder.add_text_field("id", stored=True, tokenizer_name="raw")
        builder.add_text_field("title", stored=True, tokenizer_name="en_stem")
        builder.add_text_field("summary", stored=False, tokenizer_name="en_stem")
        builder.add_text_field("body", stored=True, tokenizer_name="en_stem")
        builder.add_integer_field("year", stored=True, fast=True)
        for group in GROUPS:
            builder.add_text_field(group, stored=True, fast=True, tokenizer_name="raw")
        self.schema = builder.build()
        index = t.Index(self.schema, path=str(self.path))
        writer = index.writer(heap_size=256_000_000)
        for d in docs:
            fields = {"id": d["id"], "title": d["title"], "summary": d["summary"],
                      "body": d["body"], "year": d["year"]}
            for group in GROUPS:
                fields[group] = d["facets"][group]
            writer.add_document(t.Document(**fields))
        writer.commit()
        writer.wait_merging_threads()
        elapsed = time.perf_counter() - started
        self.index = t.Index.open(str(self.path))
        self.index.reload()
        return elapsed

    def text_query(self, q):
        if not q:
            return self.t.Query.all_query()
        return self.index.parse_query_lenient(q, ["title", "summary", "body"],
                                              field_boosts={"title": 10.0, "summary": 5.0})[0]

    def filtered(self, text, request, skip=None):
        t = self.t
        clauses = [(t.Occur.Must, text)]
        for group, values in request["filters"].items():
            if group == skip or not values:
                continue
            clauses.append((t.Occur.Must, t.Query.term_set_query(self.schema, group, values)))
        return t.Query.boolean_query(clauses) if len(clauses) > 1 else text

    def search(self, request):
        searcher = self.index.searcher()
        text = self.text_query(request["q"])
        query = self.filtered(text, request)
        result = searcher.search(query, 20, count=True)
        selected = [g for g, v in request["filters"].items() if v]
        aggs = {g: {"terms": {"field": g, "size": 10_000}} for g in GROUPS if g not in selected}
        counts = {}
        for group, agg in searcher.aggregate(query, aggs).items():
            counts[group] = {b["key"]: b["doc_count"] for b in agg["buckets"]}
        for group in selected:
            own = searcher.aggregate(self.filtered(text, request, skip=group),
                                     {group: {"terms": {"field": group, "size": 10_000}}})
            counts[group] = {b["key"]: b["doc_count"] for b in own[group]["buckets"]}
        ids = []
        snippets = (self.t.SnippetGenerator.create(searcher, text, self.schema, "body")
                    if request["q"] else None)
        for _, address in result.hits:
            doc = searcher.doc(address)
            ids.append(doc["id"][0])
            if snippets:
                snippets.snippet_from_doc(doc)
        return result.count, ids, counts

    def export(self, out):
        writer = csv.writer(out)
        searcher = self.index.searcher()
        everything = searcher.search(self.t.Query.all_query(), searcher.num_docs)
        for _, address in everything.hits:
            doc = searcher.doc(address)
            writer.writerow([doc["id"][0], doc["title"][0], doc["type"][0], doc["year"][0],
                             doc["language"][0]])


# ---------------------------------------------------------------------------------------------


def percentile(sorted_ms, p):
    rank = max(1, min(len(sorted_ms), -(-p * len(sorted_ms) // 100)))
    return sorted_ms[int(rank) - 1]


def check_agreement(engines, requests):
    """With no text, every engine must give the same total and the same facet counts."""
    problems = []
    for request in requests:
        answers = {e.name: e.search(request) for e in engines}
        reference_name = engines[0].name
        total, _, counts = answers[reference_name]
        for name, (other_total, _, other_counts) in answers.items():
            if other_total != total:
                problems.append(f"{request}: total {name} {other_total} != "
                                f"{reference_name} {total}")
            for group in GROUPS:
                if counts.get(group, {}) != other_counts.get(group, {}):
                    problems.append(f"{request}: {group} counts differ between "
                                    f"{reference_name} and {name}")
    return problems


def top_overlap(engines, requests):
    overlap = {e.name: [] for e in engines[1:]}
    for request in requests:
        reference = set(engines[0].search(request)[1])
        for engine in engines[1:]:
            other = set(engine.search(request)[1])
            if reference or other:
                overlap[engine.name].append(len(reference & other) / len(reference | other))
    return {name: statistics.mean(v) if v else None for name, v in overlap.items()}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--docs", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--runs", type=int, default=600, help="requests of the mix per engine")
    parser.add_argument("--repeat", type=int, default=1, help="measure the mix this many times")
    parser.add_argument("--praxis", default=str(ROOT / "target/release/praxis"))
    parser.add_argument("--baseline", help="an earlier praxis binary, run beside --praxis in the "
                        "same mix (its own data directory) to compare two versions in one run")
    parser.add_argument("--work", default=str(ROOT / "target/peers"))
    parser.add_argument("--engines", default="sqlite-fts5,xapian,tantivy-py")
    parser.add_argument("--json", help="also write the numbers to this file")
    args = parser.parse_args()

    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    corpus = work / f"corpus-{args.docs}-seed-{args.seed}"
    if not (corpus / "README.md").exists():
        subprocess.run([args.praxis, "gen-corpus", "--docs", str(args.docs), "--seed",
                        str(args.seed), "--out", corpus, "--force"], check=True,
                       stdout=subprocess.DEVNULL)
    geography = Geography()
    docs = read_corpus(corpus, geography)
    assert len(docs) == args.docs, f"{corpus} holds {len(docs)} documents"

    praxis = Praxis(args.praxis, work / f"praxis-{args.docs}", corpus)
    peers = {"sqlite-fts5": lambda: Sqlite(work / f"fts5-{args.docs}.sqlite"),
             "xapian": lambda: Xapian(work / f"xapian-{args.docs}"),
             "tantivy-py": lambda: Tantivy(work / f"tantivy-{args.docs}")}
    praxises = [praxis]
    if args.baseline:
        praxises.append(Praxis(args.baseline, work / f"praxis-baseline-{args.docs}", corpus,
                               name="praxis-base"))
    engines = praxises + [peers[name]() for name in args.engines.split(",") if name]
    results = {"docs": args.docs, "engines": {}}
    print(f"{args.docs} generated documents (seed {args.seed}); load average "
          f"{os.getloadavg()[0]:.2f} at the start\n")
    print(f"{'engine':<14} {'load s':>8} {'docs/s':>8} {'disk MB':>9}")
    for engine in engines:
        seconds = engine.load(docs)
        path = engine.data if engine in praxises else engine.path
        size = dir_size(path)
        results["engines"][engine.name] = {"load_s": seconds, "docs_per_s": args.docs / seconds,
                                           "disk_bytes": size}
        print(f"{engine.name:<14} {seconds:>8.1f} {args.docs / seconds:>8.0f} "
              f"{size / 1e6:>9.1f}")
    for p in praxises:
        p.start()
    try:
        taxonomy = yaml.safe_load((ROOT / "corpus/taxonomy.yaml").read_text())
        themes = [t["slug"] for t in taxonomy["themes"]]
        mix = faceted_mix(args.runs, geography.order, themes)

        # Agreement where the semantics agree: the mix's filters without text, and a few more.
        boolean = [{"q": "", "filters": r["filters"]} for r in mix[:20]]
        boolean += [{"q": "", "filters": {"type": ["law"], "language": ["fr", "es"]}},
                    {"q": "", "filters": {"decade": ["1990"], "shareable": ["yes"]}},
                    {"q": "", "filters": {}}]
        problems = check_agreement(engines, boolean)
        print(f"\nagreement on {len(boolean)} requests without text (totals and all nine facet "
              f"groups): {'identical' if not problems else f'{len(problems)} differences'}")
        for problem in problems[:10]:
            print("  " + problem)
        overlap = top_overlap(engines, mix[:50])
        print("top-20 overlap with Praxis on text queries (Jaccard, mean of 50): " +
              ", ".join(f"{k} {v:.2f}" for k, v in overlap.items() if v is not None))
        results["agreement_problems"] = problems
        results["top20_overlap"] = overlap

        for repeat in range(args.repeat):
            for engine in engines:
                engine.search(mix[0])  # connections and caches, as a running service has them
            latencies = {e.name: [] for e in engines}
            for p in praxises:
                p.took = []
            for i, request in enumerate(mix):
                order = engines[i % len(engines):] + engines[:i % len(engines)]
                for engine in order:
                    started = time.perf_counter()
                    engine.search(request)
                    latencies[engine.name].append((time.perf_counter() - started) * 1000)
            latencies["praxis-server"] = praxis.took
            if args.baseline:
                latencies["praxis-base-server"] = praxises[1].took
            print(f"\nfaceted mix, run {repeat + 1} of {args.repeat}: {len(mix)} requests per "
                  f"engine, interleaved (ms); load average {os.getloadavg()[0]:.2f}")
            print(f"{'engine':<18} {'p50':>8} {'p95':>8} {'p99':>8} {'p50 ×':>7} {'p99 ×':>7}")
            base = sorted(latencies["praxis-http"])
            run = {}
            servers = ["praxis-server"] + (["praxis-base-server"] if args.baseline else [])
            for name in servers + [e.name for e in engines]:
                ms = sorted(latencies[name])
                row = {p: percentile(ms, p) for p in (50, 95, 99)}
                run[name] = row
                print(f"{name:<18} {row[50]:>8.2f} {row[95]:>8.2f} {row[99]:>8.2f} "
                      f"{row[50] / percentile(base, 50):>7.1f} "
                      f"{row[99] / percentile(base, 99):>7.1f}")
            results.setdefault("runs", []).append(run)

        print(f"\n{'export (CSV)':<14} {'s':>8} {'rows/s':>10}")
        for engine in engines:
            out = io.StringIO()
            started = time.perf_counter()
            engine.export(out)
            seconds = time.perf_counter() - started
            rows = sum(1 for _ in csv.reader(io.StringIO(out.getvalue())))
            rows -= 1 if engine in praxises else 0  # its header row
            results["engines"][engine.name]["export_rows_per_s"] = rows / seconds
            print(f"{engine.name:<14} {seconds:>8.2f} {rows / seconds:>10.0f}")
    finally:
        for p in praxises:
            p.stop()
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2))
    if problems:
        sys.exit("the engines disagree where their semantics agree (see above)")


if __name__ == "__main__":
    main()
