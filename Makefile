# OCPP certification directory. `make help` lists the targets.
# In pelican-quickstart's spirit: the same target names, plus validate, test and bench.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
CERTIFICATES ?= certificates
OUTPUTDIR ?= output
SITEURL ?=
PORT ?= 8000
CONFFILE ?= pelicanconf.py
PUBLISHCONF ?= publishconf.py
DEPLOY_TARGET ?=
CORRECTION ?=
# STAGING=1: a staging publish (no production checks; every page says it is staging)
STAGING ?=
# where a publish builds: its own folder, so that a publish never touches the preview in OUTPUTDIR
PUBLISH_OUTPUT ?= .publish/site
# pelican-quickstart's plain upload targets (no releases; the ledger is still checked)
SSH_HOST ?= localhost
SSH_PORT ?= 22
SSH_USER ?= root
SSH_TARGET_DIR ?= /var/www
GITHUB_PAGES_BRANCH ?= gh-pages

OCPP := $(BIN)/python -m ocpp_directory
SITEURL_ARG := $(if $(SITEURL),--siteurl "$(SITEURL)",)
# What a build needs (make html and the staff commands), and what the tests add (make test): a site is
# built without the test toolchain (Playwright, the Nu HTML Checker's Java wrapper, SeaweedFS).
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test


.PHONY: help html validate next-number import issue serve devserver test messages golden clean lock system-deps build-deps bench publish rollback rsync_upload s3_upload github publish-build

help:
	@echo 'Makefile for the OCPP certification directory'
	@echo ''
	@echo 'Usage:'
	@echo '   make html        build certificates/ into output/ (sets up .venv on first use)'
	@echo '   make validate    check the records only; exit 1 on any error'
	@echo '   make next-number the next free certificate number: OCPP_VERSION=2.0.1 DEVICE=charging-station|csms'
	@echo '   make import      records from the OCA listing: LISTING=file.csv [INTO=dir]'
	@echo '   make issue       sign the certificate documents the records lack (OCPP_SIGNING_KEY, OCPP_SIGNING_CERT)'
	@echo '   make serve       serve output/ at http://127.0.0.1:$$PORT/'
	@echo '   make devserver   build, serve, and rebuild on every change'
	@echo '   make test        run the test suite (installs Debian chromium and libcairo2 if missing)'
	@echo '   make publish     public build, ledger check, atomic deploy to DEPLOY_TARGET (folder or host:path)'
	@echo '   make rollback    make the previous release at DEPLOY_TARGET live again'
	@echo '   make s3_upload   the same publish to s3://$$S3_BUCKET (endpoint: AWS_ENDPOINT_URL; credentials: the AWS chain)'
	@echo '   make rsync_upload, make github: pelican-quickstart uploads, after the ledger check'
	@echo '   make bench       benchmark: N=10000 synthetic records, against a Jinja2 floor and Pagefind'
	@echo '   make messages    extract the texts people read and update the catalogs (locale/ko: Korean)'
	@echo '   make golden      regenerate the golden tree tests/golden/ after a template change'
	@echo '   make clean       remove output/'
	@echo '   make lock        re-pin constraints.txt from the current virtualenv'
	@echo ''
	@echo 'Variables: CERTIFICATES=dir (records, default certificates), OUTPUTDIR=dir (default output),'
	@echo '           SITEURL=url (public base URL), PORT=n (serve, devserver),'
	@echo '           DEPLOY_TARGET=dir|host:path|s3://bucket/prefix, CORRECTION="reason" (publish), DEPLOY_SSH="ssh -p 2222" (rsync)'

$(STAMP): pyproject.toml constraints.txt | build-deps
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e .
	touch $@

$(TEST_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[test]'
	touch $@

html: $(STAMP)
	$(OCPP) build --settings $(CONFFILE) --certificates "$(CERTIFICATES)" --output "$(OUTPUTDIR)" $(SITEURL_ARG)

validate: $(STAMP)
	$(OCPP) validate --certificates "$(CERTIFICATES)"

# The signed certificate documents the records lack: make issue OCPP_SIGNING_KEY=key.pem OCPP_SIGNING_CERT=chain.pem
issue: $(STAMP)
	OCPP_SIGNING_KEY="$(OCPP_SIGNING_KEY)" OCPP_SIGNING_CERT="$(OCPP_SIGNING_CERT)" \
	  $(OCPP) issue --certificates "$(CERTIFICATES)" --settings $(PUBLISHCONF) $(SITEURL_ARG)

# The next free certificate number: make next-number OCPP_VERSION=2.0.1 DEVICE=charging-station (or csms)
OCPP_VERSION ?=
DEVICE ?=
next-number: $(STAMP)
	$(OCPP) next-number --ocpp "$(OCPP_VERSION)" --type "$(DEVICE)" --certificates "$(CERTIFICATES)"

# Records from the OCA's public listing: make import LISTING=listing.csv [INTO=dir] (default: CERTIFICATES)
LISTING ?=
INTO ?= $(CERTIFICATES)
import: $(STAMP)
	$(OCPP) import-listing "$(LISTING)" --into "$(INTO)"

serve:
	$(OCPP) serve --output "$(OUTPUTDIR)" --port $(PORT)

devserver: $(STAMP)
	$(OCPP) devserver --settings $(CONFFILE) --certificates "$(CERTIFICATES)" --output "$(OUTPUTDIR)" --port $(PORT) $(SITEURL_ARG)

# What the build and the tests need from Debian, as command:package (a path or a
# command name). Installed with apt where missing and we may (CI runs as root).
BUILD_DEPS := /usr/lib/x86_64-linux-gnu/libcairo.so.2:libcairo2
TEST_DEPS := chromium:chromium nginx:nginx /usr/sbin/sshd:openssh-server ssh:openssh-client rsync:rsync \
  /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc:fonts-noto-cjk \
  pdftoppm:poppler-utils npm:npm java:default-jre-headless
define install-missing
	@missing=$$(for dep in $(1); do \
	  cmd=$${dep%%:*}; pkg=$${dep#*:}; \
	  if [ "$${cmd#/}" != "$$cmd" ]; then [ -e "$$cmd" ] || echo $$pkg; \
	  else command -v $$cmd >/dev/null 2>&1 || [ -x /usr/sbin/$$cmd ] || echo $$pkg; fi; done); \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing Debian packages: $$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else \
	    echo "missing Debian packages: sudo apt-get install $$missing" >&2; exit 1; \
	  fi; \
	fi
endef

build-deps:
	$(call install-missing,$(BUILD_DEPS))

system-deps: build-deps
	$(call install-missing,$(TEST_DEPS))

# axe-core for the accessibility tests, from the npm registry, pinned by the lockfile.
AXE := tests/a11y/node_modules/axe-core/axe.min.js
$(AXE): tests/a11y/package.json tests/a11y/package-lock.json
	cd tests/a11y && npm ci --no-audit --no-fund --silent
	touch $@

test: $(TEST_STAMP) system-deps $(AXE)
	$(BIN)/python -m pytest

publish: $(STAMP)
	$(OCPP) publish --settings $(PUBLISHCONF) --certificates "$(CERTIFICATES)" --output "$(PUBLISH_OUTPUT)" \
	  --target "$(DEPLOY_TARGET)" $(SITEURL_ARG) --correction "$(CORRECTION)" $(if $(STAGING),--staging,)

rollback: $(STAMP)
	$(OCPP) rollback --settings $(PUBLISHCONF) --target "$(DEPLOY_TARGET)"

publish-build: $(STAMP)
	$(OCPP) build --settings $(PUBLISHCONF) --certificates "$(CERTIFICATES)" --output "$(OUTPUTDIR)" $(SITEURL_ARG)

# pelican-quickstart's name for an S3 upload: the same publish as DEPLOY_TARGET=s3://$(S3_BUCKET)
S3_BUCKET ?=
s3_upload: $(STAMP)
	$(MAKE) publish DEPLOY_TARGET="s3://$(S3_BUCKET)"

rsync_upload: publish-build
	DEPLOY_SSH="ssh -p $(SSH_PORT)" $(OCPP) guard --output "$(OUTPUTDIR)" --ledger "$(SSH_USER)@$(SSH_HOST):$(SSH_TARGET_DIR)/ledger.json"
	rsync -e "ssh -p $(SSH_PORT)" -P -rvzc --include tags --cvs-exclude --delete "$(OUTPUTDIR)"/ "$(SSH_USER)@$(SSH_HOST):$(SSH_TARGET_DIR)"

github: publish-build
	$(OCPP) guard --output "$(OUTPUTDIR)" --git "$(GITHUB_PAGES_BRANCH):ledger.json"
	$(BIN)/ghp-import -m "Generate Pelican site" -b $(GITHUB_PAGES_BRANCH) "$(OUTPUTDIR)"
	git push origin $(GITHUB_PAGES_BRANCH)

# Benchmark (not a test): N synthetic records; build times against a plain-Jinja2 floor and the
# tree floor, pages against Hugo (Debian's, bench-only), the devserver's save-to-page time,
# search against Pagefind (a benchmark-only dependency), peak memory, growth at N/10 and 3N.
N ?= 10000
BENCH_DEPS := hugo:hugo
bench: $(TEST_STAMP) system-deps
	$(call install-missing,$(BENCH_DEPS))
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[test,bench]'
	$(BIN)/python -m bench.run --n $(N)

# The texts people read, in every language: extract the templates' and the code's messages into the
# template catalog and update each language's catalog (then translate what is new; the build compiles).
LOCALE := plugins/ocpp_directory/locale
messages: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -k N_ --no-location --sort-output --omit-header -o $(LOCALE)/messages.pot .
	$(BIN)/pybabel update -i $(LOCALE)/messages.pot -d $(LOCALE) -D messages --width 100 --ignore-obsolete

golden: $(TEST_STAMP)
	$(BIN)/python -m tests.golden_tree regenerate

clean:
	rm -rf "$(OUTPUTDIR)"

lock: $(TEST_STAMP)
	{ echo '# Every package the project installs, pinned (direct ones are also in pyproject.toml).'; \
	  echo '# Regenerate with: make lock'; \
	  $(BIN)/python -m pip freeze --exclude-editable | grep -v '^-e'; } > constraints.txt
