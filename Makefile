# aim-kg: two commands do everything on a machine with Python 3.11 and make:
#   make demo   creates .venv, installs, exports the bundled examples, says where they went
#   make test   installs and runs every test, ruff check and ruff format --check

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
N      ?= 20000
VERSION = $(shell sed -n 's/^__version__ = "\(.*\)"/\1/p' kg/__init__.py)
OUT    ?= build/demo

.PHONY: help install demo harvest-demo test fuzz lint format docs sssom context corpus bench virtuoso pictures clean

help:
	@echo "make demo     export the bundled examples to $(OUT)/"
	@echo "make harvest-demo  fetch, export, load and serve from a local stand-in of the AIM API"
	@echo "make test     run the tests, ruff check and ruff format --check"
	@echo "make fuzz     export N seeded mutations of pages and records (default N=5000) and check them"
	@echo "make docs     generate the vocabulary's documentation and files in build/docs/"
	@echo "make sssom    regenerate ontology/alignments.sssom.tsv from ontology/alignments.ttl"
	@echo "make context  regenerate ontology/context.jsonld from the vocabulary"
	@echo "make corpus   write a synthetic corpus of N events (default 20000) to build/corpus/"
	@echo "make bench    run the benchmark and write docs/performance.md"
	@echo "make virtuoso install Virtuoso, push the corpus into it, run the catalogue there"
	@echo "make pictures regenerate the README's network pictures in docs/img/"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test,docs]'
	@touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	@mkdir -p $(OUT)
	$(BIN)/aim-kg export -o $(OUT)/aim-kg.ttl -o $(OUT)/aim-kg.jsonld -o $(OUT)/aim-kg.nt \
		-o $(OUT)/aim-kg.nq --problems $(OUT)/problems.jsonl --describe $(OUT)/description.ttl
	@echo "demo: the bundled examples are in $(OUT)/: aim-kg.ttl (Turtle), aim-kg.jsonld (JSON-LD),"
	@echo "      aim-kg.nt (N-Triples), aim-kg.nq (N-Quads, a graph per event), description.ttl"
	@echo "      (DCAT-AP, VoID, PROV: what the files are), and problems.jsonl:"
	@echo "      $$(grep -c '"kind": "reject"' $(OUT)/problems.jsonl) inputs left out," \
		"$$(grep -c '"kind": "warning"' $(OUT)/problems.jsonl) warnings. Next: $(BIN)/aim-kg --help"

harvest-demo: $(STAMP)
	$(BIN)/python tests/harvest_demo.py --out build/harvest

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest -n auto --dist worksteal

fuzz: $(STAMP)
	$(BIN)/python tests/fuzz.py -n $(if $(filter 20000,$(N)),5000,$(N))

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

docs: $(STAMP)
	@mkdir -p build/docs/$(VERSION)
	$(BIN)/python -m kg.publish site -o build/docs
	$(BIN)/pylode ontology/aim.ttl -o build/docs/ontology.html
	cp build/docs/ontology.html build/docs/$(VERSION)/ontology.html
	@echo "docs: build/docs/ontology.html (pyLODE), build/docs/taxonomy.html (every concept of"
	@echo "      every scheme), each document in .ttl .jsonld .nt, and $(VERSION)/: the files"
	@echo "      docs/w3id/.htaccess redirects https://w3id.org/aim-kg/ to"

sssom: $(STAMP)
	$(BIN)/python -m kg.publish sssom -o ontology/alignments.sssom.tsv

context: $(STAMP)
	$(BIN)/aim-kg context -o ontology/context.jsonld

corpus: $(STAMP)
	$(BIN)/python -m bench.corpus --events $(N) --out build/corpus

# The Virtuoso figures of the last `make virtuoso`, if there are any, go into the same table.
VIRTUOSO_RESULTS := build/virtuoso/results.json

bench: $(STAMP)
	$(BIN)/python -m bench.run --out docs/performance.md \
		$(if $(wildcard $(VIRTUOSO_RESULTS)),--virtuoso $(VIRTUOSO_RESULTS))

# Virtuoso Open Source (Debian's server binary, without the package's system service) on
# 127.0.0.1:8890 with a new database in build/virtuoso/, the corpus pushed into it with aim-kg
# push (digest authentication; the dba password is $$AIM_KG_PASSWORD, or a random one), every
# catalogue query compared with the embedded store; figures into docs/performance.md.
virtuoso: $(STAMP)
	@command -v virtuoso-t >/dev/null || { apt-get update && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y virtuoso-opensource-7-bin; }
	@test -f build/corpus/manifest.json || $(BIN)/python -m bench.corpus --events $(N) --out build/corpus
	$(BIN)/python -m bench.virtuoso --corpus build/corpus --out docs/performance.md

# The pictures of the README (aim-kg network on the bundled examples). Outlet names in Chinese,
# Japanese and Korean need a font that has them (Debian: apt-get install fonts-noto-cjk).
pictures: $(STAMP)
	@mkdir -p docs/img
	$(BIN)/aim-kg network -q -o docs/img/cooccurrence.png -o docs/img/cooccurrence.svg
	$(BIN)/aim-kg network -q --kind outlets -o docs/img/outlets.png -o docs/img/outlets.svg

clean:
	rm -rf build .pytest_cache
