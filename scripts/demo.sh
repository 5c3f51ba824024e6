#!/usr/bin/env bash
# demo.sh: the main job, on a scratch directory that is removed afterwards.
#
# Writes a small repository of definitions, validates it with `git workspace validate`,
# breaks it, and shows the diagnostics that stop a bad commit.
set -euo pipefail

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null
export GIT_AUTHOR_NAME="Demo" GIT_AUTHOR_EMAIL="demo@example.com"
export GIT_COMMITTER_NAME="Demo" GIT_COMMITTER_EMAIL="demo@example.com"

step() { printf '\n== %s\n' "$*" >&2; }

cd "$work"
git init -q repo && cd repo
cat > workspace.json <<'JSON'
{"version": 1, "resources": {"workflows": "workflows/", "variables": "variables/"}}
JSON
mkdir -p workflows/triage variables
cat > variables/alerts.yml <<'YAML'
version: 1
type: variable
id: alerts
name: alerts
values:
  default: {channel: "#alerts"}
YAML
cat > workflows/triage/definition.yml <<'YAML'
version: 1
type: workflow
id: triage
alias: triage
definition:
  title: Triage an alert
  entrypoint: {ref: fetch}
  actions:
    - ref: fetch
      action: core.http_request
      args: {url: "https://example.com/alerts", method: GET}
    - ref: notify
      action: core.send_email
      depends_on: [fetch]
      args:
        channel: ${{ VARS.alerts.channel }}
        body: ${{ ACTIONS.fetch.result }}
YAML
git add -A && git commit -qm "Add a triage workflow"

step "git workspace validate HEAD (a valid tree)"
git workspace validate HEAD

step "a broken edit: a dependency cycle and an unknown action"
sed -i 's/depends_on: \[fetch\]/depends_on: [fetch, notify, missing]/' workflows/triage/definition.yml
git add -A
if git workspace validate --staged; then
  echo "demo: the broken index was accepted" >&2
  exit 1
fi
step "demo done: the bad change was refused with file:line:column diagnostics"
