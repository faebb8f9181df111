"""``make harvest-demo``: the README's recipe, fetch → export → load → serve, end to end against
the local stand-in of the AIM API (tests/aim_server.py, with a fault every tenth request), then
the daily update (the same commands again). Each command is printed before it runs.

    python tests/harvest_demo.py [--out build/harvest]
"""

from __future__ import annotations

import argparse
import shlex
import signal
import subprocess
import sys
import urllib.parse
import urllib.request
from pathlib import Path

from aim_server import AimServer, periodic

QUERY = """PREFIX aim: <https://w3id.org/aim-kg/ontology#>
SELECT ?year (COUNT(?e) AS ?events) WHERE { ?e a aim:Event ; aim:date ?d BIND(YEAR(?d) AS ?year) }
GROUP BY ?year ORDER BY ?year"""


def run(*args: str) -> None:
    print("$ " + " ".join(shlex.quote(str(a)) for a in ("aim-kg", *args)), flush=True)
    done = subprocess.run([aim_kg(), *args])
    if done.returncode:
        sys.exit(f"harvest-demo: aim-kg {args[0]} exited with {done.returncode}")


def aim_kg() -> str:
    return str(Path(sys.executable).with_name("aim-kg"))


def serve_and_ask(store: Path) -> None:
    args = ("serve", "--store", str(store), "--port", "0")
    print("$ " + " ".join(("aim-kg", *args)) + "   # stopped after one query", flush=True)
    server = subprocess.Popen([aim_kg(), *args], stdout=subprocess.PIPE, text=True)
    try:
        url = server.stdout.readline().strip()
        if not url.startswith("http"):
            sys.exit("harvest-demo: aim-kg serve did not start")
        print(f"$ curl -H 'Accept: text/csv' --data-urlencode 'query=…events per year…' {url}")
        request = urllib.request.Request(
            url,
            data=urllib.parse.urlencode({"query": QUERY}).encode(),
            headers={"Accept": "text/csv"},
        )
        with urllib.request.urlopen(request, timeout=30) as answer:
            print(answer.read().decode("utf-8").replace("\r\n", "\n"), end="", flush=True)
    finally:
        server.send_signal(signal.SIGINT)
        server.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", default="build/harvest", help="the folder to write to")
    out = Path(parser.parse_args().out)
    out.mkdir(parents=True, exist_ok=True)
    jsonl, nq, store = out / "aim.jsonl", out / "aim-kg.nq", out / "store"
    with AimServer(faults=periodic(10)) as api:
        print(f"# a local stand-in of the AIM API at {api.url} (a fault every 10th request)")
        fetch = ("fetch", "-o", str(jsonl), "--api", api.url, "--cache", str(out / "cache"))
        fetch += ("--delay", "0", "--backoff", "0.05")  # a local server: no need to be gentle
        for day in ("first run", "a day later: the same commands update the graph"):
            print(f"# {day}", flush=True)
            run(*fetch)
            run("export", str(jsonl), "-o", str(nq), "-q")
            run("load", str(nq), "--store", str(store))
        serve_and_ask(store)
    print(f"harvest-demo: the records are in {jsonl}, the graph in {nq}, the store in {store}")


if __name__ == "__main__":
    main()
