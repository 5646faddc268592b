# The README's two commands: `make demo` and `make test`. Both set everything up first
# (scripts/setup.sh is idempotent and takes about a second once done).

.PHONY: setup build demo test bench fmt

setup:
	scripts/setup.sh

build: setup

demo: setup
	target/release/parallax summarize examples/geneva_talks_nov23-en.jsonl --sentences 2 --format markdown

test:
	scripts/test.sh

bench: setup
	cargo bench --locked

fmt:
	cargo fmt --all
